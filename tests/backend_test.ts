import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { initBackend, probeBackends } from "../lib/backend/mod.ts";

/** A tiny embedding -> matmul -> softmax model: exercises gather's gradient and transposed matmuls. */
async function trainTiny(steps: number): Promise<number[]> {
  const V = 11, C = 8, N = 24;
  const ids = tf.tensor1d(
    Array.from({ length: N }, (_, i) => (i * 7) % V),
    "int32",
  );
  const targets = tf.tensor1d(
    Array.from({ length: N }, (_, i) => (i * 7 + 3) % V),
    "int32",
  );
  const emb = tf.variable(tf.randomNormal([V, C], 0, 0.5, "float32", 1));
  const w = tf.variable(tf.randomNormal([C, V], 0, 0.5, "float32", 2));
  const opt = tf.train.adam(0.05);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = opt.minimize(() => {
      const h = tf.gather(emb, ids);
      const logits = tf.matMul(tf.tanh(h), w);
      return tf.losses.softmaxCrossEntropy(
        tf.oneHot(targets, V),
        logits,
      ) as tf.Scalar;
    }, true)!;
    losses.push((await loss.data())[0]); // async: webgpu cannot read synchronously
    loss.dispose();
  }
  opt.dispose();
  tf.dispose([ids, targets, emb, w]);
  return losses;
}

Deno.test("every available backend trains the same tiny model to the same losses", async () => {
  const probes = await probeBackends();
  const names = probes.filter((p) => p.available).map((p) => p.name);
  const results: Record<string, number[]> = {};
  for (const name of names) {
    await initBackend({ backend: name, report: false });
    results[name] = await trainTiny(8);
  }
  const ref = results.cpu;
  // Losses fall, so the gradients (gather's included) are real.
  assertEquals(ref[7] < ref[0] - 0.5, true, `cpu losses did not fall: ${ref}`);
  for (const [name, losses] of Object.entries(results)) {
    // float32 reductions are ordered differently per backend; 8 Adam steps stay within 1e-4.
    for (let i = 0; i < ref.length; i++) {
      assertAlmostEquals(losses[i], ref[i], 1e-4, `${name} step ${i}`);
    }
  }
  await initBackend({ backend: "cpu", report: false });
});

Deno.test("unknown and unavailable backends are clear errors", async () => {
  await assertRejects(
    () => initBackend({ backend: "tpu", report: false }),
    Error,
    'Unknown backend "tpu"',
  );
  await assertRejects(
    () => initBackend({ backend: "tensorflow-gpu", report: false }),
    Error,
    "not available here",
  );
});
