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
 * `--contenders lib,torch` adds PyTorch + Hugging Face `transformers` (GPT2LMHeadModel,
 * `generate` greedy with its cache) on the same weights: lib writes its model as a Hugging Face
 * folder that PyTorch loads (bench/_torch_generate.ts), one process per `--torch-threads` count,
 * its rounds interleaved with lib's. The end adds, per model, lib's cache mode against the best
 * thread count of each round (median and range of the per-round ratios) and how many leading
 * greedy tokens the two sides share.
 *
 *     deno task bench:generate                       # both models, tensorflow if built, 3 rounds
 *     deno task bench:generate --models gpt2-124M --rounds 3 --new-tokens 256 --prompt 32
 *     deno task bench:generate --models baby --modes cache --backend wasm
 *     deno task bench:generate --models gpt2-124M --modes cache --contenders lib,torch \
 *       --python .venv/bin/python --new-tokens 256
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { disposeKVCache, GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { generate } from "../lib/sample/mod.ts";
import { Rng } from "../lib/random.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";
import { TorchGenerator, writeSharedWeights } from "./_torch_generate.ts";
import { defaultTorchPython } from "./_python_serve.ts";
import { loadAverage, median } from "./_round_stats.ts";

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
  /** "lib", or "torch N threads" (PyTorch + transformers). */
  contender: string;
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
 *   model: "baby", mode: "cache", contender: "lib", params: 1, prefillMs: [5], firstTokenMs: [6],
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
    "| model | params | contender | mode | prefill ms | first token ms | decode ms/token | tokens/s |",
    "|---|---:|---|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model} | ${(r.params / 1e6).toFixed(2)}M | ${r.contender} | ${r.mode} | ` +
        `${cell(r.prefillMs)} | ` +
        `${cell(r.firstTokenMs)} | ${cell(r.decodeMs)} | ${cell(r.tokensPerSecond)} |`,
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
  modes: {
    kind: "string",
    description: "comma-separated modes of lib's generate: cache, no-cache",
    default: "cache,no-cache",
  },
  contenders: {
    kind: "string",
    description: "comma-separated: lib, torch (PyTorch + transformers generate, same weights)",
    default: "lib",
  },
  rounds: { kind: "int", description: "interleaved rounds", default: 3 },
  prompt: { kind: "int", description: "prompt length in tokens", default: 32 },
  newTokens: { kind: "int", description: "tokens generated per run", default: 128 },
  backend: {
    kind: "string",
    description: "tfjs backend (default: the project's choice, tensorflow when built)",
  },
  python: {
    kind: "string",
    description:
      "python with torch and transformers (default: $LLM_TORCH_PYTHON, .venv's, python3)",
  },
  torchThreads: {
    kind: "string",
    description: "comma-separated PyTorch thread counts; the best of them is the baseline",
    default: "1,2",
  },
} as const satisfies FlagSpecs;

/** What `deno task bench:generate` runs, from its flags, checked. */
export interface GenerateBenchSettings {
  /** Models to time (keys of the bench's model table). */
  models: string[];
  /** lib's modes: "cache" and/or "no-cache". */
  modes: string[];
  /** Whether lib is timed. */
  lib: boolean;
  /** Whether PyTorch + transformers is timed. */
  torch: boolean;
  /** Interleaved rounds. */
  rounds: number;
  /** Prompt tokens. */
  prompt: number;
  /** New tokens per run. */
  newTokens: number;
  /** tfjs backend, or undefined for the project's choice. */
  backend?: string;
  /** The Python that runs the PyTorch contender. */
  python: string;
  /** PyTorch thread counts. */
  torchThreads: number[];
  /** `--help` was given. */
  help: boolean;
}

/** Splits a comma list, trimming blanks. */
const list = (s: string) => s.split(",").map((x) => x.trim()).filter((x) => x);

/**
 * Parses and checks the flags of `deno task bench:generate`; every mistake is an error naming
 * the flag and the choices, raised before any model is built or Python started.
 *
 * @example
 * ```ts
 * import { generateBenchSettings } from "./generate_bench.ts";
 * const s = generateBenchSettings(["--contenders", "lib,torch", "--torch-threads", "2"]);
 * console.log(s.torch, s.torchThreads); // true [ 2 ]
 * ```
 */
