// lib's fused TensorFlow ops (lib/ops/*.cc, one file per op) and the TensorFlow ops lib calls
// directly on the `tensorflow` backend: each must give what the tensor-op version gives, values
// and gradients. Skipped where `deno task setup` has not built them. LLM_BACKEND=tensorflow-gpu
// runs them on the GPU package (`deno task setup:tfjs-node --gpu`), built beside its library.
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend, probeBackends, withKernels } from "../lib/backend/mod.ts";
import { nativeOpsActive, runOp } from "../lib/backend/native_ops.ts";
import { TENSORFLOW_BUILDS } from "../lib/backend/build_status.ts";
import { addLayerNorm, crossEntropy, gelu, layerNorm, linear } from "../lib/models/gpt/layers.ts";
import { causalSelfAttention } from "../lib/attention/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { AdamW } from "../lib/train/mod.ts";
import { embeddingLookup } from "../lib/ops/embedding.ts";
import { residualAdd } from "../lib/ops/residual_add.ts";
import { rowProduct, rowProductRuns } from "../lib/ops/gemv.ts";
import { cachedAttention } from "../lib/ops/cached_attention.ts";
import { matMul2d } from "../lib/ops/linear.ts";
import { lstmSequence } from "../lib/ops/lstm_sequence.ts";

const TF = Deno.env.get("LLM_BACKEND") === "tensorflow-gpu" ? "tensorflow-gpu" : "tensorflow";
const tensorflow = (await probeBackends()).find((p) => p.name === TF)!.available;
let built = false;
try {
  built = Deno.statSync(`${TENSORFLOW_BUILDS[TF].libDir}/libllm_ops.so`).isFile;
} catch {
  // not built: the tests below are skipped
}
const ignore = !tensorflow || !built;

/** Seeded normal-ish values made in JavaScript, independent of any backend's generator. */
function seeded(shape: number[], seed: number, mean = 0, std = 1): tf.Tensor {
  let state = seed * 2654435761 >>> 0;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const n = shape.reduce((a, b) => a * b, 1);
  // sum of three uniforms: mean 0, unit variance after scaling
  const data = Float32Array.from(
    { length: n },
    () => mean + std * 2 * (next() + next() + next() - 1.5),
  );
  return tf.tensor(data, shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  assertEquals(a.shape, b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Value and gradients (w.r.t. every input, for a fixed random cotangent) of `f`. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], native: boolean) {
  return withKernels({ nativeKernels: native }, () =>
    tf.tidy(() => {
      const y = f(...xs);
      const dy = seeded(y.shape, 7, 0, 1);
      const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), dy)))(xs);
      return [y, ...grads];
    }));
}

function assertSameAsTensorOps(
  what: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
  tol = 2e-5,
) {
  const fast = valueAndGrads(f, xs, true);
  const slow = valueAndGrads(f, xs, false);
  fast.forEach((t, i) => assertLess(maxAbsDiff(t, slow[i]), tol, `${what}: output ${i}`));
  tf.dispose([...fast, ...slow]);
}

async function onTensorflow(fn: () => void | Promise<void>) {
  const info = await initBackend({ backend: TF, report: false });
  try {
    assert(nativeOpsActive(), `lib's ops should be active: ${info.detail}`);
    await fn();
  } finally {
    await initBackend({ backend: "cpu", report: false });
  }
}

