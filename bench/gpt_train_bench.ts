/**
 * Training-step benchmark: forward, backward and an AdamW update of a GPT, for each contender
 * in interleaved rounds (every round runs a few steps of each, so load from other processes hits
 * all of them alike), median and range per contender, and per-round ratios to PyTorch.
 *
 * Contenders: `lib` (lib/models/gpt/gpt.ts on each backend asked for), `naive` (bench/naive_gpt.ts
 * on stock tfjs kernels, on wasm and cpu: the baseline lib's kernels are measured against), `torch`
 * (tools/torch/pt_reference_run.py, the project's PyTorch replica of lib's GPT, once per thread
 * count, when PyTorch is installed) and `nanogpt` (karpathy/nanoGPT's own model.py and train.py
 * step from a checkout given with `--nanogpt DIR`, through tools/torch/pt_nanogpt_step.py, once
 * per thread count). Ratios are per round, to the best thread count of the reference that round.
 *
 *     deno task bench:gpt                                   # baby GPT: tensorflow (if set up), wasm, PyTorch
 *     deno task bench:gpt --contenders lib,torch,nanogpt --nanogpt ../nanoGPT   # git clone https://github.com/karpathy/nanoGPT
 *     deno task bench:gpt --n-embd 256 --n-layer 4 --n-head 4 --block 64 --batch 12
 *     deno task bench:gpt --backends wasm,cpu --rounds 7 --steps 3 --json out.json
 *     deno task bench:gpt --backends webgpu --torch-device cuda,cpu   # on an NVIDIA GPU
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, probeBackends, withKernels } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { AdamW } from "../lib/train/mod.ts";
import { naiveLoss } from "./naive_gpt.ts";
import { type BenchShape, checkNanoGptDir, TorchContender } from "./_torch_contender.ts";
import { defaultTorchPython } from "./_python_serve.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";
import { loadAverage, median } from "./_round_stats.ts";

/** One contender's timings. */
export interface BenchRow {
  /** e.g. "lib wasm", "naive wasm", "torch 1 thread". */
  contender: string;
  /** Backend block it ran in. */
  block: string;
  /** Milliseconds of every timed step. */
  ms: number[];
  /** Median of the per-round medians' ratios to the best PyTorch setting of the same round. */
  vsTorch?: number;
  /** Smallest and largest of those per-round ratios. */
  vsTorchRange?: [number, number];
  /** Per-round ratios to the best nanoGPT thread count of the same round, in round order. */
  vsNanoGptRounds?: number[];
  /** Median of {@link BenchRow.vsNanoGptRounds}. */
  vsNanoGpt?: number;
  /** Smallest and largest of {@link BenchRow.vsNanoGptRounds}. */
  vsNanoGptRange?: [number, number];
  /** Per-round medians, in round order (for ratios between any two contenders). */
  roundMedians: number[];
  /** Loss after the last step. */
  lastLoss: number;
  /** Extra description (PyTorch threads and BLAS). */
  note?: string;
}

interface Contender {
  name: string;
  note?: string;
  run(steps: number): Promise<{ ms: number[]; loss: number }>;
  close(): Promise<void>;
}

/**
 * A seeded stream of uniformly random (x, y) batches, the kind PyTorch's side of the bench draws:
 * both sides then train on the same task (nothing to learn, the loss stays near ln V), so their
 * losses stay comparable however many steps run.
 */
function batches(shape: BenchShape, seed: number) {
  let state = seed >>> 0;
  // Math.imul: a plain product overflows 2^53 and the stream falls into a short cycle.
  const rng = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const { batch: B, block: T, vocab: V } = shape;
  return (): [tf.Tensor2D, tf.Tensor2D] => {
    const x = Array.from({ length: B * T }, () => Math.floor(rng() * V));
    const y = Array.from({ length: B * T }, () => Math.floor(rng() * V));
    return [tf.tensor2d(x, [B, T], "int32"), tf.tensor2d(y, [B, T], "int32")];
  };
}

