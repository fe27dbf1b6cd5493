/**
 * The evidence toolkit: what every notebook uses to state a conclusion honestly. Run each arm
 * over a few seeds ({@link overSeeds}), summarize with a confidence interval ({@link summarize},
 * {@link wilson}), compare against baselines ({@link majorityBaseline}), plot the intervals
 * ({@link errorBarTrace}, {@link bandTraces}) and print a verdict that says whether the data
 * support the claim and why ({@link greaterThan}, {@link showVerdict}).
 *
 * See `stats.ts` for the maths of each interval and `verdict.ts` for the tests.
 *
 * @example
 * ```ts
 * import { greaterThan, overSeeds, seedsFor, showVerdict, summarize } from "./mod.ts";
 * const a = await overSeeds(seedsFor(3), (seed) => 0.8 + seed / 100);
 * const b = await overSeeds(seedsFor(3), (seed) => 0.7 + seed / 100);
 * const v = greaterThan("a beats b", summarize(a.map((r) => r.value)), summarize(b.map((r) => r.value)), { percent: true });
 * await showVerdict(v); // SUPPORTED — a beats b: 82.0% [79.5, 84.5] (n=3) vs 72.0% [69.5, 74.5] (n=3) (95% intervals do not overlap)
 * ```
 *
 * @module
 */
export {
  diffOfMeans,
  fitLine,
  fitPowerLaw,
  type LineFit,
  normalCdf,
  normalQuantile,
  pairedDiff,
  type PowerLawFit,
  type Proportion,
  summarize,
  type Summary,
  tCdf,
  tQuantile,
  wilson,
} from "./stats.ts";
export { overGrid, overSeeds, type SeedOptions, seedsFor } from "./seeds.ts";
export { chanceAccuracy, type MajorityBaseline, majorityBaseline } from "./baselines.ts";
export {
  differenceGreater,
  greaterThan,
  pairedGreater,
  showVerdict,
  type Verdict,
  verdict,
  verdictMarkdown,
  type VerdictOptions,
  within,
} from "./verdict.ts";
export {
  centerOf,
  formatNumber,
  type FormatOptions,
  formatSummary,
  isProportion,
  summaryTable,
  type TableOptions,
  type TableRow,
} from "./table.ts";
export { bandTraces, baselineTrace, errorBarTrace } from "./plot.ts";
