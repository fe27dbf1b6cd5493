/**
 * Running an experiment over several seeds. One run is an anecdote: the spread over seeds is
 * what tells a real difference from initialisation and data-order noise, so every experiment
 * runs a few seeds (the same ones in every arm, so arms can be compared pairwise) and reports
 * the mean with its interval (see `stats.ts`).
 *
 * Runs are sequential (the machine's cores are already used by each run) and in seed order, so
 * the results are deterministic and their order is that of `seeds`.
 *
 * @module
 */
import { ProgressBar } from "../notebook/progress.ts";

/** Options of {@link overSeeds} and {@link overGrid}. */
export interface SeedOptions {
  /** Label of the progress bar. */
  label?: string;
  /** Show a progress bar (default false). */
  progress?: boolean;
}

/**
 * A deterministic list of `n` seeds: `base, base + 1, …, base + n − 1`.
 *
 * @example
 * ```ts
 * import { seedsFor } from "./seeds.ts";
 * console.log(seedsFor(3)); // [1, 2, 3]
 * ```
 */
export function seedsFor(n: number, base = 1): number[] {
  if (!(Number.isInteger(n) && n > 0)) {
    throw new Error(`seedsFor: n must be a positive whole number of seeds, got ${n}`);
  }
  if (!Number.isInteger(base)) {
    throw new Error(`seedsFor: base must be a whole number, got ${base}`);
  }
  return Array.from({ length: n }, (_, i) => base + i);
}

/**
 * Runs `run(seed)` for each seed, one after another, and returns `{ seed, value }` in the
 * order of `seeds`.
 *
 * @example
 * ```ts
 * import { overSeeds, seedsFor } from "./seeds.ts";
 * const runs = await overSeeds(seedsFor(3), (seed) => seed * 10);
 * console.log(runs.map((r) => r.value)); // [10, 20, 30]
 * ```
 */
export async function overSeeds<T>(
  seeds: number[],
  run: (seed: number) => T | Promise<T>,
  options: SeedOptions = {},
): Promise<{ seed: number; value: T }[]> {
  const grid = await overGrid([undefined], seeds, (_s, seed) => run(seed), options);
  return grid.map(({ seed, value }) => ({ seed, value }));
}

/**
 * Runs `run(setting, seed)` for every setting and every seed (settings outer, seeds inner),
 * one after another; returns `{ setting, seed, value }` in that order.
 *
 * @example
 * ```ts
 * import { overGrid } from "./seeds.ts";
 * const r = await overGrid([16, 64], [1, 2], (labels, seed) => labels + seed);
 * console.log(r.map((x) => x.value)); // [17, 18, 65, 66]
 * ```
 */
export async function overGrid<S, T>(
  settings: S[],
  seeds: number[],
  run: (setting: S, seed: number) => T | Promise<T>,
  options: SeedOptions = {},
): Promise<{ setting: S; seed: number; value: T }[]> {
  if (seeds.length === 0) throw new Error("overGrid: no seeds given; use seedsFor(n) for n seeds");
  if (settings.length === 0) throw new Error("overGrid: no settings given");
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) {
    throw new Error(`overGrid: seed ${dup} appears twice; repeated seeds repeat the same run`);
  }
  const total = settings.length * seeds.length;
  const bar = options.progress
    ? new ProgressBar(total, { label: options.label ?? "seeds" })
    : undefined;
  const out: { setting: S; seed: number; value: T }[] = [];
  for (const setting of settings) {
    for (const seed of seeds) {
      out.push({ setting, seed, value: await run(setting, seed) });
      await bar?.update(out.length, { seed });
    }
  }
  await bar?.finish();
  return out;
}
