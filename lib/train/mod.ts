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
export * from "./adamw.ts";
export * from "./clip.ts";
export * from "./freeze.ts";
export * from "./schedule.ts";
export * from "./trainer.ts";
