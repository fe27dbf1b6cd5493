/**
 * A training run's settings ({@link TrainConfig}, nanoGPT's names and defaults) and what a model
 * must offer to be trained ({@link TrainableModel}).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** What the trainer needs from a model: named variables and a loss. `GPT` fits. */
export interface TrainableModel {
  /** Trainable variables by (Hugging Face) name. */
  readonly params: Map<string, tf.Variable>;
  /**
   * Mean cross-entropy of predicting `targets` (B, T) from `idx` (B, T). `seed` fixes the
   * dropout masks so that training is reproducible.
   */
  loss(
    idx: tf.Tensor2D,
    targets: tf.Tensor2D,
    opts?: { training?: boolean; seed?: number },
  ): tf.Scalar;
  /** When present, batches are checked against it before training starts. */
  readonly config?: { vocabSize?: number; blockSize?: number };
}

/** Settings of a run. Defaults are nanoGPT's CPU "baby" Shakespeare run. */
export interface TrainConfig {
  /** Optimizer steps in the whole run. */
  maxIters: number;
  /** Rows per batch, B. */
  batchSize: number;
  /** Tokens per row, T (at most the model's block size). */
  blockSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Learning-rate floor reached at `lrDecayIters`. */
  minLr: number;
  /** Linear warmup steps. */
  warmupIters: number;
  /** Step where the cosine decay ends (usually `maxIters`). */
  lrDecayIters: number;
  /** AdamW decoupled weight decay (matrices and embeddings only). */
  weightDecay: number;
  /** AdamW beta1. */
  beta1: number;
  /** AdamW beta2. */
  beta2: number;
  /** AdamW epsilon. */
  eps: number;
  /** Global gradient-norm limit; 0 disables clipping. */
  gradClip: number;
  /** Steps between evaluations (and checkpoint saves). */
  evalInterval: number;
  /** Batches averaged per split in each evaluation. */
  evalIters: number;
  /** Seed of the batch order (and of the fixed evaluation batches). */
  seed: number;
  /** Save at every evaluation, not only when val loss improves. */
  alwaysSaveCheckpoint: boolean;
}

/**
 * nanoGPT's CPU "baby" Shakespeare settings.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN_CONFIG } from "./config.ts";
 * console.log(DEFAULT_TRAIN_CONFIG.lr, DEFAULT_TRAIN_CONFIG.maxIters); // 0.001 2000
 * ```
 */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  maxIters: 2000,
  batchSize: 12,
  blockSize: 64,
  lr: 1e-3,
  minLr: 1e-4,
  warmupIters: 100,
  lrDecayIters: 2000,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  gradClip: 1.0,
  evalInterval: 250,
  // nanoGPT's CPU command line (`--eval_iters=20`); the script's final evaluation uses more.
  evalIters: 20,
  seed: 1337,
  alwaysSaveCheckpoint: false,
});

/**
 * Throws a message naming the setting when `c` has a value no run can use.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN_CONFIG, validateTrainConfig } from "./config.ts";
 * validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG }); // fine
 * try { validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG, batchSize: 0 }); } catch (e) { console.log(String(e)); }
 * ```
 */
export function validateTrainConfig(c: TrainConfig): void {
  const ints = [
    "maxIters",
    "batchSize",
    "blockSize",
    "evalInterval",
    "evalIters",
  ] as const;
  for (const k of ints) {
    if (!Number.isInteger(c[k]) || c[k] < 1) {
      throw new Error(
        `train config: ${k} must be a positive integer, got ${c[k]}`,
      );
    }
  }
  if (!Number.isFinite(c.seed)) {
    throw new Error(`train config: seed must be a number`);
  }
  if (!(c.gradClip >= 0)) {
    throw new Error(
      `train config: gradClip must be >= 0 (0 disables), got ${c.gradClip}`,
    );
  }
}
