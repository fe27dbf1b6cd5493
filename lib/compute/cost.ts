/**
 * What pretraining a GPT costs: parameters, the memory training holds (weights, gradients,
 * AdamW's two moments, the activations kept for backprop), floating-point operations per
 * token, and the time an epoch takes at a given throughput. Counts follow this repository's
 * GPT (`lib/models/gpt/gpt.ts`): GPT-2 layout, LM head tied to the token embedding, no
 * activation recomputation.
 *
 * @module
 */
import { countParams, type GPTConfig, validateGPTConfig } from "../models/gpt/gpt.ts";

/** Number formats of a run: everything in float32, or mixed precision with fp32 master weights. */
export type Precision = "fp32" | "mixed";

/** Batch shape and number format of a training run. */
export interface RunShape {
  /** Sequences per optimizer step, B. */
  batchSize: number;
  /** Tokens per sequence, T (default: the model's block size). */
  seqLen?: number;
  /** Default "fp32". */
  precision?: Precision;
}

/** Training memory in bytes, by what holds it. */
export interface MemoryBreakdown {
  /** The weights the forward pass reads (fp16 copy plus fp32 master copy in mixed precision). */
  weights: number;
  /** One gradient per parameter. */
  gradients: number;
  /** AdamW's first and second moments (always fp32). */
  optimizer: number;
  /** Tensors the forward pass keeps for the backward pass, for the whole batch. */
  activations: number;
  /** Sum of the above. */
  total: number;
}

/** Per-token training FLOPs split into the dense and the attention part. */
export interface FlopsPerToken {
  /** 6 × (parameters that take part in a matrix product): 2 forward, 4 backward. */
  dense: number;
  /** 12 × nLayer × nEmbd × T: q·kᵀ and weights·v, forward and backward. */
  attention: number;
  /** dense + attention. */
  total: number;
}

function positive(name: string, v: unknown): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new Error(
      `compute: ${name} must be a positive number, got ${String(v)}.`,
    );
  }
}

function seqLenOf(config: GPTConfig, run: RunShape): number {
  const T = run.seqLen ?? config.blockSize;
  if (!Number.isInteger(T) || T < 1 || T > config.blockSize) {
    throw new Error(
      `compute: seqLen must be an integer in [1, blockSize=${config.blockSize}], got ${T}; ` +
        `leave it out to use the block size.`,
    );
  }
  return T;
}

function checkRun(config: GPTConfig, run: RunShape): number {
  validateGPTConfig(config);
  if (!Number.isInteger(run.batchSize) || run.batchSize < 1) {
    throw new Error(
      `compute: batchSize must be a positive integer, got ${String(run.batchSize)}.`,
    );
  }
  const p = run.precision ?? "fp32";
  if (p !== "fp32" && p !== "mixed") {
    throw new Error(
      `compute: precision must be "fp32" or "mixed", got ${String(p)}.`,
    );
  }
  return seqLenOf(config, run);
}

/**
 * Weights that take part in a matrix product: the four linear layers of every block (12·C² per
 * block) and the LM head (V·C, the token table reused). Biases, LayerNorms and the position
 * table do element-wise work or lookups, a vanishing share of the FLOPs, so they are left out.
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { matmulParams } from "./cost.ts";
 * console.log(matmulParams(gptConfig("gpt2"))); // 12 * 12 * 768 ** 2 + 50257 * 768 = 123532032
 * ```
 */
export function matmulParams(config: GPTConfig): number {
  validateGPTConfig(config);
  const { nLayer, nEmbd: C, vocabSize: V } = config;
  return nLayer * 12 * C * C + V * C;
}

/**
 * Training FLOPs per token: `6N` for the dense products (N = {@link matmulParams}) plus
 * `12·nLayer·nEmbd·T` for the two attention products, which grow with the context T. Causal
 * masking is not discounted, because the full T×T score matrix is computed.
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { flopsPerToken } from "./cost.ts";
 * const f = flopsPerToken(gptConfig("gpt2"));
 * console.log((f.total / 1e9).toFixed(3)); // "0.854" GFLOP per token
 * ```
 */
export function flopsPerToken(
  config: GPTConfig,
  seqLen?: number,
): FlopsPerToken {
  const T = checkRun(config, { batchSize: 1, seqLen });
  const dense = 6 * matmulParams(config);
  const attention = 12 * config.nLayer * config.nEmbd * T;
  return { dense, attention, total: dense + attention };
}