Deno.test({
  name:
    "native ops: LayerNorm (alone and after a residual add), GELU, cross-entropy and linear equal their tensor-op versions",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const before = tf.memory().numTensors;
      const x = seeded([37, 48], 1, 0, 2);
      const w = seeded([48], 2, 1, 0.1);
      const b = seeded([48], 3, 0, 0.1);
      const ln = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => layerNorm(a as tf.Tensor2D, c, d);
      assertSameAsTensorOps("layerNorm", ln, [x, w, b]);
      assertSameAsTensorOps("layerNorm without bias", (a, c) => layerNorm(a as tf.Tensor2D, c), [
        x,
        w,
      ]);
      const d = seeded([37, 48], 6, 0.5, 1);
      // both outputs (the residual sum and its LayerNorm) reach the loss
      const addLn = (a: tf.Tensor, e: tf.Tensor, c: tf.Tensor, f: tf.Tensor) => {
        const { s, y } = addLayerNorm(a as tf.Tensor2D, e as tf.Tensor2D, c, f);
        return tf.add(tf.mul(s, 0.5), y);
      };
      assertSameAsTensorOps("addLayerNorm", addLn, [x, d, w, b]);
      assertSameAsTensorOps("addLayerNorm without bias", (a, e, c) => {
        const { s, y } = addLayerNorm(a as tf.Tensor2D, e as tf.Tensor2D, c);
        return tf.add(tf.mul(s, 0.5), y);
      }, [x, d, w]);
      const wide = tf.mul(x, 2); // GELU's curved part and both tails
      assertSameAsTensorOps("gelu", (a) => gelu(a), [wide]);
      const W = seeded([48, 20], 4, 0, 0.2);
      const bias = seeded([20], 5, 0, 0.2);
      assertSameAsTensorOps("linear", (a, c, d) => linear(a as tf.Tensor2D, c, d), [x, W, bias]);
      const targets = tf.tensor1d(Array.from({ length: 37 }, (_, i) => (i * 7) % 48), "int32");
      assertSameAsTensorOps("crossEntropy", (a) => crossEntropy(a as tf.Tensor2D, targets), [x]);
      // repeated ids: their gradients add up in the table's row
      const table = seeded([11, 48], 8);
      const ids = tf.tensor1d(Array.from({ length: 37 }, (_, i) => (i * 5) % 11), "int32");
      assertSameAsTensorOps("embeddingLookup", (t) => embeddingLookup(t as tf.Tensor2D, ids), [
        table,
      ]);
      assertSameAsTensorOps("residualAdd", (a, e) => residualAdd(a, e), [x, d]);
      tf.dispose([x, d, w, b, wide, W, bias, targets, table, ids]);
      assertEquals(tf.memory().numTensors, before);
    }),
});

Deno.test({
  name:
    "native ops: LlmGemv (few rows times a weight, plain or transposed, with or without bias) equals TensorFlow's MatMul",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const before = tf.memory().numTensors;
      const F32 = { name: "T", dtype: "float32" } as const;
      // odd sizes (no multiple of a vector or of a thread's share), GPT-2's shapes, M up to 4
      const shapes = [[1, 7, 13], [2, 5, 1], [3, 769, 1001], [4, 33, 70], [1, 3072, 768], [
        1,
        768,
        2304,
      ], [1, 17, 5003]];
      let seed = 10;
      for (const [M, K, N] of shapes) {
        for (const transposeB of [false, true]) {
          for (const withBias of [false, true]) {
            tf.tidy(() => {
              const x = seeded([M, K], seed++) as tf.Tensor2D;
              const w = seeded(transposeB ? [N, K] : [K, N], seed++, 0, 0.5) as tf.Tensor2D;
              const bias = withBias ? seeded([N], seed++) : undefined;
              const attrs = [F32, { name: "transpose_a", bool: false }, {
                name: "transpose_b",
                bool: transposeB,
              }];
              let want = runOp("MatMul", [x, w], attrs, 1)[0];
              if (bias) want = runOp("BiasAdd", [want, bias], [F32], 1)[0];
              const got = rowProduct(x, w, transposeB, bias);
              // float sums in another order: relative to the sums' size, sqrt(K) * 0.5
              const tol = 1e-5 * Math.sqrt(K) * 4;
              const what = `[${M}, ${K}] x [${w.shape}]${transposeB ? "ᵀ" : ""}${
                withBias ? " + bias" : ""
              }`;
              assertLess(maxAbsDiff(got, want), tol, what);
            });
          }
        }
      }
      // a bias of the wrong length is a clear error, not a read past its end
      assertThrows(
        () => tf.tidy(() => rowProduct(tf.ones([1, 3]), tf.ones([3, 4]), false, tf.ones([5]))),
        Error,
        "bias",
      );
      assertEquals(tf.memory().numTensors, before);
    }),
});

