/**
 * Numbers with their intervals as text, and tables of them as markdown.
 *
 * One format everywhere: **value [lo, hi] (n=…)**: the mean (or proportion), then its
 * confidence interval in brackets, then how many seeds (or `k/n` for a proportion), e.g.
 * `81.2% [78.0, 84.4] (n=3)` or `1.902 [1.871, 1.933] (n=5)`. The interval, not an sd, is
 * shown because it is what a conclusion can be read from: two arms whose brackets do not
 * overlap differ at that level. With one seed there is no interval and the text says so:
 * `81.2% (n=1, no interval)`.
 *
 * @module
 */
import type { Proportion, Summary } from "./stats.ts";

/** Options of {@link formatSummary}. */
export interface FormatOptions {
  /** Digits after the decimal point (default: 1 for percentages, else 3 significant digits). */
  digits?: number;
  /** Show as a percentage (×100 and `%`); default true for a {@link Proportion}, else false. */
  percent?: boolean;
}

/**
 * True for a {@link Proportion} (it has `k` and `p`), false for a {@link Summary}.
 *
 * @example
 * ```ts
 * import { isProportion } from "./table.ts";
 * import { wilson } from "./stats.ts";
 * console.log(isProportion(wilson(3, 4))); // true
 * ```
 */
export function isProportion(s: Summary | Proportion): s is Proportion {
  return "p" in s && "k" in s;
}

/**
 * The central value of a summary: its mean, or a proportion's `p`.
 *
 * @example
 * ```ts
 * import { centerOf } from "./table.ts";
 * import { wilson } from "./stats.ts";
 * console.log(centerOf(wilson(3, 4))); // 0.75
 * ```
 */
export function centerOf(s: Summary | Proportion): number {
  return isProportion(s) ? s.p : s.mean;
}

function autoDigits(v: number): number {
  const a = Math.abs(v);
  if (!(a > 0) || !Number.isFinite(a)) return 2;
  return Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(a))));
}

/**
 * A number at `digits` decimals (default: 3 significant digits), `%` appended when `percent`
 * (the value is multiplied by 100 first).
 *
 * @example
 * ```ts
 * import { formatNumber } from "./table.ts";
 * console.log(formatNumber(0.8123, { percent: true })); // "81.2%"
 * console.log(formatNumber(1.9021)); // "1.90"
 * ```
 */
export function formatNumber(v: number, options: FormatOptions = {}): string {
  if (!Number.isFinite(v)) return String(v);
  const x = options.percent ? v * 100 : v;
  const d = options.digits ?? (options.percent ? 1 : autoDigits(x));
  return x.toFixed(d) + (options.percent ? "%" : "");
}

/**
 * A summary as `value [lo, hi] (n=…)` (see the module docs). Proportions show as percentages
 * with `k/n`: `33.3% [9.7, 70.0] (2/6)`.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./table.ts";
 * import { summarize, wilson } from "./stats.ts";
 * console.log(formatSummary(summarize([0.81, 0.79, 0.84]), { percent: true })); // "81.3% [75.1, 87.6] (n=3)"
 * console.log(formatSummary(wilson(2, 6))); // "33.3% [9.7, 70.0] (2/6)"
 * ```
 */
export function formatSummary(s: Summary | Proportion, options: FormatOptions = {}): string {
  const prop = isProportion(s);
  const percent = options.percent ?? prop;
  const center = centerOf(s);
  // Digits for the largest magnitude shown, so a small mean in a wide interval keeps its scale.
  const scale = Math.max(...[center, s.lo, s.hi].filter(Number.isFinite).map(Math.abs));
  const digits = options.digits ?? (percent ? 1 : autoDigits(scale));
  const f = (v: number) => (percent ? v * 100 : v).toFixed(digits);
  const value = f(center) + (percent ? "%" : "");
  const count = prop ? `(${s.k}/${s.n})` : `(n=${s.n})`;
  if (!Number.isFinite(s.lo) || !Number.isFinite(s.hi)) {
    return `${value} ${count.slice(0, -1)}, no interval)`;
  }
  return `${value} [${f(s.lo)}, ${f(s.hi)}] ${count}`;
}

/** A table row: a label and its cells by column name. */
export interface TableRow {
  label: string;
  cells: Record<string, Summary | Proportion | number | string>;
}

/** Options of {@link summaryTable}. */
export interface TableOptions extends FormatOptions {
  /** Header of the label column (default empty). */
  labelHeader?: string;
  /** Column order (default: the order in which columns first appear in the rows). */
  columns?: string[];
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * A markdown table: one row per entry, one column per cell name. Summaries and proportions are
 * written with {@link formatSummary} (`percent` applies to summaries; proportions are always
 * percentages), plain numbers with {@link formatNumber} (never as percentages), strings as they
 * are; a missing cell is `—`. Show it with `await show(markdown(summaryTable(rows)))`.
 *
 * @example
 * ```ts
 * import { summaryTable } from "./table.ts";
 * import { summarize } from "./stats.ts";
 * console.log(summaryTable([
 *   { label: "scratch", cells: { accuracy: summarize([0.70, 0.72, 0.71]), params: "1.2M" } },
 *   { label: "pre-trained", cells: { accuracy: summarize([0.81, 0.79, 0.84]) } },
 * ], { percent: true }));
 * // | | accuracy | params |
 * // |---|---|---|
 * // | scratch | 71.0% [68.5, 73.5] (n=3) | 1.2M |
 * // | pre-trained | 81.3% [75.1, 87.6] (n=3) | — |
 * ```
 */
export function summaryTable(rows: TableRow[], options: TableOptions = {}): string {
  const columns = options.columns ?? [];
  if (!options.columns) {
    for (const r of rows) {
      for (const c of Object.keys(r.cells)) if (!columns.includes(c)) columns.push(c);
    }
  }
  const fmt = { digits: options.digits, percent: options.percent };
  const cell = (v: Summary | Proportion | number | string | undefined): string => {
    if (v === undefined) return "—";
    if (typeof v === "string") return escapeCell(v);
    if (typeof v === "number") return formatNumber(v, { digits: fmt.digits });
    return formatSummary(v, isProportion(v) ? { digits: fmt.digits } : fmt);
  };
  const lines = [
    `| ${escapeCell(options.labelHeader ?? "")} | ${columns.map(escapeCell).join(" | ")} |`,
    `|---|${columns.map(() => "---").join("|")}|`,
    ...rows.map((r) =>
      `| ${escapeCell(r.label)} | ${columns.map((c) => cell(r.cells[c])).join(" | ")} |`
    ),
  ];
  return lines.join("\n");
}
