/**
 * Training loops, all on one shared step ({@link optimizerStep}: gradients, global-norm clip,
 * a stop before a non-finite update, AdamW): the GPT {@link Trainer} (evaluation,
 * best-checkpoint saving, a progress bar, exact resume), {@link trainSeq2Seq} for the
 * encoder-decoders and {@link fineTune} for GPT-1's classifier. The optimiser pieces (AdamW,
 * clipping, schedules) live in lib/optim and are re-exported here.
 *
 * @example
 * ```ts
 * import { cosineSchedule } from "./mod.ts";
 * const lrAt = cosineSchedule({ lr: 1e-3, minLr: 1e-4, warmupIters: 100, decayIters: 2000 });
 * console.log(lrAt(99)); // 0.00099...
 * ```
 *
 * @module
 */
// The optimiser pieces a training script needs with the Trainer, from lib/optim, so that one
// import of lib/train is enough.
export { AdamW, type AdamWOptions, type AdamWState, type MomentData } from "../optim/adamw.ts";
export { clipByGlobalNorm } from "../optim/clip.ts";
export {
  DEFAULT_TRAIN_CONFIG,
  type TrainableModel,
  type TrainConfig,
  validateTrainConfig,
} from "./config.ts";
export { estimateLoss, type EstimateOptions, perplexity } from "./evaluate.ts";
export { type FreezeSpec, frozenNames } from "../optim/freeze.ts";
export {
  cosineSchedule,
  type LinearScheduleOptions,
  linearWarmupDecay,
  type ScheduleOptions,
} from "../optim/schedule.ts";
export { fineTune, type FineTuneOptions } from "./fine_tune.ts";
export {
  evaluateLoss,
  trainSeq2Seq,
  type TrainSeq2SeqOptions,
  type TrainSeq2SeqResult,
} from "./seq2seq.ts";
export { fitRecurrentClassifier, type FitRecurrentOptions } from "./recurrent_classifier.ts";
export { trainWord2Vec, type Word2VecTrainOptions } from "./word2vec.ts";
export { optimizerStep, type OptimizerStepOptions, TrainingDivergedError } from "./step.ts";
export {
  type CheckpointTarget,
  type EvalEvent,
  type EvalRecord,
  type ProgressEvent,
  type StepEvent,
  Trainer,
  type TrainerOptions,
  type TrainResult,
} from "./trainer.ts";