function tfContender(name: string, shape: BenchShape, naive: boolean): Contender {
  const config = gptConfig("baby", {
    vocabSize: shape.vocab,
    nEmbd: shape.nEmbd,
    nLayer: shape.nLayer,
    nHead: shape.nHead,
    blockSize: shape.block,
  });
  const model = new GPT(config, { seed: 1337 });
  const opt = new AdamW(model.params, { weightDecay: 0.1 });
  const byVarName = new Map([...model.params].map(([k, v]) => [v.name, k]));
  const vars = [...model.params.values()];
  const next = batches(shape, 42);
  const loss = naive
    ? (x: tf.Tensor2D, y: tf.Tensor2D) => naiveLoss(model, x, y)
    : (x: tf.Tensor2D, y: tf.Tensor2D) => model.loss(x, y, { training: true });
  // The naive run sees the stock tfjs kernels (only the missing gather gradient is added).
  const switches = naive
    ? { transposedMatMul: false, identitySharing: false, loopKernels: false }
    : {};
  const step = async (x: tf.Tensor2D, y: tf.Tensor2D) => {
    const t0 = performance.now();
    const value = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(x, y), vars);
      const named: Record<string, tf.Tensor> = {};
      for (const [varName, g] of Object.entries(grads)) named[byVarName.get(varName)!] = g;
      opt.update(named, 1e-3);
      return value;
    });
    // Reading the loss waits for the step to finish (async: webgpu cannot read synchronously).
    const lossValue = (await value.data())[0];
    value.dispose();
    return { ms: performance.now() - t0, loss: lossValue };
  };
  return {
    name,
    run: (steps) =>
      withKernels(switches, async () => {
        const ms: number[] = [];
        let last = NaN;
        for (let s = 0; s < steps; s++) {
          const [x, y] = next();
          const r = await step(x, y);
          tf.dispose([x, y]);
          ms.push(r.ms);
          last = r.loss;
        }
        return { ms, loss: last };
      }),
    close: () => {
      opt.dispose?.();
      model.dispose();
      return Promise.resolve();
    },
  };
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Model and batch. */
  shape: BenchShape;
  /** tfjs backends to run lib (and naive) on, one block of rounds each. */
  backends: string[];
  /** Which contenders: any of "lib", "naive", "torch", "nanogpt". */
  contenders: string[];
  /** Rounds per backend block. */
  rounds: number;
  /** Timed steps per contender per round. */
  steps: number;
  /** Untimed steps per contender before the first round. */
  warmup: number;
  /** Python with PyTorch. */
  python: string;
  /** PyTorch thread counts to try. */
  torchThreads: number[];
  /** PyTorch devices: "cpu" (once per thread count), "cuda" (once). Default ["cpu"]. */
  torchDevices?: string[];
  /** A checkout of karpathy/nanoGPT, for the "nanogpt" contender (CPU, each thread count). */
  nanogpt?: string;
  /** Biases in nanoGPT's Linears and LayerNorms (train.py's default: none). */
  nanogptBias?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Runs the interleaved rounds and returns one row per contender and backend block.
 *
 * @example
 * ```ts
 * import { runBench } from "./gpt_train_bench.ts";
 * const shape = { nEmbd: 32, nLayer: 1, nHead: 2, block: 16, batch: 2, vocab: 65 };
 * const rows = await runBench({
 *   shape, backends: ["cpu"], contenders: ["lib"], rounds: 1, steps: 1, warmup: 0,
 *   python: "python3", torchThreads: [],
 * });
 * console.log(rows[0].ms.length); // 1
 * ```
 */
