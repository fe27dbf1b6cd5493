import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertRejects, assertThrows } from "@std/assert";
import { initBackend, kernelSwitches, withKernels } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { naiveLoss } from "../bench/naive_gpt.ts";

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  }
  return worst;
}

const COMBOS = [[false, false], [false, true], [true, false], [true, true]] as const;

/** matMul (2-D and batched), fused matMul with bias and relu, and matMul's gradients. */
function products(ta: boolean, tb: boolean): Float32Array[] {
  return tf.tidy(() => {
    const out: tf.Tensor[] = [];
    const shapeA = (b: number[]) => ta ? [...b, 5, 7] : [...b, 7, 5];
    const shapeB = (b: number[]) => tb ? [...b, 6, 5] : [...b, 5, 6];
    for (const batch of [[], [3]]) {
      const a = tf.randomNormal(shapeA(batch), 0, 1, "float32", 11);
      const b = tf.randomNormal(shapeB(batch), 0, 1, "float32", 12);
      out.push(tf.matMul(a, b, ta, tb));
      const bias = tf.randomNormal([6], 0, 1, "float32", 13);
      out.push(tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: "relu" }));
      // Backpropagating through a matmul asks for transposed products of the saved operands.
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(
          tf.matMul(x, y, ta, tb),
          tf.range(0, 42 * (batch[0] ?? 1)).reshape(
            [...batch, 7, 6],
          ),
        ))
      )([a, b]);
      out.push(ga, gb);
    }
    return out.map((t) => t.dataSync() as Float32Array);
  });
}

Deno.test("wasm matmul rewrite gives cpu's values for all four transposes, Identity shared or not", async () => {
  await initBackend({ backend: "cpu", report: false });
  const reference = COMBOS.map(([ta, tb]) => products(ta, tb));
  await initBackend({ backend: "wasm", report: false });
  for (const transposedMatMul of [true, false]) {
    for (const identitySharing of [true, false]) {
      const before = tf.memory();
      COMBOS.forEach(([ta, tb], c) => {
        const got = withKernels({ transposedMatMul, identitySharing }, () => products(ta, tb));
        got.forEach((values, i) => {
          const diff = maxRelDiff(values, reference[c][i]);
          const where = `transpose (${ta}, ${tb}) output ${i}: ${diff}, ` +
            `rewrite ${transposedMatMul}, sharing ${identitySharing}`;
          assertLess(diff, 1e-5, where);
        });
      });
      assertEquals(tf.memory().numTensors, before.numTensors);
      assertEquals(tf.memory().numBytes, before.numBytes);
    }
  }
  await initBackend({ backend: "cpu", report: false });
});

Deno.test("a shared Identity keeps its values after the original is disposed, and frees memory", async () => {
  await initBackend({ backend: "wasm", report: false });
  for (const identitySharing of [true, false]) {
    const before = tf.memory();
    withKernels({ identitySharing }, () => {
      const x = tf.tensor1d([1, 2, 3]);
      const y = tf.clone(x);
      x.dispose();
      assertEquals(Array.from(y.dataSync()), [1, 2, 3]);
      y.dispose();
    });
    assertEquals(tf.memory().numTensors, before.numTensors);
    assertEquals(tf.memory().numBytes, before.numBytes);
  }
  await initBackend({ backend: "cpu", report: false });
});

Deno.test("withKernels restores the switches after a return, a throw and a rejection", async () => {
  const start = kernelSwitches();
  assertEquals(withKernels({ loopKernels: false }, () => kernelSwitches().loopKernels), false);
  assertEquals(kernelSwitches(), start);
  assertThrows(() =>
    withKernels({ transposedMatMul: false }, () => {
      throw new Error("boom");
    })
  );
  assertEquals(kernelSwitches(), start);
  await assertRejects(() =>
    withKernels({ identitySharing: false }, async () => {
      await Promise.resolve();
      assertEquals(kernelSwitches().identitySharing, false); // still set while pending
      throw new Error("boom");
    })
  );
  assertEquals(kernelSwitches(), start);
  const err = assertThrows(
    () => withKernels({ fast: true } as never, () => 0),
    Error,
    "unknown switch",
  );
  assert(err instanceof Error && err.message.includes("transposedMatMul"));
});

Deno.test("bench's naive GPT gives lib's loss and gradients from the same weights", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await initBackend({ backend, report: false });
    const config = gptConfig("baby", { vocabSize: 65, blockSize: 16, nEmbd: 64, nLayer: 2 });
    const model = new GPT(config, { seed: 7 });
    const ids = Array.from({ length: 2 * 16 }, (_, i) => (i * 31 + 5) % 65);
    const x = tf.tensor2d(ids, [2, 16], "int32");
    const y = tf.tensor2d(ids.map((v) => (v * 7 + 3) % 65), [2, 16], "int32");
    const vars = [...model.params.values()];
    const lib = tf.variableGrads(() => model.loss(x, y), vars);
    const naive = withKernels(
      { transposedMatMul: false, identitySharing: false, loopKernels: false },
      () => tf.variableGrads(() => naiveLoss(model, x, y), vars),
    );
    const loss = lib.value.dataSync()[0];
    assert(loss > 3 && loss < 5, `loss ${loss} is not near ln 65`);
    assertLess(Math.abs(naive.value.dataSync()[0] - loss), 1e-5, backend);
    for (const v of vars) {
      assertLess(
        maxRelDiff(naive.grads[v.name].dataSync(), lib.grads[v.name].dataSync()),
        1e-4,
        `${backend} ${v.name}`,
      );
    }
    tf.dispose([x, y, lib.value, naive.value, ...Object.values(lib.grads)]);
    tf.dispose(Object.values(naive.grads));
    model.dispose();
  }
  await initBackend({ backend: "cpu", report: false });
});
