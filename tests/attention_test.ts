import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import {
  causalAttention,
  causalBias,
  causalMask,
  causalSelfAttention,
  fusedCausalAttention,
  LearnedPositionalEncoding,
  mergeHeads,
  MultiHeadAttention,
  scaledDotProductAttention,
  sinusoidalPositionalEncoding,
  splitHeads,
} from "../lib/attention/mod.ts";

await initBackend({ report: false });

function close(actual: tf.Tensor, expected: number[], tol = 1e-5): void {
  const a = actual.dataSync();
  assertEquals(a.length, expected.length);
  for (let i = 0; i < a.length; i++) assertAlmostEquals(a[i], expected[i], tol);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

Deno.test("attention is the notes' dictionary lookup softmax(q·Kᵀ/√d)·V", () => {
  // Three one-hot keys with values 10, 20, 30; the query points at key 1.
  const keys = tf.eye(3);
  const values = tf.tensor2d([[10], [20], [30]]);
  const query = tf.tensor2d([[0, 6, 0]]);
  const { output, weights } = scaledDotProductAttention(query, keys, values);
  // scores (0, 6, 0)/√3 -> weights e^{6/√3} : 1 : 1
  const e = Math.exp(6 / Math.sqrt(3)), s = e + 2;
  close(weights, [1 / s, e / s, 1 / s]);
  close(output, [(10 + 20 * e + 30) / s], 1e-4);
  // A query that matches nothing averages all values equally.
  close(scaledDotProductAttention(tf.zeros([1, 3]), keys, values).output, [20]);
});

Deno.test("a 2-D case by hand, with a mask hiding one key", () => {
  const q = tf.tensor2d([[1, 0], [0, 2]]);
  const k = tf.tensor2d([[1, 0], [0, 1]]);
  const v = tf.tensor2d([[1, 2], [3, 4]]);
  const r = Math.SQRT1_2;
  // row 0 scores (1, 0)/√2; row 1 scores (0, 2)/√2
  const w0 = [Math.exp(r), 1].map((x) => x / (Math.exp(r) + 1));
  const w1 = [1, Math.exp(2 * r)].map((x) => x / (1 + Math.exp(2 * r)));
  const { output } = scaledDotProductAttention(q, k, v);
  close(output, [
    w0[0] * 1 + w0[1] * 3,
    w0[0] * 2 + w0[1] * 4,
    w1[0] * 1 + w1[1] * 3,
    w1[0] * 2 + w1[1] * 4,
  ]);
  // Causal: query 0 sees only key 0, so it returns value 0 exactly.
  const masked = scaledDotProductAttention(q, k, v, { mask: causalMask(2) });
  close(masked.weights, [1, 0, w1[0], w1[1]]);
  close(masked.output, [1, 2, w1[0] * 1 + w1[1] * 3, w1[0] * 2 + w1[1] * 4]);
});

Deno.test("causal masks and biases, with and without cached keys", () => {
  close(causalMask(3), [1, 0, 0, 1, 1, 0, 1, 1, 1]);
  // two new queries after two cached keys: they see keys 0..2 and 0..3
  close(causalMask(2, 4), [1, 1, 1, 0, 1, 1, 1, 1]);
  close(causalBias(2), [0, -1e9, 0, 0]);
  assertThrows(() => causalMask(3, 2), Error, "queries <= keys");
  const x = tf.randomNormal([2, 5, 4], 0, 1, "float32", 1);
  const { weights } = scaledDotProductAttention(x, x, x, {
    mask: causalMask(5),
  });
  const w = weights.arraySync() as number[][][];
  for (const b of w) {
    b.forEach((row, i) => {
      assertAlmostEquals(row.reduce((a, c) => a + c, 0), 1, 1e-5);
      for (let j = i + 1; j < 5; j++) assertEquals(row[j], 0);
    });
  }
});

Deno.test("multi-head attention batches heads and equals a loop over heads", () => {
  const mha = new MultiHeadAttention(8, 2, { seed: 4 });
  const x = tf.randomNormal([3, 5, 8], 0, 1, "float32", 2) as tf.Tensor3D;
  const mask = causalMask(5);
  const batched = mha.apply(x, x, { mask });
  const p = (n: string) => mha.params.get(n)!;
  const proj = (w: string, b: string) =>
    tf.add(
      tf.reshape(tf.matMul(tf.reshape(x, [15, 8]), p(w)), [3, 5, 8]),
      p(b),
    );
  const q = proj("wq", "bq"), k = proj("wk", "bk"), v = proj("wv", "bv");
  const heads = [0, 1].map((h) => {
    const sl = (t: tf.Tensor) => tf.slice(t, [0, 0, 4 * h], [3, 5, 4]);
    return scaledDotProductAttention(sl(q), sl(k), sl(v), { mask }).output;
  });
  const looped = tf.add(
    tf.reshape(tf.matMul(tf.reshape(tf.concat(heads, 2), [15, 8]), p("wo")), [
      3,
      5,
      8,
    ]),
    p("bo"),
  );
  assertLess(maxDiff(batched, looped), 1e-5);
  assertEquals(mergeHeads(splitHeads(x, 4)).shape, x.shape);
  assertEquals(maxDiff(mergeHeads(splitHeads(x, 4)), x), 0);
  // cross-attention: 5 queries over 7 memory positions
  assertEquals(mha.apply(x, tf.randomNormal([3, 7, 8]) as tf.Tensor3D).shape, [
    3,
    5,
    8,
  ]);
  assertThrows(() => new MultiHeadAttention(8, 3), Error, "must divide");
  assertThrows(
    () => mha.apply(x, tf.zeros([3, 5, 6]) as tf.Tensor3D),
    Error,
    "(B, T, 8)",
  );
  mha.dispose();
});

for (const T of [9, 8]) {
  Deno.test(`the fused causal kernel equals the tensor version, values and gradients (T=${T})`, () => {
    const shape: [number, number, number] = [6, T, 4];
    const [q, k, v] = [1, 2, 3].map((s) =>
      tf.randomNormal(shape, 0, 1, "float32", s) as tf.Tensor3D
    );
    const dy = tf.randomNormal(shape, 0, 1, "float32", 9);
    const reference = (a: tf.Tensor3D, b: tf.Tensor3D, c: tf.Tensor3D) => {
      const mask = causalMask(T);
      return scaledDotProductAttention(a, b, c, { mask }).output;
    };
    assertLess(
      maxDiff(fusedCausalAttention(q, k, v), reference(q, k, v)),
      1e-5,
    );
    const gradsOf = (f: typeof reference) =>
      tf.grads((a, b, c) =>
        tf.sum(
          tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D), dy),
        )
      )([
        q,
        k,
        v,
      ]);
    const gf = gradsOf(fusedCausalAttention), gr = gradsOf(reference);
    for (let i = 0; i < 3; i++) assertLess(maxDiff(gf[i], gr[i]), 1e-5);
    assertThrows(
      () => fusedCausalAttention(q, k, tf.zeros([6, T, 5]) as tf.Tensor3D),
      Error,
      "must match",
    );
  });
}

