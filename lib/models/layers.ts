/**
 * The GPT's elementwise building blocks, each with a hand-written gradient (`tf.customGrad`):
 * LayerNorm, GELU and cross-entropy. The mathematics is the textbook one; writing the backward
 * pass by hand replaces the dozens of small kernels autodiff would record with a handful.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tensorflowOpsActive } from "../backend/native_ops.ts";
import { crossEntropyNative } from "./native_layers.ts";

// linear lives below both the attention and the models (lib/nn); re-exported for old imports.
export { linear } from "../nn/linear.ts";
// The ops live in lib/ops, one file each; re-exported for the notebooks' and scripts' imports.
export { layerNorm } from "../ops/layer_norm.ts";
export { addLayerNorm } from "../ops/add_layer_norm.ts";
export { gelu } from "../ops/gelu.ts";

/**
 * Token embeddings (B*T, C) plus position embeddings (T, C), the same positions for every
 * sequence. The positions' gradient sums over the batch as a (1, B) x (B, T*C) product.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { addPositions } from "./layers.ts";
 * addPositions(tf.zeros([4, 3]), tf.tensor2d([[1, 1, 1], [2, 2, 2]]), 2).print(); // rows 1,2,1,2
 * ```
 */
export function addPositions(
  tok: tf.Tensor2D,
  pos: tf.Tensor2D,
  batch: number,
): tf.Tensor2D {
  const [N, C] = tok.shape;
  const T = N / batch;
  if (!Number.isInteger(T) || pos.shape[0] !== T || pos.shape[1] !== C) {
    throw new Error(
      `addPositions: ${N} token rows in batch ${batch} need positions of shape [${T}, ${C}], got [${pos.shape}].`,
    );
  }
  const f = tf.customGrad((...args: unknown[]) => {
    const [t, p] = args as tf.Tensor2D[];
    return {
      value: tf.reshape(tf.add(tf.reshape(t, [batch, T, C]), p), [N, C]),
      gradFunc: (dy: tf.Tensor) => [
        dy,
        tf.reshape(
          tf.matMul(tf.ones([1, batch]), tf.reshape(dy, [batch, T * C])),
          [T, C],
        ),
      ],
    };
  });
  return f(tok, pos) as tf.Tensor2D;
}

/**
 * Mean cross-entropy of `logits` (N, V) against integer `targets` (N): `mean(logsumexp - logit
 * of the target)`. No one-hot matrix in the forward pass; the gradient is `(softmax - onehot)/N`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { crossEntropy } from "./layers.ts";
 * crossEntropy(tf.zeros([2, 4]), tf.tensor1d([0, 3], "int32")).print(); // ln 4 = 1.3863
 * ```
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
): tf.Scalar {
  const [N, V] = logits.shape;
  if (
    targets.dtype !== "int32" || targets.rank !== 1 || targets.shape[0] !== N
  ) {
    throw new Error(
      `crossEntropy: targets must be int32 of shape [${N}], got ${targets.dtype} [${targets.shape}].`,
    );
  }
  if (tensorflowOpsActive()) return crossEntropyNative(logits, targets);
  const f = tf.customGrad((...args: unknown[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const lse = tf.logSumExp(z, -1, true); // (N, 1)
    // Flat indices row*V + target: gather with batchDims gives wrong rows on wasm 4.22.
    const flat = tf.add(
      tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(V, "int32")),
      targets,
    );
    const picked = tf.reshape(tf.gather(tf.reshape(z, [N * V]), flat), [N, 1]); // (N, 1)
    // targets are saved too: a caller's tidy may free them before backprop runs (where reshape
    // is a copy, e.g. on tensorflow, the reshaped targets die with the forward's tidy).
    save([z, lse, targets]);
    return {
      value: tf.mean(tf.sub(lse, picked)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zz, l, t] = saved;
        const probs = tf.exp(tf.sub(zz, l));
        const grad = tf.mul(
          tf.sub(probs, tf.oneHot(t as tf.Tensor1D, V)),
          tf.div(dy, N),
        );
        return [grad];
      },
    };
  });
  // targets are captured, not passed: they are integers and need no gradient.
  return f(logits) as tf.Scalar;
}

/**
 * Mean cross-entropy over the real tokens only: `sum(mask · nll) / sum(mask)` for `logits`
 * (N, V), int32 `targets` (N) and a 0/1 float `mask` (N) that is 0 on padding. The seq2seq
 * models' loss; with a mask of ones it equals {@link crossEntropy}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { maskedCrossEntropy } from "./layers.ts";
 * const logits = tf.tensor2d([[0, 0], [9, -9]]);
 * // the second row is padding: only the first (ln 2) counts
 * maskedCrossEntropy(logits, tf.tensor1d([0, 1], "int32"), tf.tensor1d([1, 0])).print(); // 0.6931
 * ```
 */
export function maskedCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  mask: tf.Tensor1D,
): tf.Scalar {
  const [N, V] = logits.shape;
  if (targets.dtype !== "int32" || targets.rank !== 1 || targets.shape[0] !== N) {
    throw new Error(
      `maskedCrossEntropy: targets must be int32 of shape [${N}], got ${targets.dtype} [${targets.shape}].`,
    );
  }
  if (mask.rank !== 1 || mask.shape[0] !== N) {
    throw new Error(`maskedCrossEntropy: mask must have shape [${N}], got [${mask.shape}].`);
  }
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    // Flat indices row*V + target pick each row's target log-probability without a one-hot.
    const flat = tf.add(tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(V, "int32")), targets);
    const nll = tf.neg(tf.gather(tf.reshape(logp, [N * V]), flat)); // (N)
    const m = tf.cast(mask, "float32");
    return tf.div(tf.sum(tf.mul(nll, m)), tf.sum(m)) as tf.Scalar;
  });
}