Deno.test({
  name:
    "native ops: linear and matMul2d take LlmGemv for up to 4 rows with no tape, and tfjs's gradient path under one",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const before = tf.memory().numTensors;
      assert(rowProductRuns(1) && rowProductRuns(4));
      assert(!rowProductRuns(5), "5 rows: TensorFlow's MatMul");
      const x = seeded([1, 48], 1);
      const W = seeded([48, 20], 2, 0, 0.2);
      const bias = seeded([20], 3, 0, 0.2);
      const wte = seeded([30, 48], 4, 0, 0.2);
      // the same values as TensorFlow's MatMul (lib's other versions off)
      const slow = withKernels({ nativeKernels: false }, () => [
        linear(x as tf.Tensor2D, W, bias),
        matMul2d(x as tf.Tensor2D, wte as tf.Tensor2D, true),
      ]);
      const fast = [
        linear(x as tf.Tensor2D, W, bias),
        matMul2d(x as tf.Tensor2D, wte as tf.Tensor2D, true),
      ];
      fast.forEach((t, i) => assertLess(maxAbsDiff(t, slow[i]), 2e-5, `output ${i}`));
      // under a gradient tape the op (which has no gradient) is not used, and gradients flow
      let seenUnderTape: boolean | undefined;
      const g = tf.grad((w: tf.Tensor) => {
        seenUnderTape = rowProductRuns(1);
        return tf.sum(linear(x as tf.Tensor2D, w, bias));
      })(W);
      assertEquals(seenUnderTape, false);
      const want = tf.tidy(() => tf.tile(tf.reshape(x, [48, 1]), [1, 20]));
      assertLess(maxAbsDiff(g, want), 1e-6);
      assertSameAsTensorOps("linear, one row", (a, c, d) => linear(a as tf.Tensor2D, c, d), [
        x,
        W,
        bias,
      ]);
      tf.dispose([x, W, bias, wte, ...slow, ...fast, g, want]);
      assertEquals(tf.memory().numTensors, before);
    }),
});

