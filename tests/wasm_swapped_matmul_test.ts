import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { Rng } from "../lib/random.ts";

// A B^T with few rows in A runs as (B A^T)^T on wasm (see swappedProduct in wasm_kernels.ts);
// these shapes take that path, including a batch broadcast, and are checked against plain loops.
await initBackend({ backend: "wasm", report: false });

function reference(a: tf.Tensor, b: tf.Tensor): Float32Array {
  const [ba, M, K] = a.shape.length === 3 ? a.shape : [1, ...a.shape];
  const [bb, N] = b.shape.length === 3 ? b.shape : [1, ...b.shape];
  const A = a.dataSync(), B = b.dataSync();
  const batch = Math.max(ba, bb);
  const out = new Float32Array(batch * M * N);
  for (let t = 0; t < batch; t++) {
    const ao = (ba === 1 ? 0 : t) * M * K, bo = (bb === 1 ? 0 : t) * N * K;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ao + i * K + k] * B[bo + j * K + k];
        out[(t * M + i) * N + j] = s;
      }
    }
  }
  return out;
}

Deno.test("wasm: A B^T with few rows of A (the swapped product) equals plain loops", () => {
  const rng = new Rng(5);
  const rand = (shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((x, y) => x * y) }, () => rng.normal()),
      shape,
    );
  const cases: [number[], number[]][] = [
    [[1, 64], [300, 64]], // generation's LM head: one row against the embedding
    [[3, 32], [200, 32]],
    [[6, 1, 16], [6, 40, 16]], // cached attention scores: one query against the keys
    [[1, 2, 16], [4, 50, 16]], // batch broadcast
  ];
  const before = tf.memory().numTensors;
  for (const [sa, sb] of cases) {
    const a = rand(sa), b = rand(sb);
    const y = tf.matMul(a, b, false, true);
    const want = reference(a, b);
    assertEquals(y.size, want.length);
    const got = y.dataSync();
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    assertLess(err, 1e-4, `shapes ${sa} x ${sb}^T`);
    tf.dispose([a, b, y]);
  }
  assertEquals(tf.memory().numTensors, before);
});
