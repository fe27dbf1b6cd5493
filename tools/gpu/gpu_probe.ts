/**
 * For tools/gpu/gpu_check.sh: which backends lib/backend finds here, and for each available one
 * the GPT parity check (logits, loss and every gradient against the PyTorch fixture, 1e-4) and
 * a 1024x1024 matmul rate. Reads results asynchronously, as webgpu requires. Prints one markdown
 * table; exits 1 if a backend that runs fails parity.
 *
 *     deno run -A tools/gpu/gpu_probe.ts [--backends webgpu,tensorflow-gpu,wasm]
 *     deno run -A tools/gpu/gpu_probe.ts --list --backends webgpu,tensorflow-gpu   # "webgpu"
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initBackend, probeBackends } from "../../lib/backend/mod.ts";
import { GPT, type GPTConfig } from "../../lib/models/mod.ts";

interface Fixture {
  config: GPTConfig;
  weights: Record<string, { shape: number[]; data: number[] }>;
  idx: number[][];
  targets: number[][];
  logits: { data: number[] };
  loss: number;
  grads: Record<string, { data: number[] }>;
}

async function maxAbsDiff(t: tf.Tensor, ref: number[]): Promise<number> {
  const a = await t.data();
  if (a.length !== ref.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - ref[i]));
  return m;
}

async function parity(fixture: Fixture): Promise<number> {
  const model = new GPT(fixture.config, { seed: 0 });
  for (const [name, { shape, data }] of Object.entries(fixture.weights)) {
    tf.tidy(() => model.params.get(name)!.assign(tf.tensor(data, shape)));
  }
  const idx = tf.tensor2d(fixture.idx, undefined, "int32");
  const targets = tf.tensor2d(fixture.targets, undefined, "int32");
  const logits = model.forward(idx);
  let worst = await maxAbsDiff(logits, fixture.logits.data);
  const { value, grads } = tf.variableGrads(
    () => model.loss(idx, targets),
    [...model.params.values()],
  );
  worst = Math.max(worst, Math.abs((await value.data())[0] - fixture.loss));
  for (const [name, v] of model.params) {
    worst = Math.max(worst, await maxAbsDiff(grads[v.name], fixture.grads[name].data));
  }
  tf.dispose([idx, targets, logits, value, ...Object.values(grads)]);
  model.dispose();
  return worst;
}

async function matmulRate(): Promise<number> {
  const n = 1024;
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, a);
    await c.data();
    c.dispose();
    times.push(performance.now() - t0);
  }
  a.dispose();
  times.sort((x, y) => x - y);
  return (2 * n ** 3) / (times[1] * 1e6); // second best: the first includes compilation
}

const { values } = parseArgs({
  args: Deno.args,
  options: { backends: { type: "string" }, list: { type: "boolean" } },
});
// From the project root (gpu_check.sh runs there), so that the bundle in .gpu/ finds it too.
const fixture: Fixture = JSON.parse(Deno.readTextFileSync("tests/fixtures/gpt_parity.json"));
const probes = await probeBackends();
const wanted = values.backends?.split(",").map((s) => s.trim());
if (values.list) {
  // Only which of the wanted backends are available, comma-separated: for tools/gpu/gpu_check.sh.
  console.log(
    probes.filter((p) => p.available && (!wanted || wanted.includes(p.name)))
      .map((p) => p.name).join(","),
  );
  Deno.exit(0);
}
const rows = [
  "| backend | found | detail | parity max abs diff | 1024² matmul GFLOP/s |",
  "|---|---|---|---:|---:|",
];
let failed = false;
for (const p of probes) {
  if (wanted && !wanted.includes(p.name)) continue;
  let diff = "–", rate = "–";
  if (p.available && p.name !== "cpu") {
    try {
      await initBackend({ backend: p.name, report: false });
      const d = await parity(fixture);
      diff = `${d.toExponential(1)} ${d < 1e-4 ? "ok" : "FAIL"}`;
      failed ||= !(d < 1e-4);
      rate = (await matmulRate()).toFixed(1);
    } catch (e) {
      diff = `error: ${(e as Error).message.slice(0, 80)}`;
      failed = true;
    }
  }
  rows.push(`| ${p.name} | ${p.available ? "yes" : "no"} | ${p.detail} | ${diff} | ${rate} |`);
}
console.log(rows.join("\n"));
Deno.exit(failed ? 1 : 0);