export function generateBenchSettings(argv: string[]): GenerateBenchSettings {
  const f = parseFlags(argv, FLAGS);
  const models = list(f.models);
  for (const n of models) {
    if (!MODELS[n]) {
      throw new Error(`unknown model "${n}"; choose from ${Object.keys(MODELS).join(", ")}`);
    }
  }
  const modes = list(f.modes);
  for (const m of modes) {
    if (m !== "cache" && m !== "no-cache") {
      throw new Error(`unknown mode "${m}" in --modes; choose from cache, no-cache`);
    }
  }
  const contenders = list(f.contenders);
  for (const c of contenders) {
    if (c !== "lib" && c !== "torch") {
      throw new Error(`--contenders: unknown "${c}"; choose from lib, torch`);
    }
  }
  if (models.length === 0 || modes.length === 0 || contenders.length === 0) {
    throw new Error("--models, --modes and --contenders each need at least one entry");
  }
  const torchThreads = list(f.torchThreads).map(Number);
  if (torchThreads.length === 0 || !torchThreads.every((t) => Number.isInteger(t) && t >= 1)) {
    throw new Error(
      `--torch-threads expects positive integers separated by commas, got "${f.torchThreads}"`,
    );
  }
  const lib = contenders.includes("lib"), torch = contenders.includes("torch");
  // transformers' generate is timed with its cache; lib's ratio needs the same mode.
  if (lib && torch && !modes.includes("cache")) {
    throw new Error("--contenders lib,torch compares lib's cache mode: add cache to --modes");
  }
  if (f.rounds < 1 || f.prompt < 1 || f.newTokens < 2) {
    throw new Error(
      "--rounds and --prompt must be at least 1 and --new-tokens at least 2 (decode time is " +
        "measured after the first token)",
    );
  }
  return {
    models,
    modes,
    lib,
    torch,
    rounds: f.rounds,
    prompt: f.prompt,
    newTokens: f.newTokens,
    backend: f.backend,
    python: f.python ?? defaultTorchPython(),
    torchThreads,
    help: f.help,
  };
}

/**
 * How many leading tokens two greedy continuations share.
 *
 * @example
 * ```ts
 * import { agreeingPrefix } from "./generate_bench.ts";
 * console.log(agreeingPrefix([1, 2, 3], [1, 2, 4])); // 2
 * ```
 */
