/**
 * Learning-rate schedules: nanoGPT's (a linear warmup from almost zero, then a cosine curve from
 * the peak rate down to `minLr`, held flat after `decayIters`) and GPT-1's fine-tuning one (a
 * linear warmup, then a linear decay to zero).
 *
 * @module
 */

/** Settings of {@link cosineSchedule}. */
export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  /** Floor the cosine decays to (nanoGPT uses lr / 10). */
  minLr: number;
  /** Steps of linear warmup. */
  warmupIters: number;
  /** Step at which the decay reaches `minLr` (usually the run's length). */
  decayIters: number;
}

/**
 * Returns a function from step number (0-based) to learning rate. During warmup the rate
 * climbs linearly so that Adam's early, noisy moment estimates cannot throw the weights far;
 * the cosine then spends more steps near the peak and near the floor than a linear ramp would.
 *
 * @example
 * ```ts
 * import { cosineSchedule } from "./schedule.ts";
 * const lrAt = cosineSchedule({ lr: 1e-3, minLr: 1e-4, warmupIters: 100, decayIters: 2000 });
 * console.log(lrAt(0), lrAt(100), lrAt(1050), lrAt(2000)); // ~1e-5, 1e-3, 5.5e-4, 1e-4
 * ```
 */
export function cosineSchedule(
  opts: ScheduleOptions,
): (step: number) => number {
  const { lr, minLr, warmupIters, decayIters } = opts;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new Error(`learning rate must be a positive number, got ${lr}`);
  }
  if (!(minLr >= 0 && minLr <= lr)) {
    throw new Error(`minLr must lie in [0, lr=${lr}], got ${minLr}`);
  }
  if (!Number.isInteger(warmupIters) || warmupIters < 0) {
    throw new Error(`warmupIters must be an integer >= 0, got ${warmupIters}`);
  }
  if (!Number.isInteger(decayIters) || decayIters < warmupIters) {
    throw new Error(
      `decayIters (${decayIters}) must be an integer >= warmupIters (${warmupIters})`,
    );
  }
  return (step: number) => {
    // (step + 1) so that step 0 already learns a little instead of doing nothing.
    if (step < warmupIters) return lr * (step + 1) / (warmupIters + 1);
    if (step >= decayIters) return minLr;
    const progress = (step - warmupIters) / (decayIters - warmupIters); // 0 -> 1
    return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - minLr);
  };
}

/** Settings of {@link linearWarmupDecay}. */
export interface LinearScheduleOptions {
  /** Peak learning rate, reached at the last warmup step. */
  lr: number;
  /** Steps of linear warmup (at least 1). */
  warmupIters: number;
  /** Length of the run; the rate reaches zero there. */
  totalIters: number;
}

/**
 * GPT-1's fine-tuning schedule (Radford et al. 2018: "linear learning rate decay schedule with
 * warmup over 0.2% of training"): step `s < warmupIters` runs at `lr * (s + 1) / warmupIters`,
 * so the peak is reached on the last warmup step; the rate then falls linearly and would reach
 * zero one step after the run ends, so that the last step still learns.
 *
 * @example
 * ```ts
 * import { linearWarmupDecay } from "./schedule.ts";
 * const lrAt = linearWarmupDecay({ lr: 1e-3, warmupIters: 2, totalIters: 10 });
 * console.log(lrAt(0), lrAt(1), lrAt(2), lrAt(9)); // 0.0005 0.001 ~8.9e-4 ~1.1e-4
 * ```
 */
export function linearWarmupDecay(
  opts: LinearScheduleOptions,
): (step: number) => number {
  const { lr, warmupIters: warm, totalIters: total } = opts;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new Error(`learning rate must be a positive number, got ${lr}`);
  }
  if (!Number.isInteger(warm) || warm < 1) {
    throw new Error(`warmupIters must be an integer >= 1, got ${warm}`);
  }
  if (!Number.isInteger(total) || total < 1) {
    throw new Error(`totalIters must be an integer >= 1, got ${total}`);
  }
  return (s: number) =>
    s < warm ? lr * (s + 1) / warm : lr * Math.max(0, (total - s) / (total - warm + 1));
}