export async function runBench(opts: BenchOptions): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const torch: Contender[] = [];
  if (opts.contenders.includes("torch")) {
    for (const device of opts.torchDevices ?? ["cpu"]) {
      // On a GPU the thread count hardly matters: one contender.
      for (const threads of device === "cuda" ? [1] : opts.torchThreads) {
        const t = await TorchContender.start(opts.python, threads, opts.shape, device);
        if (typeof t === "string") {
          log(`PyTorch on ${device} skipped: ${t}`);
          break;
        }
        const i = t.info;
        torch.push({
          name: device === "cuda"
            ? "torch cuda"
            : `torch ${threads} thread${threads > 1 ? "s" : ""}`,
          note: device === "cuda"
            ? `PyTorch ${i.torch} on ${i.gpu}`
            : `PyTorch ${i.torch}, ${i.threads} thread(s), BLAS ${i.blas}` +
              (i.onednn ? `, oneDNN ${i.onednn}` : "") + `, kernels ${i.cpu_capability}` +
              (i.OPENBLAS_CORETYPE ? `, OPENBLAS_CORETYPE=${i.OPENBLAS_CORETYPE}` : ""),
          run: (n) => t.run(n),
          close: () => t.close(),
        });
      }
    }
  }
  const nanogpt: Contender[] = [];
  if (opts.contenders.includes("nanogpt")) {
    const dir = checkNanoGptDir(opts.nanogpt);
    for (const threads of opts.torchThreads) {
      const t = await TorchContender.start(opts.python, threads, opts.shape, "cpu", {
        nanogpt: dir,
        bias: opts.nanogptBias,
      });
      if (typeof t === "string") {
        log(`nanoGPT skipped: ${t}`);
        break;
      }
      const i = t.info;
      nanogpt.push({
        name: `nanogpt ${threads} thread${threads > 1 ? "s" : ""}`,
        note: `karpathy/nanoGPT model.py + train.py's step (bias ${i.bias}, ${i.params} ` +
          `parameters, AdamW foreach=${i.adamw?.foreach} fused=${i.adamw?.fused}, grad clip ` +
          `1.0) on PyTorch ${i.torch}, ${i.threads} thread(s), BLAS ${i.blas}` +
          (i.onednn ? `, oneDNN ${i.onednn}` : "") + `, kernels ${i.cpu_capability}`,
        run: (n) => t.run(n),
        close: () => t.close(),
      });
    }
  }
  const python = [...torch, ...nanogpt];
  const rows: BenchRow[] = [];
  try {
    for (const backend of opts.backends) {
      await initBackend({ backend, report: false });
      const ours: Contender[] = [];
      if (opts.contenders.includes("lib")) {
        ours.push(tfContender(`lib ${backend}`, opts.shape, false));
      }
      // The naive baseline measures what lib's kernels buy on the JavaScript-side backends.
      if (opts.contenders.includes("naive") && (backend === "wasm" || backend === "cpu")) {
        ours.push(tfContender(`naive ${backend}`, opts.shape, true));
      }
      const all = [...ours, ...python];
      try {
        if (opts.warmup > 0) { for (const c of all) await c.run(opts.warmup); }
        const perRound = new Map(all.map((c) => [c.name, [] as number[][]]));
        const losses = new Map<string, number>();
        for (let r = 0; r < opts.rounds; r++) {
          for (const c of all) {
            const { ms, loss } = await c.run(opts.steps);
            perRound.get(c.name)!.push(ms);
            losses.set(c.name, loss);
          }
          log(
            `[${backend}] round ${r + 1}/${opts.rounds} (load ${loadAverage().split(" ")[0]}): ` +
              all.map((c) => `${c.name} ${median(perRound.get(c.name)!.at(-1)!).toFixed(0)} ms`)
                .join(", "),
          );
        }
        // Each round's ratio to the fastest thread count of a reference in that same round.
        const ratiosTo = (ref: Contender[], rounds: number[][]) =>
          ref.length === 0
            ? undefined
            : rounds.map((ms, r) =>
              median(ms) / Math.min(...ref.map((t) => median(perRound.get(t.name)![r])))
            );
        const span = (xs?: number[]): [number, number] | undefined =>
          xs && [Math.min(...xs), Math.max(...xs)];
        for (const c of all) {
          const rounds = perRound.get(c.name)!;
          const vsTorch = ratiosTo(torch, rounds);
          const vsNano = ratiosTo(nanogpt, rounds);
          rows.push({
            contender: c.name,
            block: backend,
            ms: rounds.flat(),
            vsTorch: vsTorch && median(vsTorch),
            vsTorchRange: span(vsTorch),
            vsNanoGptRounds: vsNano,
            vsNanoGpt: vsNano && median(vsNano),
            vsNanoGptRange: span(vsNano),
            roundMedians: rounds.map(median),
            lastLoss: losses.get(c.name)!,
            note: c.note,
          });
        }
      } finally {
        for (const c of ours) await c.close();
      }
    }
  } finally {
    for (const t of python) await t.close();
  }
  return rows;
}

/**
 * A markdown table of `rows`: median and range of ms/step, tokens/s, ratio to PyTorch.
 *
 * @example
 * ```ts
 * import { table } from "./gpt_train_bench.ts";
 * console.log(table([{ contender: "lib wasm", block: "wasm", ms: [10, 12], roundMedians: [11], lastLoss: 4.2 }], 768));
 * ```
 */
