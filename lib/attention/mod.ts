/**
 * Attention: scaled dot-product attention, causal masks, multi-head attention with heads
 * batched, GPT's fused causal self-attention with a key/value cache, and positional encodings.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalMask, scaledDotProductAttention } from "./mod.ts";
 * const x = tf.randomNormal([1, 4, 8]);
 * const { weights } = scaledDotProductAttention(x, x, x, { mask: causalMask(4) });
 * weights.print(); // lower-triangular rows that sum to 1
 * ```
 *
 * @module
 */
export { causalBias, causalMask, MASKED_SCORE } from "../ops/causal_mask.ts";
export {
  type AttentionOptions,
  type AttentionResult,
  scaledDotProductAttention,
} from "./scaled_dot_product.ts";
export { mergeHeads, MultiHeadAttention, type MultiHeadOptions, splitHeads } from "./multi_head.ts";
export { causalAttention } from "../ops/causal_attention.ts";
export {
  causalSelfAttention,
  type CausalSelfAttentionOptions,
  type CausalSelfAttentionResult,
  type CausalSelfAttentionWeights,
  type LayerKV,
} from "./causal_self_attention.ts";
export { type FusedAttentionOptions, fusedCausalAttention } from "../ops/causal_attention_loops.ts";
export { LearnedPositionalEncoding, sinusoidalPositionalEncoding } from "./positional.ts";
