/**
 * GPT's causal self-attention: one (C, 3C) projection makes queries, keys and values for all
 * heads at once, heads run as a batch, and an optional key/value cache lets generation feed
 * one new token at a time.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { linear } from "../ops/linear.ts";
import {
  causalAttention,
  causalAttentionPacked,
  causalAttentionRows,
  headsToRows,
  rowsToHeads,
} from "../ops/causal_attention.ts";
import { cachedAttention } from "../ops/cached_attention.ts";

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
  const qkv = linear(x, w.cAttnW, w.cAttnB); // (B*T, 3C)
  const drop = opts.dropout ?? 0;
  const causal = opts.causal ?? true;
  if (causal && !opts.past && drop === 0) {
    // The plain case: one op from the projection's rows to the merged heads. Filling a cache
    // (generation's prefill) takes the same op, the very numbers a plain forward computes, and
    // keeps the keys and values as heads besides.
    const y = linear(causalAttentionRows(qkv, batch, nHead), w.cProjW, w.cProjB);
    if (!opts.cache) return { y };
    const [, k, v] = tf.unstack(rowsToHeads(qkv, batch, nHead)) as tf.Tensor3D[];
    return { y, present: { k, v } };
  }
  if (causal && opts.past && drop === 0) {
    // A generation step: the new tokens over the cache (one op on tensorflow).
    const { y, k, v } = cachedAttention(qkv, opts.past.k, opts.past.v, batch, nHead);
    const out = linear(y, w.cProjW, w.cProjB);
    if (!opts.cache) {
      k.dispose();
      v.dispose();
      return { y: out };
    }
    return { y: out, present: { k, v } };
  }
  let present: LayerKV | undefined;
  const heads = rowsToHeads(qkv, batch, nHead);
  let y: tf.Tensor3D; // (nh*B, T, hs)
  if (causal && !opts.past) {
    // Training with dropout: the packed op.
    y = causalAttentionPacked(heads, { dropout: drop, seed: opts.seed });
  } else {
    // Keys and values of earlier tokens with dropout, or bidirectional attention: tensor ops.
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
  return {
    y: linear(headsToRows(y, nHead), w.cProjW, w.cProjB),
    present,
  };
}
