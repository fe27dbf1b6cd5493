/**
 * Fine-tuning a {@link GPTClassifier} the way GPT-1 did: AdamW with weight decay, a linear
 * warmup then linear decay to 0, gradient clipping at 1, on the step every training loop here
 * shares ({@link optimizerStep}).
 *
 * @module
 */
import { Rng } from "../random.ts";
import { AdamW } from "../optim/adamw.ts";
import { linearWarmupDecay } from "../optim/schedule.ts";
import { optimizerStep } from "./step.ts";
import type { ClassBatch, GPTClassifier } from "../models/gpt/gpt_classifier.ts";

/**
 * Settings of {@link fineTune}.
 *
 * @example
 * ```ts
 * import type { FineTuneOptions } from "./fine_tune.ts";
 * const o: FineTuneOptions = { steps: 100, batchSize: 16, lr: 6.25e-5, seed: 1 };
 * console.log(o.warmupFraction ?? 0.002);
 * ```
 */
export interface FineTuneOptions {
  /** Optimizer steps. */
  steps: number;
  /** Examples per step (drawn in seeded epochs, without replacement within an epoch). */
  batchSize: number;
  /** Peak learning rate (GPT-1: 6.25e-5). */
  lr: number;
  /** Share of steps spent warming up linearly before the linear decay to 0 (GPT-1: 0.002). */
  warmupFraction?: number;
  /** Weight decay (GPT-1: 0.01). */
  weightDecay?: number;
  /** Seed of batch order and dropout. */
  seed: number;
  /** Called after each step with the loss (for progress bars). */
  onStep?: (step: number, loss: number) => void;
}

/**
 * Fine-tunes `clf` on pre-built examples with AdamW, GPT-1's schedule (linear warmup, linear
 * decay: `linearWarmupDecay` of `lib/optim`) and gradient clipping at 1, one `optimizerStep` per batch, the step every training loop shares. Returns the loss of every step.
 * All temporaries are freed. A loss or gradient norm that stops being finite throws
 * `TrainingDivergedError` before that step's update.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { classBatch, GPTClassifier } from "../models/gpt/gpt_classifier.ts";
 * import { fineTune } from "./fine_tune.ts";
 * const clf = new GPTClassifier(new GPT(gptConfig("notes-small", { vocabSize: 10 })), 2);
 * const data = classBatch([[3, 4], [5, 6], [3, 3], [6, 6]], [0, 1, 0, 1], { startId: 1, extractId: 2, padId: 0, blockSize: 8 });
 * const losses = await fineTune(clf, data, { steps: 5, batchSize: 2, lr: 1e-3, seed: 1 });
 * console.log(losses.length); // 5
 * clf.dispose();
 * ```
 */
export async function fineTune(
  clf: GPTClassifier,
  data: ClassBatch,
  opts: FineTuneOptions,
): Promise<number[]> {
  const n = data.ids.length;
  if (n === 0) throw new Error("fineTune: no examples.");
  if (!Number.isInteger(opts.steps) || opts.steps < 1) {
    throw new Error(`fineTune: steps must be a positive integer, got ${opts.steps}.`);
  }
  const bs = Math.min(opts.batchSize, n);
  const lrAt = linearWarmupDecay({
    lr: opts.lr,
    warmupIters: Math.max(1, Math.round(opts.steps * (opts.warmupFraction ?? 0.002))),
    totalIters: opts.steps,
  });
  // No tidy needed: AdamW frees the zeros its moments start from (`ownedVariable`), as in Trainer.
  const optimizer = new AdamW(clf.params, { weightDecay: opts.weightDecay ?? 0.01 });
  const rng = new Rng(opts.seed);
  let order: number[] = [];
  const losses: number[] = [];
  try {
    for (let s = 0; s < opts.steps; s++) {
      if (order.length < bs) {
        const fresh = [...Array(n).keys()];
        for (let i = n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [fresh[i], fresh[j]] = [fresh[j], fresh[i]];
        }
        order = order.concat(fresh);
      }
      const pick = order.splice(0, bs);
      const T = Math.max(...pick.map((i) => data.lengths[i]));
      const batch: ClassBatch = {
        ids: pick.map((i) => data.ids[i].slice(0, T)),
        lengths: pick.map((i) => data.lengths[i]),
        labels: pick.map((i) => data.labels[i]),
      };
      // The shared step: gradients, clipping at 1, and a stop before the update (weights kept)
      // when the loss or the gradient norm is not finite.
      const { loss } = await optimizerStep({
        loss: () => clf.loss(batch, { training: true, seed: (opts.seed * 100_003 + s) >>> 0 }),
        optimizer,
        params: clf.params,
        lr: lrAt(s),
        gradClip: 1,
        step: s,
      });
      losses.push(loss);
      opts.onStep?.(s, loss);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}