Deno.test({
  name:
    "native ops: LlmCachedAttention (new tokens over a key/value cache) equals the tensor ops, and a cached GPT equals the full pass",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const before = tf.memory().numTensors;
      // B 1 and 3, 1 to 3 heads, an empty cache, one new token (a decoding step), several
      // new tokens (their causal mask among themselves)
      const cases = [[1, 4, 8, 5, 1], [3, 2, 6, 0, 4], [2, 3, 9, 7, 3], [1, 1, 4, 1, 1]];
      for (const [B, H, D, Tp, Tn] of cases) {
        const seed = B * 100 + Tp * 10 + Tn;
        const qkv = seeded([B * Tn, 3 * H * D], seed) as tf.Tensor2D;
        const pk = seeded([H * B, Tp, D], seed + 1) as tf.Tensor3D;
        const pv = seeded([H * B, Tp, D], seed + 2) as tf.Tensor3D;
        const fast = cachedAttention(qkv, pk, pv, B, H);
        const slow = withKernels(
          { nativeKernels: false },
          () => cachedAttention(qkv, pk, pv, B, H),
        );
        for (const key of ["y", "k", "v"] as const) {
          assertLess(maxAbsDiff(fast[key], slow[key]), 1e-5, `B${B} H${H} Tp${Tp} Tn${Tn} ${key}`);
        }
        tf.dispose([qkv, pk, pv, ...Object.values(fast), ...Object.values(slow)]);
      }
      // under a gradient tape the op (which has no gradient) is not used, and gradients flow
      const pk = seeded([2, 3, 4], 5) as tf.Tensor3D;
      const q0 = seeded([1, 24], 6);
      const g = tf.grad((q: tf.Tensor) =>
        tf.sum(cachedAttention(q as tf.Tensor2D, pk, pk, 1, 2).y)
      )(
        q0,
      );
      assertEquals(g.shape, [1, 24]);
      tf.dispose([g, pk, q0]);
      // a cache from another batch is refused before any work
      tf.tidy(() => {
        const [q, k] = [tf.zeros([3, 24]) as tf.Tensor2D, tf.zeros([4, 2, 4]) as tf.Tensor3D];
        assertThrows(() => cachedAttention(q, k, k, 2, 2), Error, "the same model and batch");
      });
      // the attention layer checks the cache against its own batch (a batch-1 cache, 2 rows)
      tf.tidy(() => {
        const w = { cAttnW: tf.ones([8, 24]), cProjW: tf.ones([8, 8]) };
        const past = { k: tf.ones([2, 3, 4]) as tf.Tensor3D, v: tf.ones([2, 3, 4]) as tf.Tensor3D };
        assertThrows(
          () => causalSelfAttention(tf.ones([2, 8]) as tf.Tensor2D, 2, 2, w, { past }),
          Error,
          "the cache must come from the same model and batch",
        );
      });
      // A small GPT: a prompt, then three tokens one at a time through the cache, gives the
      // logits of one full pass over all of them.
      const model = new GPT(gptConfig("baby", { vocabSize: 50, blockSize: 16 }), { seed: 3 });
      const ids = [[4, 9, 2, 33, 7, 1, 20], [5, 5, 6, 49, 0, 3, 8]];
      const idsOf = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");
      const inputs = [idsOf(ids), idsOf(ids.map((r) => r.slice(0, 4)))];
      const full = model.forwardWithCache(inputs[0]);
      let step = model.forwardWithCache(inputs[1]);
      for (let t = 4; t < 7; t++) {
        inputs.push(idsOf(ids.map((r) => [r[t]])));
        const next = model.forwardWithCache(inputs[inputs.length - 1], step.cache);
        const want = tf.tidy(() => tf.slice(full.logits, [0, t, 0], [2, 1, 50]));
        assertLess(maxAbsDiff(next.logits, want), 1e-4, `position ${t}`);
        tf.dispose([want, step.logits, ...step.cache.layers.flatMap(({ k, v }) => [k, v])]);
        step = next;
      }
      tf.dispose([full.logits, step.logits, ...inputs]);
      tf.dispose([...full.cache.layers, ...step.cache.layers].flatMap(({ k, v }) => [k, v]));
      model.dispose();
      assertEquals(tf.memory().numTensors, before);
    }),
});

Deno.test({
  name:
    "native ops: LlmBiasAdd gives TensorFlow's BiasAdd bit for bit, and refuses a bias of the wrong width",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const before = tf.memory().numTensors;
      // 300 calls of other sizes back to back: the helper threads pick up task after task
      // (parts from 1 to 8 on 2 cores), some arriving after their task has ended
      const sizes = [[1, 1], [7, 13], [768, 512], [3, 2304]];
      for (let i = 0; i < 300; i++) sizes.push([1 + (i * 37) % 400, 1 + (i * 13) % 300]);
      for (const [N, C] of sizes) {
        tf.tidy(() => {
          const v = seeded([N, C], N + C), b = seeded([C], N * C);
          const want = runOp("BiasAdd", [v, b], [{ name: "T", dtype: "float32" }], 1)[0];
          const got = runOp("LlmBiasAdd", [v, b], [], 1)[0];
          assertEquals(maxAbsDiff(got, want), 0, `[${N}, ${C}]`);
        });
      }
      tf.tidy(() => {
        const [v, b] = [tf.ones([2, 3]), tf.ones([4])];
        assertThrows(() => runOp("LlmBiasAdd", [v, b], [], 1), Error, "LlmBiasAdd: bias [4]");
      });
      assertEquals(tf.memory().numTensors, before);
    }),
});

Deno.test({
  name: "native ops: causal self-attention from the qkv rows equals the tensor-op version",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const B = 3, T = 7, C = 24, H = 4;
      const x = seeded([B * T, C], 1);
      const cAttnW = seeded([C, 3 * C], 2, 0, 0.3);
      const cAttnB = seeded([3 * C], 3, 0, 0.1);
      const cProjW = seeded([C, C], 4, 0, 0.3);
      const attn = (a: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor) =>
        causalSelfAttention(a as tf.Tensor2D, B, H, { cAttnW: w1, cAttnB: b1, cProjW: w2 }).y;
      assertSameAsTensorOps("attention", attn, [x, cAttnW, cAttnB, cProjW]);
      tf.dispose([x, cAttnW, cAttnB, cProjW]);
    }),
});