Deno.test("GPT self-attention with a key/value cache equals one full pass", () => {
  const C = 8, B = 2, T = 6, nh = 2;
  const w = {
    cAttnW: tf.randomNormal([C, 3 * C], 0, 0.5, "float32", 1),
    cAttnB: tf.randomNormal([3 * C], 0, 0.1, "float32", 2),
    cProjW: tf.randomNormal([C, C], 0, 0.5, "float32", 3),
    cProjB: tf.randomNormal([C], 0, 0.1, "float32", 4),
  };
  const x = tf.randomNormal([B, T, C], 0, 1, "float32", 5);
  const rows = (t0: number, n: number) =>
    tf.reshape(tf.slice(x, [0, t0, 0], [B, n, C]), [B * n, C]) as tf.Tensor2D;
  const full = tf.reshape(causalSelfAttention(rows(0, T), B, nh, w).y, [
    B,
    T,
    C,
  ]);
  const first = causalSelfAttention(rows(0, 4), B, nh, w, { cache: true });
  const second = causalSelfAttention(rows(4, 2), B, nh, w, {
    past: first.present,
    cache: true,
  });
  assertEquals(second.present!.k.shape, [nh * B, T, C / nh]);
  const joined = tf.concat([
    tf.reshape(first.y, [B, 4, C]),
    tf.reshape(second.y, [B, 2, C]),
  ], 1);
  assertLess(maxDiff(joined, full), 1e-5);
  // the tensor path (used with a cache) and the fused kernel agree on full sequences
  const q = tf.randomNormal([4, 6, 4], 0, 1, "float32", 7) as tf.Tensor3D;
  const viaMask = scaledDotProductAttention(q, q, q, { mask: causalMask(6) }).output;
  assertLess(maxDiff(causalAttention(q, q, q), viaMask), 1e-5);
  assertThrows(
    () => causalSelfAttention(rows(0, T), B, 3, w),
    Error,
    "must divide",
  );
});

Deno.test("sinusoidal positions follow sin/cos(p / 10000^(2i/d))", () => {
  const pe = sinusoidalPositionalEncoding(4, 6);
  const a = pe.arraySync();
  assertEquals(a[0], [0, 1, 0, 1, 0, 1]);
  for (let p = 0; p < 4; p++) {
    for (let i = 0; i < 3; i++) {
      const angle = p / Math.pow(10000, (2 * i) / 6);
      assertAlmostEquals(a[p][2 * i], Math.sin(angle), 1e-6);
      assertAlmostEquals(a[p][2 * i + 1], Math.cos(angle), 1e-6);
    }
  }
  // an offset continues the same table
  assertLess(
    maxDiff(
      sinusoidalPositionalEncoding(2, 6, 2),
      tf.slice(pe, [2, 0], [2, 6]),
    ),
    1e-6,
  );
  assertThrows(() => sinusoidalPositionalEncoding(4, 5), Error, "even width");
});

Deno.test("learned positions are rows of a seeded trainable table", () => {
  const pe = new LearnedPositionalEncoding(16, 8, { seed: 3 });
  const again = new LearnedPositionalEncoding(16, 8, { seed: 3 });
  assertEquals(maxDiff(pe.table, again.table), 0);
  assertEquals(pe.encode(5).shape, [5, 8]);
  assertEquals(maxDiff(pe.encode(3, 4), tf.slice(pe.table, [4, 0], [3, 8])), 0);
  const std = tf.moments(pe.table).variance.sqrt().dataSync()[0];
  assertLess(Math.abs(std - 0.02), 0.006);
  assertThrows(() => pe.encode(10, 8), Error, "exceed the table of 16");
  // the table learns: a gradient step moves it
  const g = tf.grads((t) => tf.sum(tf.slice(t, [0, 0], [2, 8])))([pe.table])[0];
  assertEquals(g.sum().dataSync()[0], 16);
  pe.dispose();
  again.dispose();
});

Deno.test("MultiHeadAttention: building and disposing one leaves no tensors behind", () => {
  const before = tf.memory().numTensors;
  const mha = new MultiHeadAttention(8, 2, { seed: 1 });
  assertEquals(tf.memory().numTensors - before, 8); // its 8 variables, nothing else
  mha.dispose();
  assertEquals(tf.memory().numTensors, before);
});
