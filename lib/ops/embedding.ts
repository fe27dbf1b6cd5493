/**
 * Embedding lookup, rows of a table picked by integer ids, in two versions that compute the
 * same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: `tf.gather`, with tfjs's gradient (a segment sum between two transposes);
 * - tensorflow: TensorFlow's `GatherV2` forward and `UnsortedSegmentSum` backward, called
 *   directly. tfjs-node's own gather first reads every id back into JavaScript to range-check
 *   it (TensorFlow's CPU kernel checks the range itself and fails with the offending id), and
 *   its gradient adds two identity-permutation `Transpose` copies and a `Reshape`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";

/**
 * Rows `table[ids[i]]` of a (V, C) table for N integer ids: (N, C). The gradient reaches the
 * table only (each row's gradient summed over the ids that picked it).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embeddingLookup } from "./embedding.ts";
 * const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
 * embeddingLookup(table, tf.tensor1d([2, 0, 2], "int32")).print(); // [[5, 6], [1, 2], [5, 6]]
 * ```
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return pick(EMBEDDING)(table, ids);
}

const EMBEDDING = {
  reference: (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.gather(table, ids) as tf.Tensor2D,
  tensorflow: embeddingTensorflow,
};

const INT = "int32" as const;

/** GatherV2 forward, UnsortedSegmentSum backward, nothing else. */
function embeddingTensorflow(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [V] = table.shape;
  // the ids stay outside customGrad's inputs (they have no gradient); saved, so that the
  // backward finds them after the forward's tidy
  const f = tf.customGrad((...args: unknown[]) => {
    const t = args[0] as tf.Tensor2D;
    const save = args[1] as (t: tf.Tensor[]) => void;
    save([ids]);
    const value = tf.tidy(() =>
      runOp("GatherV2", [t, ids, tf.scalar(0, INT)], [
        { name: "batch_dims", int: 0 },
        { name: "Tparams", dtype: "float32" },
        { name: "Tindices", dtype: INT },
        { name: "Taxis", dtype: INT },
      ], 1)[0]
    );
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() =>
          runOp("UnsortedSegmentSum", [dy, saved[0], tf.scalar(V, INT)], [
            { name: "T", dtype: "float32" },
            { name: "Tindices", dtype: INT },
            { name: "Tnumsegments", dtype: INT },
          ], 1)[0]
        ),
    };
  });
  return f(table) as tf.Tensor2D;
}
