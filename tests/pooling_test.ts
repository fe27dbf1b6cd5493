import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { cosineSimilarity, meanPool } from "../lib/models/classic/pooling.ts";

await initBackend({ report: false });

Deno.test("meanPool averages only unmasked positions, as written out by hand", () => {
  const before = tf.memory().numTensors;
  const h = tf.tensor3d([[[1, 2], [3, 4], [9, 9]], [[5, 5], [7, 7], [0, 0]]]);
  const mask = tf.tensor2d([[1, 1, 0], [1, 0, 0]]);
  const pooled = meanPool(h, mask);
  assertEquals(pooled.arraySync(), [[2, 3], [5, 5]]);
  const plain = meanPool(h);
  const want = [13 / 3, 5, 4, 4];
  Array.from(plain.dataSync()).forEach((x, i) => assertAlmostEquals(x, want[i], 1e-5));
  const none = tf.zeros([2, 3]) as tf.Tensor2D;
  const empty = meanPool(h, none);
  assertEquals(empty.arraySync(), [[0, 0], [0, 0]]); // no division by zero
  const wrong = tf.ones([2, 2]) as tf.Tensor2D;
  assertThrows(() => meanPool(h, wrong), Error, "must be (B, T)");
  assertThrows(() => meanPool(wrong as unknown as tf.Tensor3D), Error, "(B, T, C)");
  tf.dispose([h, mask, pooled, plain, none, empty, wrong]);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("cosineSimilarity: unit rows, any scale", () => {
  const s = cosineSimilarity(tf.tensor2d([[1, 0], [1, 1]]), tf.tensor2d([[3, 0], [0, 2]]));
  const v = s.arraySync();
  assertAlmostEquals(v[0][0], 1, 1e-6);
  assertAlmostEquals(v[0][1], 0, 1e-6);
  assertAlmostEquals(v[1][0], Math.SQRT1_2, 1e-6);
  assertThrows(
    () => cosineSimilarity(tf.ones([1, 2]) as tf.Tensor2D, tf.ones([1, 3]) as tf.Tensor2D),
    Error,
    "same C",
  );
});
