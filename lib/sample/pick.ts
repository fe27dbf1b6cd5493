/**
 * Choosing the next token from a row of logits: greedy, temperature, top-k and top-p (nucleus).
 * Plain JavaScript over a `Float32Array`, so one seeded {@link Rng} makes generation reproducible
 * on every backend.
 *
 * @module
 */
import type { Rng } from "../random.ts";

/** How to turn logits into a token. */
export interface SamplingOptions {
  /** Divide logits by this before the softmax; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the `topK` most likely tokens (default: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches `topP` (default 1). */
  topP?: number;
}

/**
 * Checks sampling options and throws a message naming the bad one.
 *
 * @example
 * ```ts
 * import { validateSampling } from "./pick.ts";
 * validateSampling({ temperature: 0.8, topK: 40, topP: 0.95 });
 * ```
 */
export function validateSampling(opts: SamplingOptions): void {
  const { temperature = 1, topK, topP = 1 } = opts;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new Error(
      `temperature must be a finite number >= 0 (0 = greedy), got ${temperature}.`,
    );
  }
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) {
    throw new Error(`topK must be a positive integer, got ${topK}.`);
  }
  if (!(topP > 0 && topP <= 1)) {
    throw new Error(`topP must lie in (0, 1], got ${topP}.`);
  }
}

/** Throws when a logit is NaN or +Infinity: no distribution can be drawn from them, and
 * comparisons with NaN would otherwise quietly pick some id (the last one, or the first). */
function checkLogits(logits: ArrayLike<number>): void {
  if (logits.length === 0) throw new Error("sampling: no logits were given.");
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (Number.isNaN(z) || z === Infinity) {
      throw new Error(
        `sampling: logit ${i} is ${z}; the model produced non-finite outputs (diverged ` +
          `weights, or a checkpoint saved after training blew up): reload a good checkpoint.`,
      );
    }
  }
}

/**
 * The index of the largest logit (ties: the first).
 *
 * @example
 * ```ts
 * import { argmax } from "./pick.ts";
 * console.log(argmax(new Float32Array([0.1, 2, 0.5]))); // 1
 * ```
 */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) {
    if (logits[i] > logits[best]) best = i;
  }
  return best;
}

/**
 * The probabilities sampling draws from after temperature, top-k and top-p (zeros outside the
 * kept set; the kept set renormalised to sum to 1). With temperature 0, all mass on the argmax.
 *
 * @example
 * ```ts
 * import { samplingDistribution } from "./pick.ts";
 * const p = samplingDistribution(new Float32Array([2, 1, 0, -1]), { topK: 2 });
 * console.log(Array.from(p, (x) => x.toFixed(3))); // ["0.731", "0.269", "0.000", "0.000"]
 * ```
 */
export function samplingDistribution(
  logits: ArrayLike<number>,
  opts: SamplingOptions = {},
): Float64Array {
  validateSampling(opts);
  checkLogits(logits);
  const V = logits.length;
  const probs = new Float64Array(V);
  const temperature = opts.temperature ?? 1;
  if (temperature === 0) {
    probs[argmax(logits)] = 1;
    return probs;
  }
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i] / temperature);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    sum += probs[i] = Math.exp(logits[i] / temperature - max);
  }
  for (let i = 0; i < V; i++) probs[i] /= sum;
  const topK = Math.min(opts.topK ?? V, V), topP = opts.topP ?? 1;
  if (topK < V || topP < 1) {
    // Most likely first; ties keep the lower id first so the kept set is deterministic.
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) =>
      probs[b] - probs[a] || a - b
    );
    let kept = 0, mass = 0;
    while (kept < topK && (kept === 0 || mass < topP)) {
      mass += probs[order[kept++]];
    }
    for (let r = kept; r < V; r++) probs[order[r]] = 0;
    for (let r = 0; r < kept; r++) probs[order[r]] /= mass;
  }
  return probs;
}

/**
 * Draws a token id from `logits` with `rng`.
 *
 * @example
 * ```ts
 * import { Rng } from "../random.ts";
 * import { sampleToken } from "./pick.ts";
 * const rng = new Rng(0);
 * console.log(sampleToken(new Float32Array([0, 5, 0]), rng, { temperature: 0.5 })); // almost surely 1
 * ```
 */
export function sampleToken(
  logits: ArrayLike<number>,
  rng: Rng,
  opts: SamplingOptions = {},
): number {
  if ((opts.temperature ?? 1) === 0) {
    validateSampling(opts);
    checkLogits(logits);
    return argmax(logits);
  }
  const probs = samplingDistribution(logits, opts);
  const u = rng.uniform();
  let acc = 0, last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    last = i;
    acc += probs[i];
    if (u < acc) return i;
  }
  return last; // rounding left the total a hair below u
}
