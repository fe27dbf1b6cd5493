/**
 * The fully connected layer shared by attention and the models, with a hand-written gradient
 * (one fused matmul-plus-bias forward, three products backward), and the products and sums it
 * is made of. Each has two versions that compute the same function (lib/ops/dispatch.ts picks
 * one per backend):
 *
 * - reference: tfjs's ops (`tf.matMul`, `tf.fused.matMul`, a ones-vector product for sums);
 * - tensorflow: TensorFlow's own `MatMul`, `BiasAdd` and `BiasAddGrad`, called directly;
 * - webgpu: lib's tiled WGSL matmul (lib/ops/matmul_wgsl.ts), the bias added as it writes the
 *   product; the gradients are the same products, the bias gradient (a column sum) computed
 *   inside the weight gradient's dispatch.
 *
 * With up to four rows and no gradient tape recording (a decoding step of generation),
 * {@link linear} and {@link matMul2d} hand the product to lib/ops/gemv.ts instead, lib's
 * `LlmGemv` op on tensorflow, which streams the weights faster than TensorFlow's MatMul.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";
import { matMulWgsl, matMulWgslWithSums } from "./matmul_wgsl.ts";
import { rowProduct, rowProductRuns } from "./gemv.ts";

/**
 * Sum over rows, (N, C) -> (C), as a (1, N) x (N, C) product: on wasm a reduction over the
 * leading axis transposes first and runs about 10x slower than this matmul. The bias gradient
 * of {@link linear}, and LayerNorm's, are such sums.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { columnSum } from "./linear.ts";
 * columnSum(tf.tensor2d([[1, 2], [3, 4]])).print(); // [4, 6]
 * ```
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return pick(COLUMN_SUM)(x);
}

const COLUMN_SUM = {
  reference: (x: tf.Tensor2D): tf.Tensor1D => {
    const [N, C] = x.shape;
    return tf.reshape(tf.matMul(tf.ones([1, N]), x), [C]);
  },
  // TensorFlow has this sum as one op (the bias gradient of its own BiasAdd).
  tensorflow: (x: tf.Tensor2D) => runOp("BiasAddGrad", [x], [F32], 1)[0] as tf.Tensor1D,
};

const F32 = { name: "T", dtype: "float32" } as const;

/**
 * `op(a) · op(b) (+ bias)` for matrices; on tensorflow TensorFlow's own MatMul and BiasAdd,
 * without tfjs's reshapes to 3-D and back (about 6% of a baby-GPT step); on webgpu lib's tiled
 * WGSL matmul, one dispatch with the bias.
 */
function product(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  ta = false,
  tb = false,
  bias?: tf.Tensor,
): tf.Tensor2D {
  return pick(PRODUCT)(a, b, ta, tb, bias);
}

const PRODUCT = {
  reference: productTfjs,
  lib: productTensorflow("LlmBiasAdd"),
  tensorflow: productTensorflow("BiasAdd"),
  webgpu: matMulWgsl,
};

/** The reference: tfjs's matMul, fused with the bias add where there is one. */
function productTfjs(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  ta: boolean,
  tb: boolean,
  bias?: tf.Tensor,
): tf.Tensor2D {
  return bias
    ? tf.fused.matMul({ a, b, bias, transposeA: ta, transposeB: tb }) as tf.Tensor2D
    : tf.matMul(a, b, ta, tb);
}

/**
 * TensorFlow's MatMul called directly, its bias added by `biasOp`: TensorFlow's BiasAdd, or
 * lib's LlmBiasAdd (lib/ops/bias_add.cc), the same sums without waiting for TensorFlow's pool.
 */
function productTensorflow(biasOp: "BiasAdd" | "LlmBiasAdd") {
  const biasAttrs = biasOp === "BiasAdd" ? [F32] : [];
  return (
    a: tf.Tensor2D,
    b: tf.Tensor2D,
    ta: boolean,
    tb: boolean,
    bias?: tf.Tensor,
  ): tf.Tensor2D => {
    const attrs = [F32, { name: "transpose_a", bool: ta }, { name: "transpose_b", bool: tb }];
    const c = runOp("MatMul", [a, b], attrs, 1)[0] as tf.Tensor2D;
    if (!bias) return c;
    const out = runOp(biasOp, [c, bias], biasAttrs, 1)[0] as tf.Tensor2D;
    c.dispose();
    return out;
  };
}

