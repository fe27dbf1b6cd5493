/**
 * Mean cross-entropy of logits against integer targets, `mean(logsumexp(z) - z[target])`, in
 * two versions that compute the same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: tensor ops with a hand-written gradient `(softmax - onehot) / N`, no one-hot
 *   matrix in the forward pass;
 * - tensorflow: TensorFlow's own fused sparse softmax cross-entropy op;
 * - webgpu: lib's WGSL kernels, each row's loss in one dispatch (then tfjs's mean) and the
 *   gradient in one.
 *
 * Beside it, {@link maskedCrossEntropy}, the seq2seq models' loss over the real tokens only
 * (tensor ops on every backend).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";
import { runWgsl, WORKGROUP_SUM } from "../backend/webgpu_programs.ts";

/**
 * Mean cross-entropy of `logits` (N, V) against integer `targets` (N): `mean(logsumexp - logit
 * of the target)`. No one-hot matrix in the forward pass; the gradient is `(softmax - onehot)/N`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { crossEntropy } from "./cross_entropy.ts";
 * crossEntropy(tf.zeros([2, 4]), tf.tensor1d([0, 3], "int32")).print(); // ln 4 = 1.3863
 * ```
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
): tf.Scalar {
  const N = logits.shape[0];
  if (
    targets.dtype !== "int32" || targets.rank !== 1 || targets.shape[0] !== N
  ) {
    throw new Error(
      `crossEntropy: targets must be int32 of shape [${N}], got ${targets.dtype} [${targets.shape}].`,
    );
  }
  return pick(CROSS_ENTROPY)(logits, targets);
}

const CROSS_ENTROPY = {
  reference: crossEntropyTensors,
  tensorflow: crossEntropyTensorflow,
  webgpu: crossEntropyWebGPU,
};

/** The reference: tensor ops with a hand-written gradient, on any backend. */
function crossEntropyTensors(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
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
 * TensorFlow's fused `SparseSoftmaxCrossEntropyWithLogits`, which returns each row's loss and
 * its gradient `softmax - onehot` together: one op forward, one multiply backward.
 */
function crossEntropyTensorflow(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const N = logits.shape[0];
  const f = tf.customGrad((...args: unknown[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const [rows, grad] = runOp(
      "SparseSoftmaxCrossEntropyWithLogits",
      [z, targets],
      [{ name: "T", dtype: "float32" }, { name: "Tlabels", dtype: "int32" }],
      2,
    );
    save([grad]);
    return {
      value: tf.mean(rows),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0], tf.div(dy, N))],
    };
  });
  return f(logits) as tf.Scalar;
}

/** WGSL: `rowLse(row, lane)`, the log-sum-exp of row `row` of `z`, a workgroup per row. */
const ROW_LSE = WORKGROUP_SUM + `
fn rowLse(row : i32, lane : i32) -> f32 {
  let V = uniforms.v;
  let ok = row < uniforms.n;
  var m = -3.402823e38;
  if (ok) { for (var c = lane; c < V; c += 64) { m = max(m, z[row * V + c]); } }
  let top = workgroupMax(m, lane);
  var s = 0.0;
  if (ok) { for (var c = lane; c < V; c += 64) { s += exp(z[row * V + c] - top); } }
  return top + log(workgroupSum(s, lane));
}
`;

/**
 * lib's WGSL kernels: one dispatch gives each row's loss `lse - z[target]` (tfjs's mean
 * follows), one gives the gradient `(softmax - onehot) dy / N`, recomputing each row's
 * log-sum-exp rather than saving it.
 */
function crossEntropyWebGPU(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  const uniforms = [
    { name: "n", type: "i32" as const, value: N },
    { name: "v", type: "i32" as const, value: V },
  ];
  const f = tf.customGrad((...args: unknown[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const rows = runWgsl({
      key: "lib_cross_entropy_rows",
      inputs: [z, targets],
      names: ["z", "t"],
      outputShape: [N],
      invocations: N * 64,
      uniforms,
      code: ROW_LSE + `
fn main(index : i32) {
  let lane = i32(localId.x);
  let row = index / 64;
  let lse = rowLse(row, lane);
  if (lane == 0 && row < uniforms.n) { result[row] = lse - z[row * uniforms.v + t[row]]; }
}`,
    });
    // targets are saved: a caller's tidy may free them before backprop runs.
    save([z, targets]);
    return {
      value: tf.mean(rows),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zz, tt] = saved;
        const grad = runWgsl({
          key: "lib_cross_entropy_grad",
          inputs: [zz, tt, tf.reshape(dy, [1])],
          names: ["z", "t", "dy"],
          outputShape: [N, V],
          invocations: N * 64,
          uniforms,
          code: ROW_LSE + `
fn main(index : i32) {
  let lane = i32(localId.x);
  let row = index / 64;
  let lse = rowLse(row, lane);
  let V = uniforms.v;
  if (row < uniforms.n) {
    let scale = dy[0] / f32(uniforms.n);
    let tgt = t[row];
    for (var c = lane; c < V; c += 64) {
      let p = exp(z[row * V + c] - lse);
      result[row * V + c] = (p - select(0.0, 1.0, c == tgt)) * scale;
    }
  }
}`,
        });
        return [grad];
      },
    };
  });
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
 * import { maskedCrossEntropy } from "./cross_entropy.ts";
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
