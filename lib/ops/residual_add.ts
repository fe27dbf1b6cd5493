/**
 * The residual stream's add, `a + b` for two tensors of the same shape, in two versions that
 * compute the same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: `tf.add`, whose gradient reshapes `dy` to each input's shape (a `Reshape`
 *   kernel per input, two per add, even when the shapes already match);
 * - tensorflow: TensorFlow's `AddV2`, called directly, with `dy` passed to both inputs as is.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";

/**
 * `a + b` for tensors of the same shape (no broadcasting), as a GPT block adds a branch to its
 * residual stream.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { residualAdd } from "./residual_add.ts";
 * residualAdd(tf.tensor1d([1, 2]), tf.tensor1d([10, 20])).print(); // [11, 22]
 * ```
 */
export function residualAdd<T extends tf.Tensor>(a: T, b: T): T {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(
      `residualAdd: shapes [${a.shape}] and [${b.shape}] differ; it adds tensors of one shape ` +
        "(use tf.add to broadcast).",
    );
  }
  return pick(RESIDUAL_ADD)(a, b) as T;
}

const RESIDUAL_ADD = {
  reference: (a: tf.Tensor, b: tf.Tensor) => tf.add(a, b),
  tensorflow: (a: tf.Tensor, b: tf.Tensor) => {
    const f = tf.customGrad((...args: unknown[]) => {
      const [x, y] = args as tf.Tensor[];
      return {
        value: runOp("AddV2", [x, y], [{ name: "T", dtype: "float32" }], 1)[0],
        // the same shape on both sides: dy is each input's gradient, no reduction, no reshape
        gradFunc: (dy: tf.Tensor) => [dy, dy],
      };
    });
    return f(a, b);
  },
};
