/**
 * GPT's causal self-attention: one (C, 3C) projection makes queries, keys and values for all
 * heads at once, heads run as a batch, and an optional key/value cache lets generation feed
 * one new token at a time.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { causalBias } from "./mask.ts";
import { fusedAttentionAvailable, fusedCausalAttentionPacked } from "./causal_kernel.ts";
import { linear } from "../ops/linear.ts";
import { nativeOpsActive } from "../backend/native_ops.ts";
import { nativeCausalAttention } from "./causal_native.ts";

/** Keys and values of the tokens seen so far for one layer, each (nh*B, Tpast, hs), heads outermost. */
export interface LayerKV {
  /** Cached keys. */
  k: tf.Tensor3D;
  /** Cached values. */
  v: tf.Tensor3D;
}

/** Weights in Hugging Face's Conv1D layout: (in, out). Biases are absent when `bias: false`. */
export interface CausalSelfAttentionWeights {
  /** (C, 3C): columns are [queries | keys | values]. */
  cAttnW: tf.Tensor;
  /** (3C). */
  cAttnB?: tf.Tensor;
  /** (C, C). */
  cProjW: tf.Tensor;
  /** (C). */
  cProjB?: tf.Tensor;
}

/** Options for {@link causalSelfAttention}. */
export interface CausalSelfAttentionOptions {
  /** Keys/values of earlier tokens; the new tokens come after them. */
  past?: LayerKV;
  /** Return the keys/values including the new tokens (for the next step). */
  cache?: boolean;
  /** Dropout on the attention weights (training only). */
  dropout?: number;
  /** Seed for that dropout. */
  seed?: number;
  /** Mask future positions (default true); false gives BERT's bidirectional attention. */
  causal?: boolean;
}

/** Output of {@link causalSelfAttention}. */
export interface CausalSelfAttentionResult {
  /** (B*T, C). */
  y: tf.Tensor2D;
  /** Present when `cache` was asked for: keys/values of past and new tokens. */
  present?: LayerKV;
}

/**
 * Causal self-attention over `x` (B*T, C) laid out batch-major. Rows are flattened so that every
 * projection is one plain 2-D matmul (the fast path on wasm).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSelfAttention } from "./causal_self_attention.ts";
 * const C = 8, B = 2, T = 3;
 * const w = { cAttnW: tf.randomNormal([C, 3 * C]), cProjW: tf.randomNormal([C, C]) };
 * const { y } = causalSelfAttention(tf.randomNormal([B * T, C]), B, 2, w);
 * console.log(y.shape); // [6, 8]
 * ```
 */
export function causalSelfAttention(
  x: tf.Tensor2D,
  batch: number,
  nHead: number,
  w: CausalSelfAttentionWeights,
  opts: CausalSelfAttentionOptions = {},
): CausalSelfAttentionResult {
  const [N, C] = x.shape;
  if (C % nHead !== 0) {
    throw new Error(
      `causal self-attention: nHead (${nHead}) must divide the width (${C}).`,
    );
  }
  if (N % batch !== 0) {
    throw new Error(
      `causal self-attention: ${N} rows do not split into batch ${batch}.`,
    );
  }
  const B = batch, T = N / batch, hs = C / nHead;
  const qkv = linear(x, w.cAttnW, w.cAttnB); // (B*T, 3C)
  const drop = opts.dropout ?? 0;
  const causal = opts.causal ?? true;
  if (causal && !opts.past && !opts.cache && drop === 0 && nativeOpsActive()) {
    // tensorflow with lib's ops: heads read from and written to the row layout in one op.
    return { y: linear(nativeCausalAttention(qkv, B, nHead), w.cProjW, w.cProjB) };
  }
  // (B*T, 3C) -> (B*T, 3nh, hs) -> (3nh, B*T, hs) -> three (nh*B, T, hs). Heads come first in
  // the batch order: a 3-D transpose is fast on wasm, the 5-D one a (b, head) order needs is not.
  let present: LayerKV | undefined;
  const heads = tf.reshape(
    tf.transpose(tf.reshape(qkv, [N, 3 * nHead, hs]), [1, 0, 2]),
    [3, nHead * B, T, hs],
  );
  let y: tf.Tensor3D; // (nh*B, T, hs)
  // The fused loops cover training (dropout included) but only the causal mask; a key/value
  // cache and bidirectional attention take the tensor ops.
  if (causal && !opts.past && fusedAttentionAvailable()) {
    y = fusedCausalAttentionPacked(heads as tf.Tensor4D, { dropout: drop, seed: opts.seed });
  } else {
    const [q, kNew, vNew] = tf.unstack(heads) as tf.Tensor3D[];
    let k = kNew, v = vNew;
    if (opts.past) {
      k = tf.concat([opts.past.k, kNew], 1);
      v = tf.concat([opts.past.v, vNew], 1);
    }
    y = causalAttention(q, k, v, drop, opts.seed, causal);
    if (opts.cache) present = { k, v };
  }
  if (opts.cache && !present) {
    const [, k, v] = tf.unstack(heads) as tf.Tensor3D[];
    present = { k, v };
  }
  // (nh*B, T, hs) -> (nh, B*T, hs) -> (B*T, nh, hs) -> (B*T, C)
  const merged = tf.reshape(
    tf.transpose(tf.reshape(y, [nHead, N, hs]), [1, 0, 2]),
    [N, C],
  );
  return {
    y: linear(merged as tf.Tensor2D, w.cProjW, w.cProjB),
    present,
  };
}

/**
 * Heads-batched causal attention: q (BH, Tq, hs) over k, v (BH, Tk, hs), the queries being the
 * last Tq of the Tk positions.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttention } from "./causal_self_attention.ts";
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