/**
 * Activation elements kept per token for backprop, summed over the model. Per block: the
 * LayerNorm inputs and outputs (4C), q, k and v (3C), the attention output (C), the MLP's
 * hidden layer before and after GELU (8C), and the softmaxed attention weights (nHead·T); with
 * dropout, one mask per dropout site (counted as elements of the same size). After the blocks:
 * the final LayerNorm in and out (2C) and the logits with their softmax (2V).
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { activationElementsPerToken } from "./cost.ts";
 * const c = gptConfig("notes-small", { vocabSize: 65 });
 * console.log(activationElementsPerToken(c)); // 2 * (16 * 32 + 2 * 16) + 2 * 32 + 2 * 65 = 1282
 * ```
 */
export function activationElementsPerToken(
  config: GPTConfig,
  seqLen?: number,
): number {
  const T = checkRun(config, { batchSize: 1, seqLen });
  const { nLayer, nHead, nEmbd: C, vocabSize: V, dropout } = config;
  // Dropout sites per block: attention weights (nHead·T), after attention (C), after MLP (C).
  const masks = dropout > 0 ? nHead * T + 2 * C : 0;
  const perBlock = 16 * C + nHead * T + masks;
  return nLayer * perBlock + (dropout > 0 ? C : 0) + 2 * C + 2 * V;
}

/**
 * Memory a training step needs. fp32: 4 bytes each for weights and gradients, 8 for AdamW's
 * moments, 4 per activation. Mixed: fp16 weights and gradients (2 + 2), an fp32 master copy
 * (4) and moments (8), 2 bytes per activation. Framework workspace and fragmentation come on top.
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { trainingMemory } from "./cost.ts";
 * const m = trainingMemory(gptConfig("gpt2"), { batchSize: 1 });
 * console.log((m.weights / 2 ** 20).toFixed(1)); // "474.7" MiB of fp32 weights
 * ```
 */
export function trainingMemory(
  config: GPTConfig,
  run: RunShape,
): MemoryBreakdown {
  const T = checkRun(config, run);
  const N = countParams(config);
  const mixed = (run.precision ?? "fp32") === "mixed";
  const weights = N * (mixed ? 2 + 4 : 4);
  const gradients = N * (mixed ? 2 : 4);
  const optimizer = N * 8;
  const activations = run.batchSize * T *
    activationElementsPerToken(config, T) *
    (mixed ? 2 : 4);
  return {
    weights,
    gradients,
    optimizer,
    activations,
    total: weights + gradients + optimizer + activations,
  };
}

/**
 * The largest batch whose training memory fits in `memoryBytes` (0 when not even one sequence
 * fits: the weights and optimizer state alone may be too big).
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { maxBatchSize } from "./cost.ts";
 * console.log(maxBatchSize(gptConfig("gpt2"), 8 * 2 ** 30)); // 4 sequences of 1024 tokens in 8 GiB
 * ```
 */
export function maxBatchSize(
  config: GPTConfig,
  memoryBytes: number,
  run: Omit<RunShape, "batchSize"> = {},
): number {
  positive("memoryBytes", memoryBytes);
  const fixed = trainingMemory(config, { ...run, batchSize: 1 });
  const perSeq = fixed.activations;
  const room = memoryBytes - (fixed.total - perSeq);
  return room < perSeq ? 0 : Math.floor(room / perSeq);
}

/**
 * Seconds to train on `tokens` tokens at `flopsPerSecond` peak with a model-FLOPs utilization
 * `utilization` (the fraction of peak a real run sustains; 0.3-0.5 is typical on one GPU).
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { flopsPerToken, trainingSeconds } from "./cost.ts";
 * const f = flopsPerToken(gptConfig("gpt2")).total;
 * console.log(trainingSeconds(9e9, f, 10e12, 0.4) / 86400); // about 22 days for 9B tokens
 * ```
 */
export function trainingSeconds(
  tokens: number,
  flopsPerTokenTotal: number,
  flopsPerSecond: number,
  utilization = 1,
): number {
  positive("tokens", tokens);
  positive("flopsPerToken", flopsPerTokenTotal);
  positive("flopsPerSecond", flopsPerSecond);
  if (!(utilization > 0 && utilization <= 1)) {
    throw new Error(
      `compute: utilization is a fraction of peak in (0, 1], got ${utilization}.`,
    );
  }
  return (tokens * flopsPerTokenTotal) / (flopsPerSecond * utilization);
}

/**
 * Tokens per second a device sustains on a model: `flopsPerSecond · utilization / flopsPerToken`.
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { flopsPerToken, tokensPerSecond } from "./cost.ts";
 * const f = flopsPerToken(gptConfig("gpt2")).total;
 * console.log(Math.round(tokensPerSecond(f, 10e12, 0.4))); // about 4700
 * ```
 */
export function tokensPerSecond(
  flopsPerTokenTotal: number,
  flopsPerSecond: number,
  utilization = 1,
): number {
  return 1 /
    trainingSeconds(1, flopsPerTokenTotal, flopsPerSecond, utilization);
}