/**
 * `a · b` (or `a · bᵀ` with `transposeB`) for matrices, with its gradient. On tensorflow, three
 * TensorFlow MatMuls (forward and both gradients) and nothing else; on webgpu, three of lib's
 * WGSL matmuls; elsewhere `tf.matMul`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { matMul2d } from "./linear.ts";
 * matMul2d(tf.ones([1, 2]), tf.ones([3, 2]), true).print(); // [[2, 2, 2]]
 * ```
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, transposeB = false): tf.Tensor2D {
  // a decoding step's logits, x · wteᵀ, with no gradient: lib's one-row product
  if (rowProductRuns(a.shape[0])) return rowProduct(a, b, transposeB);
  return pick(MAT_MUL_2D)(a, b, transposeB);
}

const MAT_MUL_2D = {
  reference: (a: tf.Tensor2D, b: tf.Tensor2D, transposeB: boolean): tf.Tensor2D =>
    tf.matMul(a, b, false, transposeB),
  tensorflow: matMul2dProducts,
  webgpu: matMul2dProducts,
};

/** Three of {@link product}: the forward and both gradients (TensorFlow's or lib's WGSL). */
function matMul2dProducts(a: tf.Tensor2D, b: tf.Tensor2D, transposeB: boolean): tf.Tensor2D {
  const f = tf.customGrad((...args: unknown[]) => {
    const [as, bs] = args as tf.Tensor2D[];
    const save = args[2] as (t: tf.Tensor[]) => void;
    save([as, bs]);
    return {
      value: product(as, bs, false, transposeB),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [aa, bb] = saved as tf.Tensor2D[];
        const g = dy as tf.Tensor2D;
        // c = a b: da = g bᵀ, db = aᵀ g.  c = a bᵀ: da = g b, db = gᵀ a.
        return transposeB
          ? [product(g, bb), product(g, aa, true, false)]
          : [product(g, bb, false, true), product(aa, g, true, false)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/**
 * A fully connected layer in Hugging Face's Conv1D layout: `x (N, in) · w (in, out) + b`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { linear } from "./linear.ts";
 * linear(tf.ones([1, 2]), tf.ones([2, 3]), tf.zeros([3])).print(); // [[2, 2, 2]]
 * ```
 */
export function linear(
  x: tf.Tensor2D,
  w: tf.Tensor,
  b?: tf.Tensor,
): tf.Tensor2D {
  // a decoding step's products, one row each, with no gradient: lib's one-row product
  if (rowProductRuns(x.shape[0])) return rowProduct(x, w as tf.Tensor2D, false, b);
  if (!b) return matMul2d(x, w as tf.Tensor2D);
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, ws, bs] = args as tf.Tensor2D[];
    const save = args[3] as (t: tf.Tensor[]) => void;
    save([xs, ws]);
    return {
      // one kernel on wasm (XNNPACK adds the bias while writing the product); MatMul and
      // BiasAdd on tensorflow
      value: product(xs, ws, false, false, bs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xx, ww] = saved as tf.Tensor2D[];
        const g = dy as tf.Tensor2D;
        return [product(g, ww, false, true), ...weightAndBiasGrads(xx, g)];
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}

/** The gradients of `x · w + b` for `w` and `b`: `xᵀ · dy` and the column sums of `dy`. */
function weightAndBiasGrads(x: tf.Tensor2D, dy: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  return pick(WEIGHT_AND_BIAS_GRADS)(x, dy);
}

const WEIGHT_AND_BIAS_GRADS = {
  reference: (x: tf.Tensor2D, dy: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] => [
    product(x, dy, true, false),
    columnSum(dy),
  ],
  // One dispatch: the sums come from the tiles of dy that the product loads anyway.
  webgpu: (x: tf.Tensor2D, dy: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] => {
    const { product, sums } = matMulWgslWithSums(x, dy, true, false);
    return [product, sums];
  },
};
