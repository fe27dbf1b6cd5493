/**
 * Word2vec's training loop: Adam steps (the project's AdamW without weight decay) on batches of
 * skip-gram pairs with negative samples that the model draws from its own seeded stream.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { AdamW } from "../optim/adamw.ts";
import type { Word2Vec } from "../models/classic/word2vec.ts";

/** Settings of one {@link trainWord2Vec} call. */
export interface Word2VecTrainOptions {
  /** Optimizer steps. */
  steps: number;
  /** (word, context) pairs per step (default 512). */
  batchSize?: number;
  /** Adam learning rate (default 0.01). */
  lr?: number;
  /** Called every `every` steps with the mean loss since the last call. */
  onLoss?: (step: number, loss: number) => void | Promise<void>;
  /** Steps between `onLoss` calls (default 100). */
  every?: number;
}

/**
 * Trains `model` for `steps` Adam steps; returns the loss of every step. Each call starts a
 * fresh optimizer (its moments are freed at the end), so two calls of n steps are not one call
 * of 2n steps.
 *
 * @example
 * ```ts
 * import { Word2Vec, wordTokens } from "../models/classic/word2vec.ts";
 * import { trainWord2Vec } from "./word2vec.ts";
 * const text = "the cat sat on the mat . the dog sat on the log . ".repeat(40);
 * const w2v = new Word2Vec(wordTokens(text), { dim: 8, minCount: 1, subsample: 0 });
 * const losses = await trainWord2Vec(w2v, { steps: 20, batchSize: 32 });
 * console.log(losses.length); // 20
 * w2v.dispose();
 * ```
 */
export async function trainWord2Vec(
  model: Word2Vec,
  opts: Word2VecTrainOptions,
): Promise<number[]> {
  const { steps, batchSize = 512, lr = 0.01, onLoss, every = 100 } = opts;
  if (!Number.isInteger(steps) || steps < 0 || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(
      `trainWord2Vec: steps must be a whole number >= 0 and batchSize >= 1, ` +
        `got ${steps} and ${batchSize}.`,
    );
  }
  // The project's AdamW without decay: tfjs's own Adam leaves a tensor behind when disposed.
  const optimizer = new AdamW(
    new Map([["in", model.inVectors], ["out", model.outVectors]]),
    { weightDecay: 0 },
  );
  model.weightsChanged();
  const K = model.options.negatives;
  const losses: number[] = [];
  let since = 0, sum = 0;
  try {
    for (let s = 0; s < steps; s++) {
      const { centres, targets } = model.sampleBatch(batchSize);
      const loss = tf.tidy(() => {
        const c = tf.tensor1d(centres, "int32");
        const t = tf.tensor2d(targets, [batchSize, 1 + K], "int32");
        const { value, grads } = tf.variableGrads(() => model.loss(c, t), [
          model.inVectors,
          model.outVectors,
        ]);
        optimizer.update({
          in: grads[model.inVectors.name],
          out: grads[model.outVectors.name],
        }, lr);
        return value;
      });
      const value = (await loss.data())[0];
      loss.dispose();
      losses.push(value);
      sum += value;
      since++;
      if (onLoss && ((s + 1) % every === 0 || s === steps - 1)) {
        await onLoss(s + 1, sum / since);
        sum = 0;
        since = 0;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}
