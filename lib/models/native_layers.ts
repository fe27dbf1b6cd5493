/**
 * LayerNorm, GELU and cross-entropy as single TensorFlow ops on the `tensorflow` backend, each
 * with a one-op gradient: lib's `LlmLayerNorm` and `LlmGelu` (see `lib/backend/native_ops.ts`)
 * and TensorFlow's own `SparseSoftmaxCrossEntropyWithLogits`. The mathematics is exactly that of
 * the tensor-op versions in `layers.ts`, which pick these when they apply.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";

/**
 * LayerNorm over the last axis of `x` (N, C) in one op forward and one backward.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { layerNormNative } from "./native_layers.ts";
 * // needs the tensorflow backend with lib's ops built
 * layerNormNative(tf.tensor2d([[1, 2, 3]]), tf.ones([3]), undefined, 1e-5).print();
 * ```
 */
export function layerNormNative(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  eps: number,
): tf.Tensor2D {
  const attrs = [{ name: "eps", float: eps }, { name: "has_bias", bool: bias !== undefined }];
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, w, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    // Without a bias the op ignores its third input; the weight stands in for it.
    const [y, mean, rstd] = runOp("LlmLayerNorm", [xs, w, bias ? b : w], attrs, 3);
    save([xs, w, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dx, dw, db] = runOp("LlmLayerNormGrad", [dy, ...saved], [], 3);
        return bias ? [dx, dw, db] : [dx, dw];
      },
    };
  });
  // deno-lint-ignore no-explicit-any
  const g = f as any;
  return (bias ? g(x, weight, bias) : g(x, weight)) as tf.Tensor2D;
}

/**
 * GELU (GPT-2's tanh form) in one op forward and one backward.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { geluNative } from "./native_layers.ts";
 * geluNative(tf.tensor1d([-1, 0, 1])).print(); // [-0.1588, 0, 0.8412]
 * ```
 */
export function geluNative<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    save([xs]);
    return {
      value: runOp("LlmGelu", [xs], [], 1)[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runOp("LlmGeluGrad", [dy, saved[0]], [], 1),
    };
  });
  return f(x) as T;
}

/**
 * Mean cross-entropy of `logits` (N, V) against int32 `targets` (N), through TensorFlow's fused
 * op, which returns each row's loss and its gradient `softmax - onehot` together.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { crossEntropyNative } from "./native_layers.ts";
 * crossEntropyNative(tf.zeros([2, 4]), tf.tensor1d([0, 3], "int32")).print(); // 1.3863
 * ```
 */
export function crossEntropyNative(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const N = logits.shape[0];
  const f = tf.customGrad((...args: unknown[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const [rows, grad] = runOp(
      "SparseSoftmaxCrossEntropyWithLogits",
      [z, targets],
      [{ name: "T", dtype: "float32" }, { name: "Tlabels", dtype: "int32" }],
      2,
    );
    save([grad]);
    return {
      value: tf.mean(rows),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0], tf.div(dy, N))],
    };
  });
  return f(logits) as tf.Scalar;
}

/**
 * The residual step and the LayerNorm after it in one op: `s = x + d`, `y = LayerNorm(s)`; returns
 * both. Backward, one op adds the gradient reaching `s` from the residual stream to LayerNorm's
 * and hands it to `x` and `d`: the separate add, its gradient's reshapes and the gradient
 * accumulation of autodiff all disappear. Two outputs need tfjs's engine directly
 * (`customGrad` returns one tensor).
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { addLayerNormNative } from "./native_layers.ts";
 * const { s, y } = addLayerNormNative(tf.ones([2, 3]), tf.tensor2d([[1, 2, 3], [0, 0, 0]]), tf.ones([3]), undefined, 1e-5);
 * ```
 */
export function addLayerNormNative(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  eps: number,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  const attrs = [{ name: "eps", float: eps }, { name: "has_bias", bool: bias !== undefined }];
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