export function agreeingPrefix(a: number[], b: number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Median and range of `xs`, three significant digits. */
const spread = (xs: number[]) => {
  const fmt = (x: number) => x.toPrecision(3);
  return `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
};

async function main(argv: string[]): Promise<void> {
  const f = generateBenchSettings(argv);
  if (f.help) {
    console.log(flagUsage("Usage: deno task bench:generate [flags]", FLAGS));
    return;
  }
  const names = f.models;
  const modes = f.lib ? f.modes : [];
  const rounds = f.rounds;
  const promptLength = f.prompt;
  const newTokens = f.newTokens;
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
  // PyTorch loads lib's weights from a Hugging Face folder, one process per model and thread
  // count; the folder goes once every process has read it.
  const torch = new Map<string, TorchGenerator>();
  if (f.torch) {
    for (const n of names) {
      const dir = await writeSharedWeights(models.get(n)!);
      try {
        for (const threads of f.torchThreads) {
          const t = await TorchGenerator.start(f.python, threads, dir);
          if (typeof t === "string") {
            throw new Error(
              `the torch contender cannot run: ${t}. Pass --python (or set LLM_TORCH_PYTHON to) ` +
                `a Python with torch and transformers.`,
            );
          }
          torch.set(`${n} ${threads}`, t);
          if (torch.size === 1) {
            const i = t.info;
            console.log(
              `  torch: PyTorch ${i.torch}, transformers ${i.transformers}, ${i.blas} BLAS, ` +
                `${i.cpu_capability} kernels, GPT2LMHeadModel attention "${i.attention}", ` +
                `generate(do_sample=False, use_cache=True); threads ${f.torchThreads.join(", ")}`,
            );
          }
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  }
  const rows = new Map<string, GenerateBenchRow>();
  const addRow = (key: string, model: string, mode: string, contender: string) =>
    rows.set(key, {
      model,
      mode,
      contender,
      params: models.get(model)!.numParams(),
      prefillMs: [],
      firstTokenMs: [],
      decodeMs: [],
      tokensPerSecond: [],
    });
  for (const n of names) {
    for (const m of modes) addRow(`${n} ${m}`, n, m === "cache" ? "cache" : "no cache", "lib");
    for (const t of f.torch ? f.torchThreads : []) {
      addRow(`${n} torch ${t}`, n, "cache", `torch ${t} thread${t > 1 ? "s" : ""}`);
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
      // As generate runs it: only the last position's logits.
      const { logits, cache } = model.forwardWithCache(idx, undefined, { lastOnly: true });
      logits.dataSync();
      logits.dispose();
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
    for (const t of f.torch ? f.torchThreads : []) {
      await torch.get(`${n} ${t}`)!.run(prompts.get(n)!, 4);
    }
  }
  const tensors = tf.memory().numTensors;
  const outputs = new Map<string, string>();
  const differ = new Set<string>();
  const libTokens = new Map<string, number[]>();
  const torchTokens = new Map<string, number[]>();
  const report = (r: number, row: GenerateBenchRow) => {
    const i = row.prefillMs.length - 1;
    console.log(
      `  round ${r + 1} ${row.model} ${row.contender} ${row.mode}: prefill ` +
        `${row.prefillMs[i].toFixed(1)} ms, first token ${row.firstTokenMs[i].toFixed(1)} ms, ` +
        `decode ${row.decodeMs[i].toFixed(1)} ms/token, ` +
        `${row.tokensPerSecond[i].toPrecision(3)} tokens/s`,
    );
  };
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
        if (!libTokens.has(n)) libTokens.set(n, out);
        report(r, row);
      }
      for (const t of f.torch ? f.torchThreads : []) {
        const row = rows.get(`${n} torch ${t}`)!;
        const res = await torch.get(`${n} ${t}`)!.run(prompts.get(n)!, newTokens);
        const timing = splitTimings(0, res.arrivals_ms);
        row.prefillMs.push(res.prefill_ms);
        row.firstTokenMs.push(timing.firstTokenMs);
        row.decodeMs.push(timing.decodeMs);
        row.tokensPerSecond.push(timing.tokensPerSecond);
        if (!torchTokens.has(n)) torchTokens.set(n, res.tokens);
        report(r, row);
      }
    }
  }
  if (tf.memory().numTensors !== tensors) {
    throw new Error(`generation leaked ${tf.memory().numTensors - tensors} tensors`);
  }
  for (const t of torch.values()) await t.close();
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
  if (f.lib && f.torch) {
    console.log();
    console.log(
      "lib (cache) against the best PyTorch thread count of the same round; > 1: lib is faster",
    );
    for (const n of names) {
      const lib = rows.get(`${n} cache`)!;
      const ts = f.torchThreads.map((t) => rows.get(`${n} torch ${t}`)!);
      // Per round: the best torch setting's number (highest tokens/s, lowest ms).
      const best = (pick: (r: GenerateBenchRow) => number[], low: boolean) =>
        lib.prefillMs.map((_, i) => {
          const xs = ts.map((t) => pick(t)[i]);
          return low ? Math.min(...xs) : Math.max(...xs);
        });
      const ratio = (ours: number[], theirs: number[], higherIsBetter: boolean) =>
        spread(ours.map((x, i) => higherIsBetter ? x / theirs[i] : theirs[i] / x));
      console.log(
        `${n}: tokens/s ${
          ratio(lib.tokensPerSecond, best((t) => t.tokensPerSecond, false), true)
        }` +
          `, time to first token ${
            ratio(lib.firstTokenMs, best((t) => t.firstTokenMs, true), false)
          }` +
          `, prefill ${ratio(lib.prefillMs, best((t) => t.prefillMs, true), false)}` +
          `, decode ${ratio(lib.decodeMs, best((t) => t.decodeMs, true), false)}` +
          ` (median (range) over ${rounds} rounds)`,
      );
      const ours = libTokens.get(n), theirs = torchTokens.get(n);
      if (ours && theirs) {
        const k = agreeingPrefix(ours, theirs);
        console.log(
          `${n}: lib and PyTorch pick the same greedy tokens for the first ${k} of ${ours.length}` +
            (k < ours.length
              ? ` (then they part: random weights give near-equal logits, and the two sides' ` +
                `float32 sums round differently)`
              : ""),
        );
      }
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