export function table(rows: BenchRow[], tokensPerStep: number): string {
  const nano = rows.some((r) => r.vsNanoGpt !== undefined);
  const lines = [
    "| rounds with | contender | ms/step (median) | range | tokens/s | vs best PyTorch (per round) " +
    (nano ? "| vs best nanoGPT (per round) " : "") + "| last loss |",
    "|---|---|---:|---:|---:|---:|" + (nano ? "---:|" : "") + "---:|",
  ];
  const ratio = (x?: number, range?: [number, number]) =>
    x === undefined ? "–" : `${x.toFixed(2)}x (${range!.map((v) => v.toFixed(2)).join("–")})`;
  for (const r of rows) {
    const m = median(r.ms);
    lines.push(
      `| ${r.block} | ${r.contender} | ${m.toFixed(0)} | ${Math.min(...r.ms).toFixed(0)}–` +
        `${Math.max(...r.ms).toFixed(0)} | ${(tokensPerStep / (m / 1000)).toFixed(0)} | ` +
        `${ratio(r.vsTorch, r.vsTorchRange)} | ` +
        (nano ? `${ratio(r.vsNanoGpt, r.vsNanoGptRange)} | ` : "") +
        `${r.lastLoss.toFixed(4)} |`,
    );
  }
  return lines.join("\n");
}

function positiveInts(name: string, text: string, min = 1): number[] {
  const values = text.split(",").filter((s) => s.trim()).map(Number);
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`--${name} must be integer(s) >= ${min}, got "${text}".`);
    }
  }
  return values;
}

/** Every flag of `deno task bench:gpt`, named after the {@link BenchShape} field it sets. */
const FLAGS = {
  nEmbd: { kind: "int", description: "model width C", default: 128 },
  nLayer: { kind: "int", description: "transformer blocks", default: 4 },
  nHead: { kind: "int", description: "attention heads (must divide --n-embd)", default: 4 },
  block: { kind: "int", description: "context length T", default: 64 },
  batch: { kind: "int", description: "rows per batch B", default: 12 },
  vocab: { kind: "int", description: "vocabulary size V", default: 65 },
  rounds: { kind: "int", description: "interleaved rounds", default: 7 },
  steps: { kind: "int", description: "timed steps per contender per round", default: 5 },
  warmup: { kind: "int", description: "untimed steps before the rounds", default: 2 },
  backends: {
    kind: "string",
    description: "comma-separated tfjs backends for lib (auto: the native ones set up, then wasm)",
    default: "auto",
  },
  contenders: {
    kind: "string",
    description: "any of lib, naive, torch, nanogpt (nanogpt needs --nanogpt)",
    default: "lib,naive,torch",
  },
  nanogpt: {
    kind: "string",
    description: "a checkout of karpathy/nanoGPT for the nanogpt contender " +
      "(git clone https://github.com/karpathy/nanoGPT)",
  },
  nanogptBias: {
    kind: "bool",
    description: "nanoGPT with biases in Linears/LayerNorms (train.py's default: none)",
    default: false,
  },
  python: {
    kind: "string",
    description: "python with torch (default: $LLM_TORCH_PYTHON, else .venv's, else python3)",
  },
  torchThreads: { kind: "string", description: "PyTorch thread counts", default: "1,2" },
  torchDevice: {
    kind: "string",
    description: "PyTorch devices: cpu, cuda or both",
    default: "cpu",
  },
  json: { kind: "string", description: "also write the rows to this JSON file" },
} as const satisfies FlagSpecs;

/**
 * `deno task bench:gpt`'s flags as {@link BenchOptions}, checked before any work: shapes, the
 * contender names, the PyTorch devices, and `--nanogpt` (given exactly when the `nanogpt`
 * contender is asked for, and a checkout of karpathy/nanoGPT). `undefined` for `--help`.
 * `--backends auto` probes the native backends set up here.
 *
 * @example
 * ```ts
 * import { benchOptions } from "./gpt_train_bench.ts";
 * const opts = await benchOptions(["--backends", "cpu", "--contenders", "lib", "--rounds", "3"]);
 * console.log(opts?.rounds, opts?.contenders); // 3 [ "lib" ]
 * ```
 */
