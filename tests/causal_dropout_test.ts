import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend, withKernels } from "../lib/backend/mod.ts";
import { causalAttention, fusedCausalAttention } from "../lib/attention/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

for (const backend of ["cpu", "wasm"]) {
  for (const T of [9, 8]) {
    Deno.test(`fused attention with dropout equals tf.dropout's path on ${backend} (T=${T})`, async () => {
      await initBackend({ backend, report: false });
      const start = tf.memory().numTensors;
      const shape: [number, number, number] = [6, T, 4];
      const [q, k, v] = [1, 2, 3].map((s) =>
        tf.randomNormal(shape, 0, 1, "float32", s) as tf.Tensor3D
      );
      const dy = tf.randomNormal(shape, 0, 1, "float32", 9);
      const rate = 0.3, seed = 5;
      const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        fusedCausalAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, {
          dropout: rate,
          seed,
        });
      const stock = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        causalAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, rate, seed);
      const yf = fused(q, k, v), ys = stock(q, k, v);
      assertLess(maxDiff(yf, ys), 1e-5);
      // The mask really drops something: without dropout the output differs.
      const y0 = fusedCausalAttention(q, k, v);
      assert(maxDiff(yf, y0) > 1e-2, "dropout changed nothing");
      const gradsOf = (f: typeof fused) =>
        tf.grads((a, b, c) => tf.sum(tf.mul(f(a, b, c), dy)))([q, k, v]);
      const gf = gradsOf(fused), gs = gradsOf(stock);
      for (let i = 0; i < 3; i++) assertLess(maxDiff(gf[i], gs[i]), 1e-5, `gradient ${i}`);
      assertThrows(
        () => fusedCausalAttention(q, k, v, { dropout: 1 }),
        Error,
        "dropout must be in [0, 1)",
      );
      tf.dispose([q, k, v, dy, yf, ys, y0, ...gf, ...gs]);
      assertEquals(tf.memory().numTensors, start);
      await initBackend({ backend: "cpu", report: false });
    });
  }
}

Deno.test("a GPT with dropout trains through the fused path with the tensor path's loss and gradients", async () => {
  await initBackend({ backend: "wasm", report: false });
  const config = gptConfig("baby", { vocabSize: 65, blockSize: 16, nEmbd: 64, nLayer: 2 });
  const model = new GPT({ ...config, dropout: 0.2 }, { seed: 3 });
  const ids = Array.from({ length: 2 * 16 }, (_, i) => (i * 17 + 1) % 65);
  const x = tf.tensor2d(ids, [2, 16], "int32");
  const y = tf.tensor2d(ids.map((t) => (t + 1) % 65), [2, 16], "int32");
  const vars = [...model.params.values()];
  const run = (loopKernels: boolean) =>
    withKernels(
      { loopKernels },
      () => tf.variableGrads(() => model.loss(x, y, { training: true, seed: 11 }), vars),
    );
  const fused = run(true), tensors = run(false);
  assertLess(Math.abs(fused.value.dataSync()[0] - tensors.value.dataSync()[0]), 1e-5);
  for (const v of vars) {
    assertLess(maxDiff(fused.grads[v.name], tensors.grads[v.name]), 1e-5, v.name);
  }
  const eval0 = model.loss(x, y);
  assert(Math.abs(eval0.dataSync()[0] - fused.value.dataSync()[0]) > 1e-4, "dropout had no effect");
  tf.dispose([x, y, eval0, fused.value, tensors.value]);
  tf.dispose([...Object.values(fused.grads), ...Object.values(tensors.grads)]);
  model.dispose();
  await initBackend({ backend: "cpu", report: false });
});
