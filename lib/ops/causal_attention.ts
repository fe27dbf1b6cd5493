/**
 * Causal attention, `softmax(q·kᵀ/√hs + causal mask)·v` per sequence and head, in the layouts a
 * GPT's attention needs, each with versions that compute the same function (lib/ops/dispatch.ts
 * picks one per backend):
 *
 * - {@link causalAttention}: the reference, tensor ops on q, k, v (BH, T, hs); it also covers a
 *   key/value cache (more keys than queries) and bidirectional attention;
 * - {@link causalAttentionPacked}: q, k, v stacked (3, BH, T, hs), with dropout: the reference,
 *   or (wasm, cpu) the loops of `causal_attention_loops.ts`, which skip the masked half;
 * - {@link causalAttentionRows}: straight from the qkv projection's rows (B*T, 3C) to the merged
 *   heads (B*T, C), no dropout: the packed version between two transposes, or (tensorflow) lib's
 *   `LlmCausalAttention` op, which reads and writes the row layout itself, so the transposes
 *   and their gradients disappear.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { causalBias } from "./causal_mask.ts";
import { fusedCausalAttentionPacked } from "./causal_attention_loops.ts";
import { pick } from "./dispatch.ts";

/** Dropout on the attention weights (training only) and its seed. */
export interface AttentionDropout {
  /** Probability of dropping an attention weight; 0 = none. */
  dropout?: number;
  /** Seed of the dropout mask (the same seed drops the same weights in every version). */
  seed?: number;
}

/**
 * Causal attention of q, k, v stacked as one (3, BH, T, hs) tensor, heads first in the batch
 * order: (BH, T, hs).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttentionPacked } from "./causal_attention.ts";
 * const qkv = tf.randomNormal([3, 2, 4, 8]) as tf.Tensor4D;
 * console.log(causalAttentionPacked(qkv).shape); // [2, 4, 8]
 * ```
 */
export function causalAttentionPacked(
  heads: tf.Tensor4D,
  opts: AttentionDropout = {},
): tf.Tensor3D {
  return pick(PACKED)(heads, opts);
}

const PACKED = {
  reference: (heads: tf.Tensor4D, opts: AttentionDropout): tf.Tensor3D => {
    const [q, k, v] = tf.unstack(heads) as tf.Tensor3D[];
    return causalAttention(q, k, v, opts.dropout ?? 0, opts.seed);
  },
  loops: fusedCausalAttentionPacked,
};

/**
 * Causal attention from `qkv` (B*T, 3C), laid out as [queries | keys | values] with the heads
 * side by side in each, to the merged heads (B*T, C). No dropout.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttentionRows } from "./causal_attention.ts";
 * // batch 2 of 5 positions, 4 heads, width 8
 * console.log(causalAttentionRows(tf.randomNormal([2 * 5, 3 * 8]) as tf.Tensor2D, 2, 4).shape);
 * ```
 */
export function causalAttentionRows(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  return pick(ROWS)(qkv, batch, nHead);
}

const ROWS = { reference: causalAttentionRowsViaHeads, lib: causalAttentionRowsLib };

/** The rows turned into heads, {@link causalAttentionPacked}, and the heads merged back. */
function causalAttentionRowsViaHeads(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  return headsToRows(causalAttentionPacked(rowsToHeads(qkv, batch, nHead)), nHead);
}

/**
 * The qkv projection's rows (B*T, 3C) as stacked heads (3, nh*B, T, hs), heads first in the
 * batch order: a 3-D transpose is fast on wasm, the 5-D one a (b, head) order needs is not.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rowsToHeads } from "./causal_attention.ts";
 * console.log(rowsToHeads(tf.zeros([2 * 5, 3 * 8]) as tf.Tensor2D, 2, 4).shape); // [3, 8, 5, 2]
 * ```
 */
export function rowsToHeads(qkv: tf.Tensor2D, batch: number, nHead: number): tf.Tensor4D {
  const [N, C3] = qkv.shape;
  const hs = C3 / 3 / nHead;
  // (B*T, 3C) -> (B*T, 3nh, hs) -> (3nh, B*T, hs) -> (3, nh*B, T, hs)
  return tf.reshape(
    tf.transpose(tf.reshape(qkv, [N, 3 * nHead, hs]), [1, 0, 2]),
    [3, nHead * batch, N / batch, hs],
  ) as tf.Tensor4D;
}

/**
 * Heads (nh*B, T, hs), heads first, back to rows (B*T, C).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { headsToRows } from "./causal_attention.ts";
 * console.log(headsToRows(tf.zeros([2 * 3, 5, 4]) as tf.Tensor3D, 2).shape); // [15, 8]
 * ```
 */
export function headsToRows(y: tf.Tensor3D, nHead: number): tf.Tensor2D {
  const [BH, T, hs] = y.shape;
  const N = (BH / nHead) * T, C = nHead * hs;
  // (nh*B, T, hs) -> (nh, B*T, hs) -> (B*T, nh, hs) -> (B*T, C)
  return tf.reshape(
    tf.transpose(tf.reshape(y, [nHead, N, hs]), [1, 0, 2]),
    [N, C],
  ) as tf.Tensor2D;
}

/** lib's TensorFlow op: one op forward (rows in, merged heads out) and one backward. */
function causalAttentionRowsLib(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  const [N, C3] = qkv.shape;
  if (qkv.rank !== 2 || N % batch !== 0 || C3 % (3 * nHead) !== 0) {
    throw new Error(
      `causalAttentionRows: qkv must be (B*T, 3C) with B = ${batch} and C divisible by ` +
        `${nHead} heads, got [${qkv.shape}].`,
    );
  }
  const attrs = [{ name: "n_head", int: nHead }, { name: "seq_len", int: N / batch }];
  const f = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const [y, p] = runOp("LlmCausalAttention", [input], attrs, 2);
    save([input, p]); // p: the softmax weights, which the backward needs
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        runOp("LlmCausalAttentionGrad", [dy, ...saved], attrs, 1),
    };
  });
  return f(qkv) as tf.Tensor2D;
}

/**
 * Heads-batched causal attention: q (BH, Tq, hs) over k, v (BH, Tk, hs), the queries being the
 * last Tq of the Tk positions.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttention } from "./causal_attention.ts";
 * const q = tf.randomNormal([4, 5, 8]) as tf.Tensor3D;
 * console.log(causalAttention(q, q, q).shape); // [4, 5, 8]
 * ```
 */
export function causalAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  dropout = 0,
  seed?: number,
  causal = true,
): tf.Tensor3D {
  const Tq = q.shape[1], Tk = k.shape[1], hs = q.shape[2];
  // tidy: called outside one, the intermediates would otherwise stay allocated.
  return tf.tidy(() => {
    // (BH, Tq, hs) x (BH, hs, Tk) -> (BH, Tq, Tk)
    const raw = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs));
    const scores = causal ? tf.add(raw, causalBias(Tq, Tk)) : raw;
    let att = tf.softmax(scores);
    if (dropout > 0) att = tf.dropout(att, dropout, undefined, seed);
    return tf.matMul(att, v) as tf.Tensor3D; // (BH, Tq, hs)
  });
}