export async function benchOptions(args: string[]): Promise<BenchOptions | undefined> {
  const values = parseFlags(args, FLAGS);
  if (values.help) return undefined;
  const atLeast = (name: string, v: number, min = 1) => {
    if (v < min) throw new Error(`--${name} must be >= ${min}, got ${v}.`);
    return v;
  };
  const nEmbd = atLeast("n-embd", values.nEmbd);
  const nLayer = atLeast("n-layer", values.nLayer);
  const nHead = atLeast("n-head", values.nHead);
  const block = atLeast("block", values.block);
  const batch = atLeast("batch", values.batch);
  const vocab = atLeast("vocab", values.vocab, 2);
  if (nEmbd % nHead !== 0) {
    throw new Error(`--n-head (${nHead}) must divide --n-embd (${nEmbd}).`);
  }
  const contenders = values.contenders.split(",").map((s) => s.trim()).filter((s) => s);
  for (const c of contenders) {
    if (!["lib", "naive", "torch", "nanogpt"].includes(c)) {
      throw new Error(`--contenders: unknown "${c}"; choose from lib, naive, torch, nanogpt.`);
    }
  }
  if (values.nanogpt !== undefined && !contenders.includes("nanogpt")) {
    throw new Error(
      `--nanogpt ${values.nanogpt} is given but --contenders (${contenders.join(",")}) has no ` +
        `nanogpt; add it, e.g. --contenders ${[...contenders, "nanogpt"].join(",")}.`,
    );
  }
  // Checked here, before any model is built: a wrong directory fails at once.
  const nanogpt = contenders.includes("nanogpt") ? checkNanoGptDir(values.nanogpt) : undefined;
  const torchDevices = values.torchDevice.split(",").map((s) => s.trim()).filter((s) => s);
  for (const d of torchDevices) {
    if (!["cpu", "cuda"].includes(d)) {
      throw new Error(`--torch-device: unknown "${d}"; choose cpu, cuda or both ("cuda,cpu").`);
    }
  }
  // "auto": the native backends that are set up here, then wasm (cpu is 20x slower: ask for it).
  let backends = values.backends.split(",").map((s) => s.trim()).filter((s) => s);
  if (values.backends === "auto") {
    const found = (await probeBackends()).filter((p) => p.available).map((p) => p.name);
    backends = ["tensorflow-gpu", "tensorflow", "wasm"].filter((b) => found.includes(b as never));
  }
  return {
    shape: { nEmbd, nLayer, nHead, block, batch, vocab },
    backends,
    contenders,
    rounds: atLeast("rounds", values.rounds),
    steps: atLeast("steps", values.steps),
    warmup: atLeast("warmup", values.warmup, 0),
    python: values.python ?? defaultTorchPython(),
    torchThreads: positiveInts("torch-threads", values.torchThreads),
    torchDevices,
    nanogpt,
    nanogptBias: values.nanogptBias,
  };
}

if (import.meta.main) {
  const parsed = await benchOptions(Deno.args);
  if (!parsed) {
    console.log(flagUsage("Usage: deno task bench:gpt [flags]", FLAGS));
    Deno.exit(0);
  }
  const json = parseFlags(Deno.args, FLAGS).json;
  const opts: BenchOptions = { ...parsed, log: (line) => console.log(line) };
  const { shape } = opts;
  const { batch, block, nEmbd, nLayer, nHead, vocab } = shape;
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.*)$/m)?.[1];
  console.log(
    `GPT training step (B=${batch}, T=${block}, C=${nEmbd}, ${nLayer} layers, ${nHead} heads, ` +
      `V=${vocab}), AdamW; ${opts.rounds} interleaved rounds of ${opts.steps} steps after ` +
      `${opts.warmup} warm-up; CPU: ${cpu ?? "unknown"}, ${navigator.hardwareConcurrency} ` +
      `threads; load average before: ${loadAverage().split(" ")[0]}`,
  );
  const rows = await runBench(opts);
  console.log(`load average after: ${loadAverage().split(" ")[0]}`);
  for (const r of rows) if (r.note) console.log(`${r.contender}: ${r.note}`);
  console.log("\n" + table(rows, batch * block));
  for (const naive of rows.filter((r) => r.contender.startsWith("naive "))) {
    const lib = rows.find((r) => r.block === naive.block && r.contender.startsWith("lib "));
    if (!lib) continue;
    const ratios = naive.roundMedians.map((n, i) => n / lib.roundMedians[i]);
    console.log(
      `\n${lib.contender} is ${median(ratios).toFixed(2)}x faster than ${naive.contender} ` +
        `(median of per-round ratios, range ${Math.min(...ratios).toFixed(2)}–` +
        `${Math.max(...ratios).toFixed(2)})`,
    );
  }
  for (const r of rows.filter((r) => r.vsNanoGptRounds && !r.contender.startsWith("nanogpt"))) {
    console.log(
      `${r.contender} / best nanoGPT, per round: ` +
        r.vsNanoGptRounds!.map((x) => x.toFixed(2)).join(", "),
    );
  }
  if (json) {
    Deno.writeTextFileSync(
      json,
      JSON.stringify({ shape, cpu, date: new Date().toISOString(), rows }, null, 1),
    );
  }
}
