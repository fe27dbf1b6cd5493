/**
 * Causal attention as one TensorFlow op forward and one backward (lib's `LlmCausalAttention`,
 * see `lib/backend/native_ops.ts`), for the `tensorflow` backend. It reads the qkv projection's
 * output and writes the merged heads directly, so the transposes into head order and back
 * (and their gradients) disappear. Same mathematics as `causalAttention`, without dropout.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";

/**
 * `softmax(q·kᵀ/√hs + causal mask)·v` per sequence and head, for `qkv` (B*T, 3C) laid out as
 * [queries | keys | values] with heads side by side in each; gives the merged heads (B*T, C).
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { nativeCausalAttention } from "./causal_native.ts";
 * // needs the tensorflow backend with lib's ops built: batch 2, 4 heads, width 8
 * console.log(nativeCausalAttention(tf.randomNormal([2 * 5, 3 * 8]) as tf.Tensor2D, 2, 4).shape);
 * ```
 */
export function nativeCausalAttention(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  const [N, C3] = qkv.shape;
  if (qkv.rank !== 2 || N % batch !== 0 || C3 % (3 * nHead) !== 0) {
    throw new Error(
      `nativeCausalAttention: qkv must be (B*T, 3C) with B = ${batch} and C divisible by ` +
        `${nHead} heads, got [${qkv.shape}].`,
    );
  }
  const attrs = [{ name: "n_head", int: nHead }, { name: "seq_len", int: N / batch }];
  const f = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const [y, p] = runOp("LlmCausalAttention", [input], attrs, 2);
    save([input, p]); // p: the softmax weights, which the backward needs
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        runOp("LlmCausalAttentionGrad", [dy, ...saved], attrs, 1),
    };
  });
  return f(qkv) as tf.Tensor2D;
}
