/**
 * Gradient clipping by global norm: when the gradient vector of the whole model is longer than
 * `maxNorm`, every gradient is scaled by the same factor so the direction is kept and only the
 * step size shrinks. One unlucky batch then cannot throw the weights far.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Returns the gradients scaled to a global L2 norm of at most `maxNorm`, and the norm before
 * clipping (a scalar tensor, useful to log). Call inside `tf.tidy`. `maxNorm <= 0` or
 * `Infinity` disables clipping but still reports the norm.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { clipByGlobalNorm } from "./clip.ts";
 * const { grads, norm } = clipByGlobalNorm({ a: tf.tensor([3, 0]), b: tf.tensor([4]) }, 1);
 * norm.print(); // 5
 * grads.a.print(); // ~[0.6, 0]
 * ```
 */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  if (Number.isNaN(maxNorm)) throw new Error("maxNorm is NaN");
  const list = Object.values(grads);
  if (list.length === 0) {
    throw new Error("clipByGlobalNorm: no gradients given");
  }
  const norm = tf.sqrt(
    tf.addN(list.map((g) => tf.sum(tf.square(g)))),
  ) as tf.Scalar;
  if (!(maxNorm > 0) || maxNorm === Infinity) return { grads, norm };
  // The small epsilon keeps the scale finite for an all-zero gradient.
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  const out: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, scale);
  return { grads: out, norm };
}
