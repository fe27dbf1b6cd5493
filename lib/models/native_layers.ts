/**
 * Cross-entropy as a single TensorFlow op on the `tensorflow` backend, with a one-op gradient:
 * TensorFlow's own `SparseSoftmaxCrossEntropyWithLogits`. The mathematics is exactly that of
 * the tensor-op versions in `layers.ts`, which pick these when they apply.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";

/**
 * Mean cross-entropy of `logits` (N, V) against int32 `targets` (N), through TensorFlow's fused
 * op, which returns each row's loss and its gradient `softmax - onehot` together.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { crossEntropyNative } from "./native_layers.ts";
 * crossEntropyNative(tf.zeros([2, 4]), tf.tensor1d([0, 3], "int32")).print(); // 1.3863
 * ```
 */
export function crossEntropyNative(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
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
