/**
 * Generation speed of `lib/sample`'s `generate`, greedy, batch 1, with and without the key/value
 * cache, for GPT-2 124M's architecture (random weights, so nothing is downloaded) and the baby
 * model. Each run continues a prompt (default 32 tokens) by `--new-tokens` (default 128) and is
 * split into three numbers: prefill (one pass over the prompt that fills the cache, its last
 * logits read back), time to first token (generate's call to its first chosen token: prefill plus
 * picking), and the mean time per token after the first (decode); tokens/s is new tokens over the
 * whole call. Rounds are interleaved (every round runs each model and mode once), so load from
 * other processes hits all alike; the table gives the median and range over rounds. The header
 * names the CPU, cores, backend, thread settings and the load average at start and end, since
 * the machines this runs on are shared.
 *
 *     deno task bench:generate                       # both models, tensorflow if built, 3 rounds
 *     deno task bench:generate --models gpt2-124M --rounds 3 --new-tokens 256 --prompt 32
 *     deno task bench:generate --models baby --modes cache --backend wasm
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { disposeKVCache, GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { generate } from "../lib/sample/mod.ts";
import { Rng } from "../lib/random.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";

/** The timings of one generate call. */
export interface GenerateTiming {
  /** Milliseconds from the call to the first chosen token. */
  firstTokenMs: number;
  /** Mean milliseconds per token after the first (NaN when only one token was made). */
  decodeMs: number;
  /** New tokens per second over the whole call. */
  tokensPerSecond: number;
}

/** One model and mode: every round's timings. */
export interface GenerateBenchRow {
  /** "gpt2-124M" or "baby". */
  model: string;
  /** "cache" or "no cache". */
  mode: string;
  /** Trainable parameters. */
  params: number;
  /** Prefill milliseconds per round (the prompt's pass that fills the cache). */
  prefillMs: number[];
  /** Time to first token per round, milliseconds. */
  firstTokenMs: number[];
  /** Mean decode milliseconds per token after the first, per round. */
  decodeMs: number[];
  /** Tokens/s per round. */
  tokensPerSecond: number[];
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

/**
 * Splits one generate call into time to first token, mean decode time per later token and
 * tokens/s, from the call's start and the time each token arrived (`performance.now()` values).
 *
 * @example
 * ```ts
 * import { splitTimings } from "./generate_bench.ts";
 * console.log(splitTimings(0, [100, 110, 120, 130])); // first 100 ms, decode 10 ms, 30.8 tokens/s
 * ```
 */
export function splitTimings(start: number, arrivals: number[]): GenerateTiming {
  if (arrivals.length === 0) {
    throw new Error("splitTimings: no tokens arrived; time at least one new token.");
  }
  const last = arrivals[arrivals.length - 1];
  return {
    firstTokenMs: arrivals[0] - start,
    decodeMs: arrivals.length > 1 ? (last - arrivals[0]) / (arrivals.length - 1) : NaN,
    tokensPerSecond: arrivals.length / ((last - start) / 1000),
  };
}

const MODELS: Record<string, () => GPT> = {
  // GPT-2 small's shape; GPT-2's own initialisation (seeded), not trained weights.
  "gpt2-124M": () => new GPT(gptConfig("gpt2"), { seed: 1 }),
  // nanoGPT's CPU baby model on a 65-character vocabulary, as deno task train builds it.
  baby: () => new GPT(gptConfig("baby", { vocabSize: 65 }), { seed: 1 }),
};

/**
 * A markdown table of the rows: for each model and mode, the median and range over rounds of
 * prefill ms, time to first token ms, decode ms per token and tokens/s.
 *
 * @example
 * ```ts
 * import { table } from "./generate_bench.ts";
 * console.log(table([{
 *   model: "baby", mode: "cache", params: 1, prefillMs: [5], firstTokenMs: [6],
 *   decodeMs: [10], tokensPerSecond: [99],
 * }]));
 * ```
 */
export function table(rows: GenerateBenchRow[]): string {
  // Three significant digits: GPT-2 without the cache runs at a fraction of a token per second.
  const fmt = (x: number) => x.toPrecision(3);
  const cell = (xs: number[]) =>
    `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
  const lines = [
    "| model | params | mode | prefill ms | first token ms | decode ms/token | tokens/s |",
    "|---|---:|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model} | ${(r.params / 1e6).toFixed(2)}M | ${r.mode} | ${cell(r.prefillMs)} | ` +
        `${cell(r.firstTokenMs)} | ${cell(r.decodeMs)} | ${cell(r.tokensPerSecond)} |`,
    );
  }
  return lines.join("\n");
}

