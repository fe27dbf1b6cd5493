/**
 * Sentence embeddings from per-token hidden states: the masked mean over positions, as
 * sentence encoders (e.g. Sentence-BERT) pool an encoder's outputs into one vector.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Mean of `hidden` (B, T, C) over the positions where `mask` (B, T) is 1: (B, C). Padding
 * positions (mask 0) do not count; without a mask every position counts.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { meanPool } from "./pooling.ts";
 * const h = tf.tensor3d([[[1, 2], [3, 4], [100, 100]]]); // the third position is padding
 * meanPool(h, tf.tensor2d([[1, 1, 0]])).print(); // [[2, 3]]
 * ```
 */
export function meanPool(hidden: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!(hidden instanceof tf.Tensor) || hidden.rank !== 3) {
    throw new Error(
      `meanPool: hidden must be a (B, T, C) tensor, got ${
        hidden instanceof tf.Tensor ? `shape [${hidden.shape}]` : typeof hidden
      }.`,
    );
  }
  const [B, T] = hidden.shape;
  if (mask && (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T)) {
    throw new Error(
      `meanPool: mask must be (B, T) = [${B}, ${T}] to match hidden, got [${mask.shape}].`,
    );
  }
  return tf.tidy(() => {
    if (!mask) return tf.mean(hidden, 1) as tf.Tensor2D;
    const m = tf.cast(mask, "float32").expandDims(2); // (B, T, 1)
    const total = tf.sum(tf.mul(hidden, m), 1); // (B, C)
    // A row of padding only would divide by zero: count at least one position.
    const count = tf.maximum(tf.sum(m, 1), 1); // (B, 1)
    return tf.div(total, count) as tf.Tensor2D;
  });
}

/**
 * Cosine similarity of every row of `a` (N, C) with every row of `b` (M, C): (N, M).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cosineSimilarity } from "./pooling.ts";
 * cosineSimilarity(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0], [0, 3]])).print(); // [[1, 0]]
 * ```
 */
export function cosineSimilarity(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw new Error(
      `cosineSimilarity needs (N, C) and (M, C) with the same C, got [${a.shape}] and [${b.shape}].`,
    );
  }
  return tf.tidy(() => {
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 2, 1, true), 1e-8));
    return tf.matMul(unit(a), unit(b), false, true) as tf.Tensor2D;
  });
}
