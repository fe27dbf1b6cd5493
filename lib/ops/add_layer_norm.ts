/**
 * The residual step of a transformer block and the LayerNorm after it, `s = x + d` and
 * `y = layerNorm(s)`, as one op: a block calls it where the maths has an add and a LayerNorm,
 * and keeps its shape. Two versions (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: `tf.add`, then {@link layerNorm};
 * - lib (tensorflow): lib's `LlmAddLayerNorm` op and its gradient, one op each way;
 * - webgpu: lib's WGSL kernels (lib/ops/layer_norm_wgsl.ts), the sum and its LayerNorm in one
 *   dispatch, and a backward whose `dx` kernel adds the residual gradient: one dispatch forward,
 *   two back.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";
import { layerNorm, LN_EPS } from "./layer_norm.ts";
import {
  addLayerNormForwardWgsl,
  layerNormBackwardWgsl,
  layerNormForwardWgsl,
} from "./layer_norm_wgsl.ts";

/**
 * A residual step and the LayerNorm that follows it: `s = x + d` (the new residual stream) and
 * `y = layerNorm(s)`. One fused op each way on tensorflow with lib's ops; elsewhere an add and
 * {@link layerNorm}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { addLayerNorm } from "./add_layer_norm.ts";
 * const { s, y } = addLayerNorm(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[0, 0, 3]]), tf.ones([3]));
 * s.print(); // [[1, 2, 6]]
 * ```
 */
export function addLayerNorm(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  return pick(ADD_LAYER_NORM)(x, d, weight, bias);
}

const ADD_LAYER_NORM = {
  reference: addLayerNormTensors,
  lib: addLayerNormLib,
  webgpu: addLayerNormWebGPU,
};

/** The reference: the add, then {@link layerNorm} (whichever version that runs). */
function addLayerNormTensors(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  const s = tf.add(x, d) as tf.Tensor2D;
  return { s, y: layerNorm(s, weight, bias) };
}

/**
 * lib's WGSL kernels: forward, one dispatch for the sum and its LayerNorm; backward, LayerNorm's two
 * dispatches with the gradient reaching `s` from the residual stream added inside the `dx`
 * kernel (no separate add, no autodiff accumulation).
 */
function addLayerNormWebGPU(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  const inputs: tf.NamedTensorMap = bias ? { x, d, weight, bias } : { x, d, weight };
  // deno-lint-ignore no-explicit-any
  const engine = tf.engine() as any;
  const [s, y] = engine.runKernelFunc({
    inputs,
    forwardFunc: (_backend: unknown, save: (t: tf.Tensor[]) => void) => {
      const { s: sum, y: out } = addLayerNormForwardWgsl(x, d, weight, bias);
      save([sum, weight]);
      return [sum, out];
    },
    backwardsFunc: ([ds, dy]: tf.Tensor[], saved: tf.Tensor[]) => {
      const [sum, w] = saved;
      const { dx, dw, db } = layerNormBackwardWgsl(
        dy,
        sum as tf.Tensor2D,
        w,
        bias !== undefined,
        ds,
      );
      // x and d get the same gradient; each needs its own tensor (autodiff disposes them apart).
      const grads: Record<string, () => tf.Tensor> = {
        x: () => dx,
        d: () => tf.clone(dx),
        weight: () => dw,
      };
      if (db) grads.bias = () => db;
      return grads;
    },
  }) as tf.Tensor2D[];
  return { s, y };
}

/**
 * The LayerNorm of a residual stream that also goes on past it: `s = x` (the stream) and
 * `y = layerNorm(x)`. The stream's gradient is the one reaching `s` plus LayerNorm's; on webgpu
 * LayerNorm's `dx` kernel adds the two, where autodiff would add them in a separate dispatch.
 * Elsewhere it is `x` and {@link layerNorm}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { branchLayerNorm } from "./add_layer_norm.ts";
 * const { s, y } = branchLayerNorm(tf.tensor2d([[1, 2, 3]]), tf.ones([3]));
 * y.print(); // [[-1.2247, 0, 1.2247]]
 * ```
 */
export function branchLayerNorm(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  return pick(BRANCH_LAYER_NORM)(x, weight, bias);
}

const BRANCH_LAYER_NORM = {
  reference: (x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor) => ({
    s: x,
    y: layerNorm(x, weight, bias),
  }),
  webgpu: branchLayerNormWebGPU,
};

/**
 * lib's WGSL kernels: forward, `s` shares `x`'s buffer (no dispatch) and LayerNorm is one
 * dispatch; backward, LayerNorm's two dispatches with `s`'s gradient added inside `dx`.
 */
function branchLayerNormWebGPU(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  const inputs: tf.NamedTensorMap = bias ? { x, weight, bias } : { x, weight };
  // deno-lint-ignore no-explicit-any
  const engine = tf.engine() as any;
  const [s, y] = engine.runKernelFunc({
    inputs,
    forwardFunc: (_backend: unknown, save: (t: tf.Tensor[]) => void) => {
      save([x, weight]);
      return [tf.clone(x), layerNormForwardWgsl(x, weight, bias)];
    },
    backwardsFunc: ([ds, dy]: tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs, w] = saved;
      const { dx, dw, db } = layerNormBackwardWgsl(
        dy,
        xs as tf.Tensor2D,
        w,
        bias !== undefined,
        ds,
      );
      const grads: Record<string, () => tf.Tensor> = { x: () => dx, weight: () => dw };
      if (db) grads.bias = () => db;
      return grads;
    },
  }) as tf.Tensor2D[];
  return { s, y };
}

/**
 * lib's TensorFlow ops: one op forward gives both `s` and `y`. Backward, one op adds the
 * gradient reaching `s` from the residual stream to LayerNorm's and hands it to `x` and `d`:
 * the separate add, its gradient's reshapes and the gradient accumulation of autodiff all
 * disappear. Two outputs need tfjs's engine directly (`customGrad` returns one tensor).
 */
function addLayerNormLib(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  const attrs = [{ name: "eps", float: LN_EPS }, { name: "has_bias", bool: bias !== undefined }];
  const inputs: tf.NamedTensorMap = bias ? { x, d, weight, bias } : { x, d, weight };
  // deno-lint-ignore no-explicit-any
  const engine = tf.engine() as any;
  const [s, y] = engine.runKernelFunc({
    inputs,
    forwardFunc: (_backend: unknown, save: (t: tf.Tensor[]) => void) => {
      const [sum, out, mean, rstd] = runOp(
        "LlmAddLayerNorm",
        [x, d, weight, bias ?? weight],
        attrs,
        4,
      );
      save([sum, weight, mean, rstd]);
      return [sum, out];
    },
    backwardsFunc: ([ds, dy]: tf.Tensor[], saved: tf.Tensor[]) => {
      const [dsum, dw, db] = runOp("LlmAddLayerNormGrad", [ds, dy, ...saved], [], 3);
      // x and d get the same gradient; each needs its own tensor (autodiff disposes them apart).
      const grads: Record<string, () => tf.Tensor> = {
        x: () => dsum,
        d: () => tf.clone(dsum),
        weight: () => dw,
      };
      if (bias) grads.bias = () => db;
      else db.dispose();
      return grads;
    },
  }) as tf.Tensor2D[];
  return { s, y };
}
