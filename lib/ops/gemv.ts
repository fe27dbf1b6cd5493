/**
 * The product of a few rows with a weight matrix, `x (M, K) · w (K, N) (+ bias)` or `x · wᵀ`
 * for `w` (N, K), for inference only: a decoding step of generation multiplies one row by every
 * weight matrix, so its speed is how fast the weights stream from memory. Two versions that
 * compute the same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: tfjs's `matMul` (with the bias fused where there is one);
 * - lib (tensorflow): lib's `LlmGemv` op (lib/ops/gemv.cc), which streams each weight once,
 *   each thread its own contiguous part, where TensorFlow's MatMul reached 7-13 GB/s.
 *
 * `LlmGemv` has no gradient: {@link lib/ops/linear.ts} uses it only through {@link rowProductRuns},
 * which is false while a gradient tape records.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { chosen, pick, recording } from "./dispatch.ts";

/** The most rows for which {@link rowProductRuns} picks lib's op: beyond a few rows each weight
 * is reused enough that TensorFlow's blocked MatMul wins (prefill, training). */
export const ROW_PRODUCT_MAX_ROWS = 4;

/**
 * `x · w (+ bias)`, or `x · wᵀ (+ bias)` with `transposeB`, for `x` (M, K) with few rows, no
 * gradient: lib's `LlmGemv` op on tensorflow where lib's ops are loaded, else `tf.matMul`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rowProduct } from "./gemv.ts";
 * rowProduct(tf.ones([1, 2]), tf.ones([2, 3]), false, tf.tensor1d([1, 2, 3])).print();
 * // [[3, 4, 5]]
 * ```
 */
export function rowProduct(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  transposeB = false,
  bias?: tf.Tensor,
): tf.Tensor2D {
  return pick(ROW_PRODUCT)(x, w, transposeB, bias);
}

const ROW_PRODUCT = { reference: rowProductTfjs, lib: rowProductLib };

/**
 * Whether {@link rowProduct} should replace a product of `rows` rows now: lib's op runs (the
 * tensorflow backend with lib's ops loaded and switched on), the rows are few, and no gradient
 * is being recorded (the op has none; `tf.grad`, `variableGrads` and `minimize` record).
 *
 * @example
 * ```ts
 * import { rowProductRuns } from "./gemv.ts";
 * console.log(rowProductRuns(1)); // true only on tensorflow with lib's ops loaded
 * ```
 */
export function rowProductRuns(rows: number): boolean {
  return rows <= ROW_PRODUCT_MAX_ROWS && !recording() &&
    chosen(ROW_PRODUCT) === "lib";
}

function rowProductTfjs(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  transposeB: boolean,
  bias?: tf.Tensor,
): tf.Tensor2D {
  return bias
    ? tf.fused.matMul({ a: x, b: w, bias, transposeB }) as tf.Tensor2D
    : tf.matMul(x, w, false, transposeB);
}

function rowProductLib(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  transposeB: boolean,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const b = bias ?? tf.zeros([0]);
  const [y] = runOp("LlmGemv", [x, w, b], [{ name: "transpose_b", bool: transposeB }], 1);
  if (!bias) b.dispose();
  return y as tf.Tensor2D;
}
