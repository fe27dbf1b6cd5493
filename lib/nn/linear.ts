/**
 * The fully connected layer shared by attention and the models, with a hand-written gradient
 * (one fused matmul-plus-bias forward, three products backward).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

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
  const [N, C] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, N]), x), [C]);
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
  if (!b) return tf.matMul(x, w as tf.Tensor2D);
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, ws, bs] = args as tf.Tensor2D[];
    const save = args[3] as (t: tf.Tensor[]) => void;
    save([xs, ws]);
    return {
      // one kernel: XNNPACK adds the bias while writing the product
      value: tf.fused.matMul({ a: xs, b: ws, bias: bs }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xx, ww] = saved as tf.Tensor2D[];
        const g = dy as tf.Tensor2D;
        return [
          tf.matMul(g, ww, false, true),
          tf.matMul(xx, g, true, false),
          columnSum(g),
        ];
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}
