/**
 * Generation speed: tokens per second of `lib/sample`'s `generate`, with and without the
 * key/value cache, for GPT-2 124M's architecture (random weights, so nothing is downloaded) and
 * the baby model. Each run continues a 32-token prompt by 128 tokens. Rounds are interleaved
 * (every round runs each model and mode once), so load from other processes hits all alike;
 * the table gives the median and range over rounds and the ratio of the medians.
 *
 *     deno task bench:generate                       # both models, wasm, 3 rounds
 *     deno task bench:generate --models baby --rounds 5
 *     deno task bench:generate --backend cpu --new-tokens 32
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { generate } from "../lib/sample/mod.ts";
import { Rng } from "../lib/random.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";

/** One model's timings, per mode. */
export interface GenerateBenchRow {
  /** "gpt2-124M" or "baby". */
  model: string;
  /** Trainable parameters. */
  params: number;
  /** Tokens/s of every round with the KV cache. */
  cached: number[];
  /** Tokens/s of every round without it. */
  uncached: number[];
  /** Whether both modes produced the same tokens in every round. */
  sameTokens: boolean;
}

/**
 * Median of `xs`.
 *
 * @example
 * ```ts
 * import { median } from "./generate_bench.ts";
 * console.log(median([3, 1, 2])); // 2
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const MODELS: Record<string, () => GPT> = {
  // GPT-2 small's shape; GPT-2's own initialisation (seeded), not trained weights.
  "gpt2-124M": () => new GPT(gptConfig("gpt2"), { seed: 1 }),
  // nanoGPT's CPU baby model on a 65-character vocabulary, as deno task train builds it.
  baby: () => new GPT(gptConfig("baby", { vocabSize: 65 }), { seed: 1 }),
};

/**
 * A markdown table of the rows: tokens/s median and range per mode, and the cache's speed-up.
 *
 * @example
 * ```ts
 * import { table } from "./generate_bench.ts";
 * console.log(table([{ model: "baby", params: 1, cached: [100], uncached: [20], sameTokens: true }]));
 * ```
 */
export function table(rows: GenerateBenchRow[]): string {
  // Three significant digits: GPT-2 without the cache runs at a fraction of a token per second.
  const fmt = (x: number) => x.toPrecision(3);
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}`;
  const lines = [
    "| model | params | KV cache tokens/s (median, range) | no cache tokens/s (median, range) | speed-up |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model} | ${(r.params / 1e6).toFixed(2)}M | ${fmt(median(r.cached))} ` +
        `(${range(r.cached)}) | ${fmt(median(r.uncached))} (${range(r.uncached)}) | ` +
        `${(median(r.cached) / median(r.uncached)).toFixed(1)}x |`,
    );
  }
  return lines.join("\n");
}

/** Every flag of `deno task bench:generate`. */
const FLAGS = {
  models: {
    kind: "string",
    description: "comma-separated models to time",
    default: "gpt2-124M,baby",
  },
  rounds: { kind: "int", description: "interleaved rounds", default: 3 },
  prompt: { kind: "int", description: "prompt length in tokens", default: 32 },
  newTokens: { kind: "int", description: "tokens generated per run", default: 128 },
  backend: { kind: "string", description: "tfjs backend", default: "wasm" },
} as const satisfies FlagSpecs;

async function main(argv: string[]): Promise<void> {
  const f = parseFlags(argv, FLAGS);
  if (f.help) {
    console.log(flagUsage("Usage: deno task bench:generate [flags]", FLAGS));
    return;
  }
  const names = f.models.split(",");
  for (const n of names) {
    if (!MODELS[n]) {
      throw new Error(`unknown model "${n}"; choose from ${Object.keys(MODELS).join(", ")}`);
    }
  }
  const rounds = f.rounds;
  const promptLength = f.prompt;
  const newTokens = f.newTokens;
  const backend = await initBackend({ backend: f.backend, report: false });
  const cpu = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
    ?.[1] ?? "unknown CPU";
  console.log(
    `generation: prompt ${promptLength} -> ${newTokens} new tokens, ${rounds} interleaved ` +
      `rounds, ${backend.name} backend, ${cpu}, ${new Date().toISOString()}`,
  );

  const models = new Map<string, GPT>();
  for (const n of names) {
    const start = performance.now();
    models.set(n, MODELS[n]());
    console.log(`  built ${n} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  const rows = new Map<string, GenerateBenchRow>(
    names.map((n) => [n, {
      model: n,
      params: models.get(n)!.numParams(),
      cached: [],
      uncached: [],
      sameTokens: true,
    }]),
  );
  const rng = new Rng(7);
  const prompts = new Map(
    names.map((n) => [
      n,
      Array.from(
        { length: promptLength },
        () => Math.floor(rng.uniform() * models.get(n)!.config.vocabSize),
      ),
    ]),
  );
  const run = (n: string, useCache: boolean, tokens: number) => {
    const start = performance.now();
    const out = generate(models.get(n)!, prompts.get(n)!, {
      maxNewTokens: tokens,
      seed: 11,
      useCache,
    });
    return { out, tps: tokens / ((performance.now() - start) / 1000) };
  };
  // Warm-up: the first calls compile kernels and grow the wasm heap.
  for (const n of names) for (const c of [true, false]) run(n, c, 4);
  const tensors = tf.memory().numTensors;
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      const row = rows.get(n)!;
      const a = run(n, true, newTokens);
      const b = run(n, false, newTokens);
      row.cached.push(a.tps);
      row.uncached.push(b.tps);
      row.sameTokens &&= a.out.join() === b.out.join();
      console.log(
        `  round ${r + 1} ${n}: cache ${a.tps.toPrecision(3)} tokens/s, no cache ` +
          `${b.tps.toPrecision(3)} tokens/s`,
      );
    }
  }
  if (tf.memory().numTensors !== tensors) {
    throw new Error(`generation leaked ${tf.memory().numTensors - tensors} tensors`);
  }
  console.log();
  console.log(table([...rows.values()]));
  for (const [n, m] of models) {
    if (promptLength + newTokens > m.config.blockSize) {
      console.log(
        `note: ${n}'s block is ${m.config.blockSize} tokens, so after ` +
          `${Math.max(0, m.config.blockSize - promptLength)} new tokens positions shift every ` +
          `step and both modes re-encode the window: the cache only helps inside the block`,
      );
    }
  }
  for (const r of rows.values()) {
    if (!r.sameTokens) {
      console.log(`note: ${r.model} picked different tokens with and without the cache`);
    }
  }
  for (const m of models.values()) m.dispose();
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`bench:generate: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
