/**
 * The GPT's input layer, token plus position embeddings, with a hand-written gradient
 * (`tf.customGrad`). The ops it used to hold (LayerNorm, GELU, cross-entropy) live in lib/ops,
 * one file each, and are re-exported here for the notebooks' and scripts' imports.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

// linear lives below both the attention and the models (lib/ops); re-exported for old imports.
export { linear } from "../../ops/linear.ts";
// The ops live in lib/ops, one file each; re-exported for the notebooks' and scripts' imports.
export { layerNorm } from "../../ops/layer_norm.ts";
export { addLayerNorm } from "../../ops/add_layer_norm.ts";
export { gelu } from "../../ops/gelu.ts";
export { crossEntropy, maskedCrossEntropy } from "../../ops/cross_entropy.ts";

/**
 * Token embeddings (B*T, C) plus position embeddings (T, C), the same positions for every
 * sequence. The positions' gradient sums over the batch as a (1, B) x (B, T*C) product.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { addPositions } from "./layers.ts";
 * addPositions(tf.zeros([4, 3]), tf.tensor2d([[1, 1, 1], [2, 2, 2]]), 2).print(); // rows 1,2,1,2
 * ```
 */
export function addPositions(
  tok: tf.Tensor2D,
  pos: tf.Tensor2D,
  batch: number,
): tf.Tensor2D {
  const [N, C] = tok.shape;
  const T = N / batch;
  if (!Number.isInteger(T) || pos.shape[0] !== T || pos.shape[1] !== C) {
    throw new Error(
      `addPositions: ${N} token rows in batch ${batch} need positions of shape [${T}, ${C}], got [${pos.shape}].`,
    );
  }
  const f = tf.customGrad((...args: unknown[]) => {
    const [t, p] = args as tf.Tensor2D[];
    return {
      value: tf.reshape(tf.add(tf.reshape(t, [batch, T, C]), p), [N, C]),
      gradFunc: (dy: tf.Tensor) => [
        dy,
        tf.reshape(
          tf.matMul(tf.ones([1, batch]), tf.reshape(dy, [batch, T * C])),
          [T, C],
        ),
      ],
    };
  });
  return f(tok, pos) as tf.Tensor2D;
}
