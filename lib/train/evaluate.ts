/**
 * Loss estimates on fixed batches: the mean cross-entropy over `iters` batches drawn from a
 * fixed seed (so two estimates differ only because the model did), and its perplexity. The
 * model's own randomness (a masked LM's masks) is seeded too, from `lossSeed`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchSampler } from "../data/batches.ts";
import type { TrainableModel } from "./config.ts";

// Small batches are evaluated up to 4 at a time, within this many tokens per forward pass
// (so large models never get a larger activation footprint than training already has).
const EVAL_GROUP = 4;
const EVAL_GROUP_TOKENS = 4096;

/** Where and how {@link estimateLoss} samples its batches. */
export interface EstimateOptions {
  /** Tokens per row. */
  blockSize: number;
  /** Rows per batch. */
  batchSize: number;
  /** Seed of the batch positions (the same seed gives the same batches). */
  seed: number;
  /** Batches averaged. */
  iters: number;
  /**
   * Seed passed to the model's `loss` (default: `seed`). Models whose loss draws randomness,
   * such as a masked LM choosing which tokens to mask, then give the same number on every
   * evaluation; forward pass `i` (counted in batches) uses `lossSeed + i`.
   */
  lossSeed?: number;
}

/**
 * Perplexity of a mean token cross-entropy (in nats): `exp(loss)`, the effective number of
 * equally likely next tokens the model hesitates between.
 *
 * @example
 * ```ts
 * import { perplexity } from "./evaluate.ts";
 * console.log(perplexity(Math.log(65))); // 65: as unsure as a uniform guess over 65 characters
 * ```
 */
export function perplexity(meanCrossEntropy: number): number {
  return Math.exp(meanCrossEntropy);
}

/**
 * Mean cross-entropy of `model` on `iters` batches of `data` (no dropout, no gradients).
 * Batches have equal sizes, so the mean of their means is the mean over all their tokens.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { estimateLoss, perplexity } from "./evaluate.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * const data = Int32Array.from({ length: 200 }, (_, i) => i % 10);
 * const loss = await estimateLoss(model, data, { blockSize: 8, batchSize: 4, seed: 1, iters: 2 });
 * console.log(loss, perplexity(loss)); // about ln 10 and 10 before training
 * model.dispose();
 * ```
 */
export async function estimateLoss(
  model: TrainableModel,
  data: Int32Array,
  opts: EstimateOptions,
): Promise<number> {
  const { blockSize, batchSize, seed, iters } = opts;
  const lossSeed = opts.lossSeed ?? seed;
  if (!(Number.isInteger(iters) && iters > 0)) {
    throw new Error(`evaluate needs a positive whole number of batches, got ${iters}`);
  }
  const sampler = new BatchSampler(data, blockSize, batchSize, seed);
  const group = Math.max(
    1,
    Math.min(EVAL_GROUP, Math.floor(EVAL_GROUP_TOKENS / (batchSize * blockSize))),
  );
  let sum = tf.scalar(0);
  for (let done = 0; done < iters;) {
    // Several batches in one forward pass: larger matmuls run faster per row.
    const n = Math.min(group, iters - done);
    const next = tf.tidy(() => {
      const xs: tf.Tensor2D[] = [], ys: tf.Tensor2D[] = [];
      for (let i = 0; i < n; i++) {
        const { x, y } = sampler.nextTensors();
        xs.push(x);
        ys.push(y);
      }
      const x = n === 1 ? xs[0] : tf.concat(xs, 0); // (n*B, T)
      const y = n === 1 ? ys[0] : tf.concat(ys, 0);
      return tf.add(
        sum,
        tf.mul(model.loss(x, y, { training: false, seed: lossSeed + done }), n),
      ) as tf.Scalar;
    });
    sum.dispose();
    sum = next;
    done += n;
  }
  const total = (await sum.data())[0];
  sum.dispose();
  return total / iters;
}
