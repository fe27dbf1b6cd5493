/**
 * Scaled dot-product attention, `softmax(q·kᵀ/√d)·v`: a soft dictionary lookup where each
 * query takes a weighted average of the values whose keys it matches best.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MASKED_SCORE } from "../ops/causal_mask.ts";

/** Options for {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** 0/1 tensor broadcastable to (..., Tq, Tk); 0 hides a key from a query. */
  mask?: tf.Tensor;
  /** Dropout on the attention weights (only when `> 0`). */
  dropout?: number;
  /** Seed for that dropout. */
  seed?: number;
}

/** Output of {@link scaledDotProductAttention}. */
export interface AttentionResult {
  /** (..., Tq, dv): the looked-up values. */
  output: tf.Tensor;
  /** (..., Tq, Tk): how much each query took from each key (rows sum to 1). */
  weights: tf.Tensor;
}

/**
 * Attention of queries `q` (..., Tq, d) over keys `k` (..., Tk, d) and values `v` (..., Tk, dv).
 * Leading dimensions are batched: pass (B, nh, T, hs) to run every head at once.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { scaledDotProductAttention } from "./scaled_dot_product.ts";
 * const keys = tf.eye(3); // one-hot keys: a dictionary with three entries
 * const values = tf.tensor2d([[10], [20], [30]]);
 * const query = tf.tensor2d([[0, 8, 0]]); // strongly matches key 1
 * scaledDotProductAttention(query, keys, values).output.print(); // close to [[20]]
 * ```
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  options: AttentionOptions = {},
): AttentionResult {
  if (q.rank < 2 || k.rank !== q.rank || v.rank !== q.rank) {
    throw new Error(
      `attention: q, k and v need the same rank >= 2, got ranks ${q.rank}, ${k.rank}, ${v.rank}.`,
    );
  }
  const d = q.shape[q.rank - 1];
  if (k.shape[k.rank - 1] !== d) {
    throw new Error(
      `attention: queries have width ${d} but keys have ${k.shape[k.rank - 1]}; they must match.`,
    );
  }
  if (k.shape[k.rank - 2] !== v.shape[v.rank - 2]) {
    throw new Error(
      `attention: ${k.shape[k.rank - 2]} keys but ${
        v.shape[v.rank - 2]
      } values; need one value per key.`,
    );
  }
  return tf.tidy(() => {
    // (..., Tq, d) x (..., d, Tk) -> (..., Tq, Tk)
    let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
    if (options.mask) {
      scores = tf.add(scores, tf.mul(tf.sub(1, options.mask), MASKED_SCORE));
    }
    const weights = tf.softmax(scores);
    const attended = options.dropout && options.dropout > 0
      ? tf.dropout(weights, options.dropout, undefined, options.seed)
      : weights;
    const output = tf.matMul(attended, v); // (..., Tq, dv)
    return { output, weights };
  });
}
