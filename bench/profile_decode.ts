/**
 * Where a decoding step of GPT-2 124M spends its time on the tensorflow backend: the TensorFlow
 * ops lib calls directly (MatMul, BiasAdd, lib's LayerNorm and GELU), per step, against the
 * step's wall time; then each weight matrix's one-row product on its own (12 distinct matrices
 * per shape, as a step reads them, so the caches do not hold them) with the bandwidth it
 * reaches, through TensorFlow's MatMul and (where lib's ops are loaded) lib's `LlmGemv`, which
 * the step itself uses (lib/ops/gemv.ts). A decoding step reads every weight once, so this says
 * how far from the memory's speed it runs.
 *
 *     deno run -A bench/profile_decode.ts [--steps 10]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { nativeOpsLoaded, recordOps, runOp } from "../lib/backend/native_ops.ts";
import { disposeKVCache, GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { parseFlags } from "../scripts/flags.ts";
import { loadAverage, median } from "./_round_stats.ts";

const f = parseFlags(Deno.args, {
  steps: { kind: "int", description: "decoding steps to record", default: 10 },
});
const backend = await initBackend({ backend: "tensorflow", report: false });
if (backend.name !== "tensorflow") throw new Error("profile_decode needs the tensorflow backend");
const load = loadAverage;
console.log(`decoding step of gpt2-124M after a 32-token prompt; load average ${load()}`);
const model = new GPT(gptConfig("gpt2"), { seed: 1 });
const prompt = tf.tensor2d(
  [Array.from({ length: 32 }, (_, i) => i * 997 % 50257)],
  [1, 32],
  "int32",
);
const next = tf.tensor2d([[5]], [1, 1], "int32");
const { logits, cache } = model.forwardWithCache(prompt, undefined, { lastOnly: true });
logits.dispose();
const step = () => {
  const o = model.forwardWithCache(next, cache, { lastOnly: true });
  o.logits.dataSync();
  o.logits.dispose();
  disposeKVCache(o.cache);
};
for (let i = 0; i < 3; i++) step();
const byOp = new Map<string, { calls: number; ms: number }>();
recordOps((name, ms) => {
  const e = byOp.get(name) ?? { calls: 0, ms: 0 };
  e.calls++;
  e.ms += ms;
  byOp.set(name, e);
});
const start = performance.now();
for (let i = 0; i < f.steps; i++) step();
const wall = (performance.now() - start) / f.steps;
recordOps(undefined);
for (const [name, { calls, ms }] of [...byOp].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  ${name}: ${calls / f.steps} calls, ${(ms / f.steps).toFixed(1)} ms per step`);
}
console.log(`  wall: ${wall.toFixed(1)} ms per step`);

const F32 = { name: "T", dtype: "float32" } as const;
const shapes: [string, number, number, number, boolean][] = [
  ["attn.c_attn", 768, 2304, 12, false],
  ["attn.c_proj", 768, 768, 12, false],
  ["mlp.c_fc", 768, 3072, 12, false],
  ["mlp.c_proj", 3072, 768, 12, false],
  ["LM head (wte, transposed)", 768, 50257, 1, true],
];
// TensorFlow's MatMul against lib's LlmGemv (lib/ops/gemv.ts), rounds interleaved
const contenders = nativeOpsLoaded() ? ["MatMul", "LlmGemv"] : ["MatMul"];
for (const [name, K, N, count, tb] of shapes) {
  const ws = Array.from({ length: count }, () => tf.randomNormal(tb ? [N, K] : [K, N]));
  const x = tf.randomNormal([1, K]);
  const none = tf.zeros([0]);
  const attrs = [F32, { name: "transpose_a", bool: false }, { name: "transpose_b", bool: tb }];
  const ms: Record<string, number[]> = { MatMul: [], LlmGemv: [] };
  for (let r = 0; r < 5; r++) {
    for (const op of contenders) {
      const t0 = performance.now();
      for (const w of ws) {
        const [y] = op === "MatMul"
          ? runOp("MatMul", [x, w], attrs, 1)
          : runOp("LlmGemv", [x, w, none], [{ name: "transpose_b", bool: tb }], 1);
        y.dataSync();
        y.dispose();
      }
      ms[op].push(performance.now() - t0);
    }
  }
  const bytes = count * K * N * 4;
  console.log(
    `  ${count} x (1, ${K}) x ${name} (${K}, ${N}): ` + contenders.map((op) => {
      const m = median(ms[op]);
      return `${op} ${m.toFixed(1)} ms, ${(bytes / 1e6 / m).toFixed(1)} GB/s`;
    }).join("; "),
  );
  tf.dispose([...ws, x, none]);
}
console.log(`load average at the end: ${load()}`);
disposeKVCache(cache);
tf.dispose([prompt, next]);
model.dispose();
