/**
 * `deno task bench:step-matmuls`: the matrix products of one GPT training step, each alone, on
 * the `tensorflow` backend (TensorFlow's `MatMul`, oneDNN) against PyTorch's `torch.mm` (MKL) at
 * 1 and 2 threads: is lib's step slower because of the products themselves, or around them?
 *
 *     deno task bench:step-matmuls                                 # baby: C128, B12 T64, V65
 *     deno task bench:step-matmuls --n-embd 384 --block 128 --rounds 7
 *
 * Per layer a step multiplies x·W for the attention's qkv (C → 3C), its output (C → C), the
 * MLP's two (C → 4C → C), and the LM head once (C → V); the backward adds dy·Wᵀ (the input's
 * gradient) and xᵀ·dy (the weight's), with M = B·T rows. Each product is timed alone, warm, best
 * of three runs of `--reps` calls; rounds alternate which side goes first. Printed per product:
 * GFLOP/s of each, median over rounds, and the per-round ratio of the step's summed product
 * time, TensorFlow / the faster PyTorch setting.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { defaultTorchPython, PythonServe } from "./_python_serve.ts";
import { flagUsage, parseFlags } from "../scripts/flags.ts";
import { loadAverage, median } from "./_round_stats.ts";

/** One product: output (m, n), inner size k, and how the step lays out its operands. */
export type Product = [m: number, k: number, n: number, kind: "nn" | "nt" | "tn"];

/**
 * The distinct products of one training step of a GPT of width `c` on `rows` = B·T rows with a
 * `vocab`-token head, each with how many times a step makes it (`layers` for the blocks').
 *
 * @example
 * ```ts
 * import { stepProducts } from "./step_matmuls.ts";
 * const ps = stepProducts(128, 768, 65, 4);
 * console.log(ps.length, ps[0]); // 15 { product: [768, 128, 384, "nn"], count: 4, name: "qkv x·W" }
 * ```
 */
export function stepProducts(
  c: number,
  rows: number,
  vocab: number,
  layers: number,
): { product: Product; count: number; name: string }[] {
  const weights: [string, number, number, number][] = [
    ["qkv", c, 3 * c, layers],
    ["attn out", c, c, layers],
    ["mlp up", c, 4 * c, layers],
    ["mlp down", 4 * c, c, layers],
    ["lm head", c, vocab, 1],
  ];
  return weights.flatMap(([name, k, n, count]) => [
    { product: [rows, k, n, "nn"] as Product, count, name: `${name} x·W` },
    { product: [rows, n, k, "nt"] as Product, count, name: `${name} dy·Wᵀ` },
    { product: [k, rows, n, "tn"] as Product, count, name: `${name} xᵀ·dy` },
  ]);
}

/** Milliseconds per call of TensorFlow's product, best of three runs of `reps` calls. */
function timeTf([m, k, n, kind]: Product, reps: number): number {
  const a = tf.randomNormal(kind === "tn" ? [k, m] : [m, k]);
  const b = tf.randomNormal(kind === "nt" ? [n, k] : [k, n]);
  const run = () => tf.matMul(a, b, kind === "tn", kind === "nt");
  run().dispose();
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run().dispose(); // tfjs-node runs each op to completion
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  tf.dispose([a, b]);
  return best;
}

