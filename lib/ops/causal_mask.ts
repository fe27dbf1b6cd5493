/**
 * Causal masks: query i may attend to key j only when j is not in its future.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Added to masked scores: large enough that `exp` underflows to exactly 0 in float32, finite so
 * that no `-Infinity - -Infinity` can turn into NaN. */
export const MASKED_SCORE = -1e9;

function checkSizes(tq: number, tk: number): void {
  if (!Number.isInteger(tq) || tq < 1 || !Number.isInteger(tk) || tk < tq) {
    throw new Error(
      `causal mask needs integers 1 <= queries <= keys, got queries=${tq}, keys=${tk}.`,
    );
  }
}

/**
 * A (Tq, Tk) 0/1 mask, 1 where query i may see key j. The queries are the last `tq` positions
 * of the `tk` keys (so with a key/value cache, `tk` counts cached keys too).
 *
 * @example
 * ```ts
 * import { causalMask } from "./causal_mask.ts";
 * causalMask(3).print(); // [[1,0,0],[1,1,0],[1,1,1]]
 * ```
 */
export function causalMask(tq: number, tk: number = tq): tf.Tensor2D {
  checkSizes(tq, tk);
  const out = new Float32Array(tq * tk);
  const offset = tk - tq;
  for (let i = 0; i < tq; i++) {
    for (let j = 0; j <= i + offset; j++) out[i * tk + j] = 1;
  }
  return tf.tensor2d(out, [tq, tk]);
}

/**
 * The same mask as an additive bias: 0 where allowed, {@link MASKED_SCORE} where not. Adding it
 * to the scores before softmax is one kernel instead of a `where`.
 *
 * @example
 * ```ts
 * import { causalBias } from "./causal_mask.ts";
 * causalBias(2).print(); // [[0,-1e9],[0,0]]
 * ```
 */
export function causalBias(tq: number, tk: number = tq): tf.Tensor2D {
  checkSizes(tq, tk);
  const out = new Float32Array(tq * tk);
  const offset = tk - tq;
  for (let i = 0; i < tq; i++) {
    for (let j = i + offset + 1; j < tk; j++) out[i * tk + j] = MASKED_SCORE;
  }
  return tf.tensor2d(out, [tq, tk]);
}