Deno.test({
  name: "native ops: one AdamW kernel gives the per-parameter update, decay and frozen included",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const run = (native: boolean) =>
        withKernels({ nativeKernels: native }, () => {
          const model = new GPT(gptConfig("notes-small", { vocabSize: 11 }), { seed: 3 });
          let k = 0; // the same weights in both runs, whatever the initialiser's stream
          for (const p of model.params.values()) {
            tf.tidy(() => p.assign(seeded(p.shape, k++, 0, 0.1)));
          }
          const opt = new AdamW(model.params, {
            weightDecay: 0.1,
            freeze: ["transformer.wpe.weight"],
          });
          for (let step = 0; step < 3; step++) {
            tf.tidy(() => {
              const grads: Record<string, tf.Tensor> = {};
              for (const [name, p] of model.params) {
                grads[name] = seeded(p.shape, step, 0, 1);
              }
              opt.update(grads, 1e-2);
            });
          }
          const out = [...model.params.values(), ...opt.moments().values()].map((t) => t.clone());
          opt.dispose();
          model.dispose();
          return out;
        });
      const fast = run(true), slow = run(false);
      fast.forEach((t, i) =>
        assertLess(maxAbsDiff(t, slow[i]), 1e-6, `tensor ${i}: ${maxAbsDiff(t, slow[i])}`)
      );
      tf.dispose([...fast, ...slow]);
    }),
});

Deno.test({
  name: "native ops: bad shapes are refused with TensorFlow's message naming the op",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const x = tf.ones([2, 3]), w = tf.ones([4]);
      assertThrows(
        () =>
          runOp("LlmLayerNorm", [x, w, w], [{ name: "eps", float: 1e-5 }, {
            name: "has_bias",
            bool: true,
          }], 3),
        Error,
        "LlmLayerNorm: weight has 4 values for width 3",
      );
      const qkv = tf.ones([5, 12]);
      assertThrows(
        () =>
          runOp("LlmCausalAttention", [qkv], [{ name: "n_head", int: 2 }, {
            name: "seq_len",
            int: 2,
          }], 2),
        Error,
        "qkv must be (B*2, 3*C)",
      );
      const past = tf.ones([2, 3, 3]); // a cache of width 6 for qkv of width 12 (C = 4)
      assertThrows(
        () => runOp("LlmCachedAttention", [qkv, past, past], [{ name: "n_head", int: 2 }], 3),
        Error,
        "LlmCachedAttention: k_past [2,3,3] and v_past [2,3,3] must both be (2*B, Tp, 2)",
      );
      past.dispose();
      // no rows at all: LayerNorm's gradient is zero for its weight and bias (it divided by
      // zero row blocks and killed the process before)
      const [empty, w4, b4] = [tf.zeros([0, 4]) as tf.Tensor2D, tf.ones([4]), tf.zeros([4])];
      const [dw, db] = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.sum(layerNorm(empty, w, b)))([
        w4,
        b4,
      ]);
      assertEquals([...dw.dataSync(), ...db.dataSync()], new Array(8).fill(0));
      tf.dispose([dw, db, empty, w4, b4]);
      // TensorFlow's gather checks the ids itself (tfjs-node's reads them back to check)
      const table = tf.ones([65, 2]) as tf.Tensor2D, badIds = tf.tensor1d([0, 70], "int32");
      assertThrows(() => embeddingLookup(table, badIds), Error, "is not in [0, 65)");
      tf.dispose([x, w, qkv, table, badIds]);
    }),
});