if (import.meta.main) {
  const FLAGS = {
    nEmbd: { kind: "int", description: "model width C", default: 128 },
    nLayer: { kind: "int", description: "layers", default: 4 },
    block: { kind: "int", description: "sequence length T", default: 64 },
    batch: { kind: "int", description: "batch B", default: 12 },
    vocab: { kind: "int", description: "vocabulary V", default: 65 },
    rounds: { kind: "int", description: "interleaved rounds", default: 5 },
    reps: { kind: "int", description: "calls per timing", default: 30 },
    python: { kind: "string", description: "Python with torch (default: LLM_TORCH_PYTHON, .venv)" },
  } as const;
  const f = parseFlags(Deno.args, FLAGS);
  if (f.help) {
    console.log(flagUsage("Usage: deno task bench:step-matmuls [flags]", FLAGS));
    Deno.exit(0);
  }
  const info = await initBackend({ backend: "tensorflow", report: false });
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1];
  console.log(`${info.detail}\n${cpu}, ${navigator.hardwareConcurrency} threads`);
  const products = stepProducts(f.nEmbd, f.batch * f.block, f.vocab, f.nLayer);
  const python = f.python ?? defaultTorchPython();
  const script = new URL("../tools/torch/pt_matmuls.py", import.meta.url).pathname;
  const torch: { threads: number; serve: PythonServe<{ torch: string; blas: string }> }[] = [];
  for (const threads of [1, 2]) {
    const p = await PythonServe.start<{ torch: string; blas: string }>(
      python,
      [script, "--threads", String(threads)],
      { OMP_NUM_THREADS: String(threads) },
    );
    if (typeof p === "string") {
      console.log(`PyTorch left out: ${p}`);
      break;
    }
    torch.push({ threads, serve: p });
  }
  if (torch.length) {
    const t = torch[0].serve.info;
    console.log(`PyTorch ${t.torch} (${t.blas})`);
  }
  const request = JSON.stringify({ shapes: products.map((p) => p.product), reps: f.reps });
  const tfMs: number[][] = [], torchMs: number[][][] = torch.map(() => []);
  const loads: string[] = [];
  for (let r = 0; r < f.rounds; r++) {
    const sides = [
      () => tfMs.push(products.map((p) => timeTf(p.product, f.reps))),
      async () => {
        for (const [i, t] of torch.entries()) {
          torchMs[i].push((await t.serve.request<{ ms: number[] }>(request)).ms);
        }
      },
    ];
    if (r % 2) sides.reverse();
    for (const side of sides) await side();
    loads.push(loadAverage().split(" ")[0]);
  }
  for (const t of torch) await t.serve.close();
  const gflops = ([m, k, n]: Product, ms: number) => (2 * m * k * n / ms / 1e6).toFixed(0);
  const head = ["product (m, k, n)", "×/step", "TensorFlow GFLOP/s"];
  for (const t of torch) head.push(`torch ${t.threads} thread${t.threads > 1 ? "s" : ""}`);
  console.log(
    `\nC${f.nEmbd} L${f.nLayer} B${f.batch} T${f.block} V${f.vocab}, ${f.rounds} rounds ` +
      `(load ${loads.join(", ")}); GFLOP/s, median over rounds\n`,
  );
  console.log(`| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|`);
  products.forEach((p, j) => {
    const cells = [
      `${p.name} (${p.product.slice(0, 3).join(", ")})`,
      String(p.count),
      gflops(p.product, median(tfMs.map((r) => r[j]))),
      ...torchMs.map((rs) => gflops(p.product, median(rs.map((r) => r[j])))),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  });
  // The step's products summed (each shape times its count), per round.
  const stepSum = (ms: number[]) => ms.reduce((s, x, j) => s + x * products[j].count, 0);
  const tfStep = tfMs.map(stepSum);
  const fmt = (xs: number[]) =>
    `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
  console.log(`\nthe step's ${products.reduce((s, p) => s + p.count, 0)} products, ms summed:`);
  console.log(`  TensorFlow: ${fmt(tfStep)}`);
  const torchStep = torchMs.map((rs) => rs.map(stepSum));
  torch.forEach((t, i) => console.log(`  torch ${t.threads} thread(s): ${fmt(torchStep[i])}`));
  if (torch.length) {
    const ratios = tfStep.map((x, r) => x / Math.min(...torchStep.map((s) => s[r])));
    console.log(`  TensorFlow / best torch, per round: ${fmt(ratios)}x`);
  }
}
