/**
 * Causal attention of new tokens over a key/value cache, as a generation step runs it: the new
 * tokens' projection rows `qkv` (B*Tn, 3C) and the cache's keys and values (nh*B, Tp, hs), heads
 * outermost, give the merged heads (B*Tn, C) and the cache with the new tokens appended
 * (nh*B, Tp+Tn, hs). New token i sits at position Tp+i and sees keys 0..Tp+i. Two versions that
 * compute the same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: the rows split into heads, the new keys and values concatenated onto the cache,
 *   {@link causalAttention}, the heads merged back (about a dozen tensor ops);
 * - lib (tensorflow): lib's `LlmCachedAttention` op (lib/ops/cached_attention.cc), one call.
 *
 * The op has no gradient: it runs only while no gradient tape records ({@link recording}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { causalAttention, headsToRows, rowsToHeads } from "./causal_attention.ts";
import { pick, recording } from "./dispatch.ts";

/** Output of {@link cachedAttention}. */
export interface CachedAttentionResult {
  /** The merged heads, (B*Tn, C). */
  y: tf.Tensor2D;
  /** Keys of past and new tokens, (nh*B, Tp+Tn, hs). */
  k: tf.Tensor3D;
  /** Values of past and new tokens, (nh*B, Tp+Tn, hs). */
  v: tf.Tensor3D;
}

/**
 * Causal attention of the new tokens' rows `qkv` (B*Tn, 3C) of `batch` sequences, laid out as
 * [queries | keys | values] with the heads side by side in each, over the cached keys `pastK`
 * and values `pastV` (nh*B, Tp, hs), heads outermost. Returns new tensors; the cache is left as
 * it is. A cache of another batch size or width is refused before any work.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cachedAttention } from "./cached_attention.ts";
 * // batch 1, 2 heads of size 4 (width 8), 3 cached tokens, 1 new one
 * const past = tf.randomNormal([2, 3, 4]) as tf.Tensor3D;
 * const { y, k } = cachedAttention(tf.randomNormal([1, 24]) as tf.Tensor2D, past, past, 1, 2);
 * console.log(y.shape, k.shape); // [1, 8] [2, 4, 4]
 * ```
 */
export function cachedAttention(
  qkv: tf.Tensor2D,
  pastK: tf.Tensor3D,
  pastV: tf.Tensor3D,
  batch: number,
  nHead: number,
): CachedAttentionResult {
  const [N, C3] = qkv.shape;
  const [HB, , hs] = pastK.shape;
  if (
    qkv.rank !== 2 || pastK.rank !== 3 || C3 !== 3 * nHead * hs || HB !== nHead * batch ||
    !(batch >= 1) || N % batch !== 0 || pastV.shape.join() !== pastK.shape.join()
  ) {
    throw new Error(
      `cachedAttention: qkv [${qkv.shape}] must be (B*Tn, 3*${nHead}*hs) with B = ${batch} and ` +
        `the cached keys [${pastK.shape}] and values [${pastV.shape}] both (${nHead}*B, Tp, hs): ` +
        `the cache must come from the same model and batch.`,
    );
  }
  return pick(CACHED)(qkv, pastK, pastV, nHead);
}

const CACHED = {
  reference: cachedAttentionReference,
  lib: (qkv: tf.Tensor2D, pastK: tf.Tensor3D, pastV: tf.Tensor3D, nHead: number) => {
    if (recording()) return cachedAttentionReference(qkv, pastK, pastV, nHead);
    const [y, k, v] = runOp("LlmCachedAttention", [qkv, pastK, pastV], [
      { name: "n_head", int: nHead },
    ], 3);
    return { y: y as tf.Tensor2D, k: k as tf.Tensor3D, v: v as tf.Tensor3D };
  },
};

function cachedAttentionReference(
  qkv: tf.Tensor2D,
  pastK: tf.Tensor3D,
  pastV: tf.Tensor3D,
  nHead: number,
): CachedAttentionResult {
  return tf.tidy(() => {
    const batch = pastK.shape[0] / nHead;
    const [q, kNew, vNew] = tf.unstack(rowsToHeads(qkv, batch, nHead)) as tf.Tensor3D[];
    const k = tf.concat([pastK, kNew], 1);
    const v = tf.concat([pastV, vNew], 1);
    return { y: headsToRows(causalAttention(q, k, v), nHead), k, v };
  });
}