Deno.test({
  name:
    "native ops: LlmLstm (one LSTM layer over a sequence, with and without a mask) equals the per-step tensor ops, values and gradients",
  ignore,
  fn: () =>
    onTensorflow(() => {
      const before = tf.memory().numTensors;
      // B 19 and 61: blocks of rows of unequal size wherever there are 2+ intra-op threads (the
      // next test forces 8); B 3: one block; T 1: one step
      const cases = [[19, 7, 5, 20], [3, 4, 8, 30], [40, 1, 3, 40], [61, 6, 6, 50]];
      for (const [B, T, H, seed] of cases) {
        const gx = seeded([B, T, 4 * H], seed, 0, 1.5);
        const wh = seeded([H, 4 * H], seed + 1, 0, 0.5);
        const h0 = seeded([B, H], seed + 2, 0, 0.5);
        const c0 = seeded([B, H], seed + 3, 0, 1);
        // rows padded at the end (from their own length on, one row all padding), at the
        // start, and with gaps
        const mask = tf.tensor2d(
          Array.from({ length: B }, (_, b) =>
            Array.from({ length: T }, (_, t) => {
              const len = (b * 3) % (T + 1);
              if (b % 3 === 0) return t < len ? 1 : 0;
              if (b % 3 === 1) return t >= T - len ? 1 : 0;
              return (t + b) % 3 === 0 ? 0 : 1;
            })),
        );
        // outputs, final h and final c all reach the loss
        const run =
          (m?: tf.Tensor2D) => (x: tf.Tensor, w: tf.Tensor, h: tf.Tensor, c: tf.Tensor) => {
            const r = lstmSequence(x as tf.Tensor3D, w as tf.Tensor2D, {
              h: h as tf.Tensor2D,
              c: c as tf.Tensor2D,
            }, m);
            return tf.concat(
              [tf.reshape(r.outputs, [B, T * H]), r.final.h, tf.mul(r.final.c, 0.7)],
              1,
            );
          };
        assertSameAsTensorOps(`lstmSequence B${B} T${T} H${H}`, run(), [gx, wh, h0, c0], 1e-5);
        assertSameAsTensorOps(
          `lstmSequence B${B} T${T} H${H}, mask`,
          run(mask),
          [gx, wh, h0, c0],
          1e-5,
        );
        tf.dispose([gx, wh, h0, c0, mask]);
      }
      // Outside tf.tidy, the op's path leaves nothing behind once its results are disposed.
      const [x, w] = [seeded([9, 3, 8], 60), seeded([2, 8], 61)];
      const init = { h: tf.zeros([9, 2]) as tf.Tensor2D, c: tf.zeros([9, 2]) as tf.Tensor2D };
      const held = tf.memory().numTensors;
      const r = lstmSequence(x as tf.Tensor3D, w as tf.Tensor2D, init);
      tf.dispose([r.outputs, r.final.h, r.final.c]);
      assertEquals(tf.memory().numTensors, held);
      tf.dispose([x, w, init.h, init.c]);
      tf.tidy(() => {
        assertThrows(
          () =>
            lstmSequence(tf.zeros([2, 3, 8]), tf.zeros([3, 12]), {
              h: tf.zeros([2, 3]),
              c: tf.zeros([2, 3]),
            }),
          Error,
          "gx must be (B, T, 4H)",
        );
      });
      assertEquals(tf.memory().numTensors, before);
    }),
});

Deno.test({
  name:
    "native ops: LlmLstm (7 row blocks of unequal size), LlmGemv, LlmCachedAttention and LlmBiasAdd (more parts than helper threads) still match with 8 intra-op threads",
  ignore: ignore || Deno.env.get("TF_NUM_INTRAOP_THREADS") !== undefined,
  fn: async () => {
    // TensorFlow sizes its thread pool once per process: a child process with 8 threads.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "-A",
        "--filter",
        "/LlmLstm \\(one LSTM layer|LlmGemv \\(few rows|LlmCachedAttention \\(new tokens|LlmBiasAdd gives/",
        new URL(import.meta.url).pathname,
      ],
      env: { TF_NUM_INTRAOP_THREADS: "8" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert(out.success && /4 passed/.test(text), text.slice(-2000));
  },
});
