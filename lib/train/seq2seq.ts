/**
 * One training loop for every sequence-to-sequence model: teacher-forced cross-entropy on
 * batches of similar source length, each step taken by {@link optimizerStep} (the GPT
 * trainer's step: one global-norm clip, a stop before a non-finite update, and AdamW, here
 * without weight decay, which is Adam).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random.ts";
import { AdamW } from "../optim/adamw.ts";
import { optimizerStep } from "./step.ts";
import { disposeBatch, makeBatch, splitWords } from "../models/seq2seq/seq2seq_data.ts";
import type { Seq2SeqModel } from "../models/seq2seq/seq2seq_model.ts";

/** Options of {@link trainSeq2Seq}. */
export interface TrainSeq2SeqOptions {
  /** Optimiser steps. */
  steps: number;
  /** Pairs per step (default 64). */
  batchSize?: number;
  /** Adam's learning rate (default 0.002). Adam's other settings are tfjs's defaults
   * (betas 0.9 and 0.999, epsilon 1e-7). */
  learningRate?: number;
  /** Clip the gradients' global norm to this (default 1). */
  clipNorm?: number;
  /** Seed of the batch order (default 0). */
  seed?: number;
  /** Called after every step with the step's loss; a returned promise is awaited. */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

/** What {@link trainSeq2Seq} measured. */
export interface TrainSeq2SeqResult {
  /** Loss of every step. */
  losses: number[];
  /** Wall-clock seconds spent. */
  seconds: number;
}

/**
 * Trains `model` on `pairs`. Batches hold sentences of similar length (sorted by length, cut
 * into batches, batch order shuffled every epoch), so short sentences are not padded to the
 * longest in the corpus. Every pair is checked before the first step.
 *
 * @example
 * ```ts
 * import { generateToyTranslations } from "../data/toy_translation.ts";
 * import { Vocab } from "../models/seq2seq/seq2seq_data.ts";
 * import { Seq2SeqLSTM } from "../models/seq2seq/seq2seq_lstm.ts";
 * import { trainSeq2Seq } from "./seq2seq.ts";
 * const { train } = generateToyTranslations({ train: 200, validation: 0, test: 0, maxLength: 6 });
 * const model = new Seq2SeqLSTM({
 *   sourceVocab: Vocab.fromSentences(train.map((p) => p.source)),
 *   targetVocab: Vocab.fromSentences(train.map((p) => p.target)),
 *   maxSourceLength: 6, maxTargetLength: 8, hidden: 32, embedDim: 16,
 * });
 * const { losses } = await trainSeq2Seq(model, train, { steps: 5, batchSize: 16 });
 * console.log(losses);
 * model.dispose();
 * ```
 */
export async function trainSeq2Seq(
  model: Seq2SeqModel,
  pairs: readonly { source: string; target: string }[],
  options: TrainSeq2SeqOptions,
): Promise<TrainSeq2SeqResult> {
  const {
    steps,
    batchSize = 64,
    learningRate = 0.002,
    clipNorm = 1,
    seed = 0,
    onStep,
  } = options;
  if (!Number.isInteger(steps) || steps < 0) {
    throw new Error(
      `trainSeq2Seq: steps must be an integer >= 0, got ${steps}`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(
      `trainSeq2Seq: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  if (pairs.length === 0) {
    throw new Error("trainSeq2Seq: no training pairs were given.");
  }
  // Encode every pair once up front: a bad pair fails here, not after an hour of training.
  disposeBatch(
    makeBatch(
      pairs,
      model.sourceVocab,
      model.targetVocab,
      model.maxSourceLength,
      model.maxTargetLength,
    ),
  );
  const rng = new Rng(seed);
  const order = pairs.map((p, i) => ({
    i,
    key: splitWords(p.source).length + rng.uniform(),
  }));
  order.sort((a, b) => a.key - b.key);
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += batchSize) {
    batches.push(order.slice(s, s + batchSize).map((o) => o.i));
  }
  // Named by tfjs's unique variable names: the optimizer keys its moments by name.
  const params = new Map(model.variables.map((v) => [v.name, v]));
  const optimizer = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: 0 });
  const losses: number[] = [];
  const t0 = performance.now();
  let queue: number[][] = [];
  try {
    for (let step = 0; step < steps; step++) {
      if (queue.length === 0) queue = rng.shuffle([...batches]);
      const idx = queue.pop()!;
      const batch = makeBatch(
        idx.map((i) => pairs[i]),
        model.sourceVocab,
        model.targetVocab,
        model.maxSourceLength,
        model.maxTargetLength,
      );
      try {
        const { loss } = await optimizerStep({
          loss: () => model.loss(batch),
          optimizer,
          params,
          lr: learningRate,
          gradClip: clipNorm,
          step,
        });
        losses.push(loss);
      } finally {
        disposeBatch(batch);
      }
      await onStep?.(step, losses[step]);
    }
  } finally {
    optimizer.dispose();
  }
  return { losses, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Mean teacher-forced loss of `model` over `pairs` (no training), in batches.
 *
 * @example
 * ```ts
 * import { Vocab } from "../models/seq2seq/seq2seq_data.ts";
 * import { Seq2SeqLSTM } from "../models/seq2seq/seq2seq_lstm.ts";
 * import { evaluateLoss } from "./seq2seq.ts";
 * const pairs = [{ source: "let's go", target: "andiamo" }];
 * const model = new Seq2SeqLSTM({
 *   sourceVocab: Vocab.fromSentences(["let's go"]), targetVocab: Vocab.fromSentences(["andiamo"]),
 *   maxSourceLength: 4, maxTargetLength: 4,
 * });
 * console.log(evaluateLoss(model, pairs)); // about ln(5) before training
 * model.dispose();
 * ```
 */
export function evaluateLoss(
  model: Seq2SeqModel,
  pairs: readonly { source: string; target: string }[],
  batchSize = 256,
): number {
  if (pairs.length === 0) {
    throw new Error("evaluateLoss: no pairs were given.");
  }
  let total = 0, tokens = 0;
  for (let s = 0; s < pairs.length; s += batchSize) {
    const batch = makeBatch(
      pairs.slice(s, s + batchSize),
      model.sourceVocab,
      model.targetVocab,
      model.maxSourceLength,
      model.maxTargetLength,
    );
    const [l, n] = tf.tidy(() => [
      model.loss(batch).arraySync(),
      batch.targetMask.sum().arraySync() as number,
    ]);
    total += l * n;
    tokens += n;
    disposeBatch(batch);
  }
  return total / tokens;
}