/** The 1-, 5- and 15-minute load averages from /proc/loadavg, or "unknown" off Linux. */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** Every flag of `deno task bench:generate`. */
const FLAGS = {
  models: {
    kind: "string",
    description: "comma-separated models to time",
    default: "gpt2-124M,baby",
  },
  modes: {
    kind: "string",
    description: "comma-separated modes: cache, no-cache",
    default: "cache,no-cache",
  },
  rounds: { kind: "int", description: "interleaved rounds", default: 3 },
  prompt: { kind: "int", description: "prompt length in tokens", default: 32 },
  newTokens: { kind: "int", description: "tokens generated per run", default: 128 },
  backend: {
    kind: "string",
    description: "tfjs backend (default: the project's choice, tensorflow when built)",
  },
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
  const modes = f.modes.split(",");
  for (const m of modes) {
    if (m !== "cache" && m !== "no-cache") {
      throw new Error(`unknown mode "${m}" in --modes; choose from cache, no-cache`);
    }
  }
  const rounds = f.rounds;
  const promptLength = f.prompt;
  const newTokens = f.newTokens;
  if (rounds < 1 || promptLength < 1 || newTokens < 2) {
    throw new Error(
      "--rounds and --prompt must be at least 1 and --new-tokens at least 2 (decode time is " +
        "measured after the first token)",
    );
  }
  const loadStart = loadAverage();
  const backend = await initBackend({ backend: f.backend, report: false });
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const cpu = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown CPU";
  const env = (k: string) => `${k}=${Deno.env.get(k) ?? "unset"}`;
  console.log(
    `generation, greedy, batch 1: prompt ${promptLength} -> ${newTokens} new tokens, ${rounds} ` +
      `interleaved rounds, ${new Date().toISOString()}`,
  );
  console.log(`  CPU: ${cpu}, ${navigator.hardwareConcurrency} logical cores`);
  console.log(`  backend: ${backend.name} (${backend.detail})`);
  console.log(
    `  threads: ${env("TF_NUM_INTRAOP_THREADS")}, ${env("TF_NUM_INTEROP_THREADS")}, ` +
      `${env("LLM_WASM_THREADS")} (unset: TensorFlow sizes its pools to the cores; wasm runs 1)`,
  );
  console.log(`  load average (1, 5, 15 min) at start: ${loadStart}`);

  const models = new Map<string, GPT>();
  for (const n of names) {
    const start = performance.now();
    models.set(n, MODELS[n]());
    console.log(`  built ${n} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  const rows = new Map<string, GenerateBenchRow>();
  for (const n of names) {
    for (const m of modes) {
      rows.set(`${n} ${m}`, {
        model: n,
        mode: m === "cache" ? "cache" : "no cache",
        params: models.get(n)!.numParams(),
        prefillMs: [],
        firstTokenMs: [],
        decodeMs: [],
        tokensPerSecond: [],
      });
    }
  }
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
  // The prompt's pass as each mode's first step makes it, its last logits row read back.
  const prefill = (n: string, useCache: boolean): number => {
    const model = models.get(n)!;
    const window = prompts.get(n)!.slice(-model.config.blockSize);
    const idx = tf.tensor2d([window], [1, window.length], "int32");
    const start = performance.now();
    if (useCache) {
      const { logits, cache } = model.forwardWithCache(idx);
      const row = tf.slice(logits, [0, window.length - 1, 0], [1, 1, -1]);
      row.dataSync();
      tf.dispose([row, logits]);
      disposeKVCache(cache);
    } else {
      const logits = model.forward(idx);
      const row = tf.slice(logits, [0, window.length - 1, 0], [1, 1, -1]);
      row.dataSync();
      tf.dispose([row, logits]);
    }
    const ms = performance.now() - start;
    idx.dispose();
    return ms;
  };
  const run = (n: string, useCache: boolean, tokens: number) => {
    const arrivals: number[] = [];
    const start = performance.now();
    const out = generate(models.get(n)!, prompts.get(n)!, {
      maxNewTokens: tokens,
      temperature: 0,
      useCache,
      onToken: () => arrivals.push(performance.now()),
    });
    return { out, timing: splitTimings(start, arrivals) };
  };
  // Warm-up: the first calls compile kernels and grow the wasm heap.
  for (const n of names) {
    for (const m of modes) {
      prefill(n, m === "cache");
      run(n, m === "cache", 4);
    }
  }
  const tensors = tf.memory().numTensors;
  const outputs = new Map<string, string>();
  const differ = new Set<string>();
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      for (const m of modes) {
        const row = rows.get(`${n} ${m}`)!;
        const p = prefill(n, m === "cache");
        const { out, timing } = run(n, m === "cache", newTokens);
        row.prefillMs.push(p);
        row.firstTokenMs.push(timing.firstTokenMs);
        row.decodeMs.push(timing.decodeMs);
        row.tokensPerSecond.push(timing.tokensPerSecond);
        // Greedy decoding: every mode and round must pick the same tokens.
        const seen = outputs.get(n);
        if (seen === undefined) outputs.set(n, out.join());
        else if (seen !== out.join()) differ.add(n);
        console.log(
          `  round ${r + 1} ${n} ${row.mode}: prefill ${p.toFixed(1)} ms, first token ` +
            `${timing.firstTokenMs.toFixed(1)} ms, decode ${timing.decodeMs.toFixed(1)} ` +
            `ms/token, ${timing.tokensPerSecond.toPrecision(3)} tokens/s`,
        );
      }
    }
  }
  if (tf.memory().numTensors !== tensors) {
    throw new Error(`generation leaked ${tf.memory().numTensors - tensors} tensors`);
  }
  console.log(`  load average (1, 5, 15 min) at end: ${loadAverage()}`);
  console.log();
  console.log(table([...rows.values()]));
  if (modes.length === 2) {
    for (const n of names) {
      const c = median(rows.get(`${n} cache`)!.tokensPerSecond);
      const u = median(rows.get(`${n} no-cache`)!.tokensPerSecond);
      console.log(`${n}: the cache is ${(c / u).toFixed(1)}x faster in tokens/s (medians)`);
    }
  }
  for (const [n, m] of models) {
    if (promptLength + newTokens > m.config.blockSize) {
      console.log(
        `note: ${n}'s block is ${m.config.blockSize} tokens, so after ` +
          `${Math.max(0, m.config.blockSize - promptLength)} new tokens positions shift every ` +
          `step and both modes re-encode the window: the cache only helps inside the block`,
      );
    }
  }
  for (const n of differ) {
    console.log(`note: ${n} picked different tokens across modes or rounds (greedy should not)`);
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
