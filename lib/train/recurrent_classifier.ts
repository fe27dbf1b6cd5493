/**
 * The recurrent classifier's training loop: Adam at the model's learning rate, the gradients'
 * global norm clipped to the model's `clipNorm`, batches drawn without replacement from a
 * seeded shuffle.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random.ts";
import { clipByGlobalNorm } from "../optim/clip.ts";
import type { RecurrentClassifier } from "../models/classic/recurrent_classifier.ts";

/** Settings of one {@link fitRecurrentClassifier} call. */
export interface FitRecurrentOptions {
  /** Optimizer steps. */
  steps: number;
  /** Sequences per step (default 64). */
  batchSize?: number;
  /** Called after every step with its loss. */
  onStep?: (step: number, loss: number) => void;
}

/**
 * Trains `model` for `steps` Adam steps on batches drawn without replacement from a seeded
 * shuffle (reshuffled when used up); returns the loss of every step. Each call starts a fresh
 * optimizer and batch order, freed at the end.
 *
 * @example
 * ```ts
 * import { RecurrentClassifier } from "../models/classic/recurrent_classifier.ts";
 * import { fitRecurrentClassifier } from "./recurrent_classifier.ts";
 * const m = new RecurrentClassifier({ cell: "gru", symbols: 4, classes: 4, hidden: 8 });
 * const losses = fitRecurrentClassifier(m, [[0, 1, 2], [3, 2, 1]], [0, 3], { steps: 5 });
 * console.log(losses.length); // 5
 * m.dispose();
 * ```
 */
export function fitRecurrentClassifier(
  model: RecurrentClassifier,
  ids: readonly number[][],
  labels: readonly number[],
  options: FitRecurrentOptions,
): number[] {
  const { steps, batchSize = 64 } = options;
  if (ids.length !== labels.length || ids.length === 0) {
    throw new Error(
      `fitRecurrentClassifier: ${ids.length} sequences and ${labels.length} labels; ` +
        `pass one label per sequence.`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`fitRecurrentClassifier: steps must be a positive integer, got ${steps}.`);
  }
  // The batch order's own stream (seed + 11: apart from the weights' seeds), and a fresh Adam
  // at the model's learning rate for this call.
  const rng = new Rng(model.config.seed + 11);
  const optimizer = tf.train.adam(model.config.learningRate);
  const vars = model.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  let order: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      if (order.length < batchSize) {
        order = order.concat(rng.shuffle(ids.map((_, i) => i)));
      }
      const pick = order.splice(0, Math.min(batchSize, ids.length));
      const loss = tf.tidy(() => {
        const x = model.oneHot(pick.map((i) => ids[i]));
        const { value, grads } = tf.variableGrads(
          () => model.loss(x, pick.map((i) => labels[i])),
          vars,
        );
        const clipped = clipByGlobalNorm(grads, model.config.clipNorm).grads;
        optimizer.applyGradients(
          Object.entries(clipped).map(([name, tensor]) => ({ name, tensor })),
        );
        return value;
      });
      const v = loss.dataSync()[0];
      loss.dispose();
      losses.push(v);
      options.onStep?.(s, v);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}
