/**
 * Training-step benchmark: forward, backward and an AdamW update of a GPT, for each contender
 * in interleaved rounds (every round runs a few steps of each, so load from other processes hits
 * all of them alike), median and range per contender, and per-round ratios to PyTorch.
 *
 * Contenders: `lib` (lib/models/gpt/gpt.ts on each backend asked for), `naive` (bench/naive_gpt.ts
 * on stock tfjs kernels, on wasm and cpu: the baseline lib's kernels are measured against) and `torch`
 * (tools/torch/pt_reference_run.py, once per thread count, when PyTorch is installed).
 *
 *     deno task bench:gpt                                   # baby GPT: tensorflow (if set up), wasm, PyTorch
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
import { type BenchShape, TorchContender } from "./_torch_contender.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";

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
  /** Per-round medians, in round order (for ratios between any two contenders). */
  roundMedians: number[];
  /** Loss after the last step. */
  lastLoss: number;
  /** Extra description (PyTorch threads and BLAS). */
  note?: string;
}

/** Median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
  /** Which contenders: any of "lib", "naive", "torch". */
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
      const all = [...ours, ...torch];
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
            `[${backend}] round ${r + 1}/${opts.rounds}: ` +
              all.map((c) => `${c.name} ${median(perRound.get(c.name)!.at(-1)!).toFixed(0)} ms`)
                .join(", "),
          );
        }
        for (const c of all) {
          const rounds = perRound.get(c.name)!;
          let vsTorch: number | undefined;
          let vsTorchRange: [number, number] | undefined;
          if (torch.length > 0) {
            const ratios = rounds.map((ms, r) =>
              median(ms) / Math.min(...torch.map((t) => median(perRound.get(t.name)![r])))
            );
            vsTorch = median(ratios);
            vsTorchRange = [Math.min(...ratios), Math.max(...ratios)];
          }
          rows.push({
            contender: c.name,
            block: backend,
            ms: rounds.flat(),
            vsTorch,
            vsTorchRange,
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
    for (const t of torch) await t.close();
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
  const lines = [
    "| rounds with | contender | ms/step (median) | range | tokens/s | vs best PyTorch (per round) " +
    "| last loss |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const m = median(r.ms);
    lines.push(
      `| ${r.block} | ${r.contender} | ${m.toFixed(0)} | ${Math.min(...r.ms).toFixed(0)}–` +
        `${Math.max(...r.ms).toFixed(0)} | ${(tokensPerStep / (m / 1000)).toFixed(0)} | ` +
        `${
          r.vsTorch === undefined
            ? "–"
            : `${r.vsTorch.toFixed(2)}x (${r.vsTorchRange!.map((x) => x.toFixed(2)).join("–")})`
        } | ${r.lastLoss.toFixed(4)} |`,
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

function defaultPython(): string {
  const venv = new URL("../.venv/bin/python", import.meta.url).pathname;
  try {
    Deno.statSync(venv);
    return venv;
  } catch {
    return "python3";
  }
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
    description: "any of lib, naive, torch",
    default: "lib,naive,torch",
  },
  python: { kind: "string", description: "python with torch (default: .venv's, else python3)" },
  torchThreads: { kind: "string", description: "PyTorch thread counts", default: "1,2" },
  torchDevice: {
    kind: "string",
    description: "PyTorch devices: cpu, cuda or both",
    default: "cpu",
  },
  json: { kind: "string", description: "also write the rows to this JSON file" },
} as const satisfies FlagSpecs;

if (import.meta.main) {
  const values = parseFlags(Deno.args, FLAGS);
  if (values.help) {
    console.log(flagUsage("Usage: deno task bench:gpt [flags]", FLAGS));
    Deno.exit(0);
  }
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
    if (!["lib", "naive", "torch"].includes(c)) {
      throw new Error(`--contenders: unknown "${c}"; choose from lib, naive, torch.`);
    }
  }
  for (const d of values.torchDevice.split(",").map((s) => s.trim())) {
    if (!["cpu", "cuda"].includes(d)) {
      throw new Error(`--torch-device: unknown "${d}"; choose cpu, cuda or both ("cuda,cpu").`);
    }
  }
  const shape = { nEmbd, nLayer, nHead, block, batch, vocab };
  // "auto": the native backends that are set up here, then wasm (cpu is 20x slower: ask for it).
  let backendList = values.backends.split(",").map((s) => s.trim()).filter((s) => s);
  if (values.backends === "auto") {
    const found = (await probeBackends()).filter((p) => p.available).map((p) => p.name);
    backendList = ["tensorflow-gpu", "tensorflow", "wasm"].filter((b) =>
      found.includes(b as never)
    );
  }
  const opts: BenchOptions = {
    shape,
    backends: backendList,
    contenders,
    rounds: atLeast("rounds", values.rounds),
    steps: atLeast("steps", values.steps),
    warmup: atLeast("warmup", values.warmup, 0),
    python: values.python ?? defaultPython(),
    torchThreads: positiveInts("torch-threads", values.torchThreads),
    torchDevices: values.torchDevice.split(",").map((s) => s.trim()).filter((s) => s),
    log: (line) => console.log(line),
  };
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.*)$/m)?.[1];
  console.log(
    `GPT training step (B=${batch}, T=${block}, C=${nEmbd}, ${nLayer} layers, ${nHead} heads, ` +
      `V=${vocab}), AdamW; ${opts.rounds} interleaved rounds of ${opts.steps} steps after ` +
      `${opts.warmup} warm-up; CPU: ${cpu ?? "unknown"}, ${navigator.hardwareConcurrency} threads`,
  );
  const rows = await runBench(opts);
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
  if (values.json) {
    Deno.writeTextFileSync(
      values.json,
      JSON.stringify({ shape, cpu, date: new Date().toISOString(), rows }, null, 1),
    );
  }
}
