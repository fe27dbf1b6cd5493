/**
 * What every bench reports beside its rounds: their median, and the machine's load while they
 * ran (other work on these shared machines skews a round).
 *
 * @module
 */

/**
 * Median of `xs` (NaN when empty).
 *
 * @example
 * ```ts
 * import { median } from "./_round_stats.ts";
 * console.log(median([3, 1, 2]), median([4, 1, 2, 3])); // 2 2.5
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The 1-, 5- and 15-minute load averages from /proc/loadavg, as "1.2 0.9 0.7", or "unknown"
 * off Linux.
 *
 * @example
 * ```ts
 * import { loadAverage } from "./_round_stats.ts";
 * console.log(loadAverage().split(" ")[0]); // the 1-minute figure, e.g. "1.21"
 * ```
 */
export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}
