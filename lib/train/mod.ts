/**
 * Training: AdamW with decoupled weight decay on matrices, a warmup-then-cosine learning rate,
 * global-norm gradient clipping, and a {@link Trainer} loop with evaluation, best-checkpoint
 * saving, a progress bar and exact resume.
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
export { AdamW, type AdamWOptions, type AdamWState, type MomentData } from "./adamw.ts";
export { clipByGlobalNorm } from "./clip.ts";
export {
  DEFAULT_TRAIN_CONFIG,
  type TrainableModel,
  type TrainConfig,
  validateTrainConfig,
} from "./config.ts";
export { estimateLoss, type EstimateOptions, perplexity } from "./evaluate.ts";
export { type FreezeSpec, frozenNames } from "./freeze.ts";
export {
  cosineSchedule,
  type LinearScheduleOptions,
  linearWarmupDecay,
  type ScheduleOptions,
} from "./schedule.ts";
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
