import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { initBackend, withKernels } from "../lib/backend/mod.ts";
import { AdamW } from "../lib/train/mod.ts";

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function makeParams(): Map<string, tf.Variable> {
  return new Map([
    ["w", tf.variable(tf.randomNormal([7, 5], 0, 1, "float32", 1))],
    ["b", tf.variable(tf.randomNormal([5], 0, 1, "float32", 2))],
    ["e", tf.variable(tf.randomNormal([3, 4, 2], 0, 1, "float32", 3))],
  ]);
}

for (const backend of ["cpu", "wasm"]) {
  Deno.test(`AdamW's loop update equals its tensor-op update on ${backend}`, async () => {
    await initBackend({ backend, report: false });
    const loopParams = makeParams(), opParams = makeParams();
    const loopOpt = new AdamW(loopParams, { weightDecay: 0.1 });
    const opOpt = new AdamW(opParams, { weightDecay: 0.1 });
    // Counted after construction: what building and disposing leaves is issue 15's concern.
    const start = tf.memory();
    for (let step = 0; step < 5; step++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const [name, p] of loopParams) {
        grads[name] = tf.randomNormal(p.shape, 0, 0.1 * (step + 1), "float32", 10 + step);
      }
      withKernels({ loopKernels: true }, () => loopOpt.update(grads, 3e-3));
      withKernels({ loopKernels: false }, () => opOpt.update(grads, 3e-3));
      tf.dispose(Object.values(grads));
    }
    assertEquals(loopOpt.step, 5);
    for (const [name, p] of loopParams) {
      // Moving by about 5 * lr, so a difference of 1e-6 is 0.01% of the update.
      assertLess(maxDiff(p, opParams.get(name)!), 1e-6, name);
    }
    const a = loopOpt.moments(), b = opOpt.moments();
    for (const [name, m] of a) assertLess(maxDiff(m, b.get(name)!), 1e-6, name);
    // Five steps replaced weights and moments without leaving the old ones behind.
    assertEquals(tf.memory().numTensors, start.numTensors);
    assertEquals(tf.memory().numBytes, start.numBytes);
    loopOpt.dispose();
    opOpt.dispose();
    tf.dispose([...loopParams.values(), ...opParams.values()]);
    await initBackend({ backend: "cpu", report: false });
  });
}
