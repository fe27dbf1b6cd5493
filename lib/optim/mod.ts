/**
 * Optimisation pieces that know nothing of models or training loops: AdamW with decoupled
 * weight decay on matrices, global-norm gradient clipping, learning-rate schedules (warmup then
 * cosine; warmup then linear decay) and which parameters to freeze. Models that fit
 * themselves (word2vec, the recurrent classifier) and lib/train's loops both use them.
 *
 * @example
 * ```ts
 * import { linearWarmupDecay } from "./mod.ts";
 * const lrAt = linearWarmupDecay({ lr: 1e-3, warmupIters: 10, totalIters: 100 });
 * console.log(lrAt(9), lrAt(99)); // 0.001 at the end of warmup, near 0 at the end
 * ```
 *
 * @module
 */
export { AdamW, type AdamWOptions, type AdamWState, type MomentData } from "./adamw.ts";
export { clipByGlobalNorm } from "./clip.ts";
export { type FreezeSpec, frozenNames } from "./freeze.ts";
export {
  cosineSchedule,
  type LinearScheduleOptions,
  linearWarmupDecay,
  type ScheduleOptions,
} from "./schedule.ts";
