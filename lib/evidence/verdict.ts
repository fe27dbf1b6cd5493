/**
 * Conclusions stated with their evidence. A verdict is a claim, whether the data support it, the
 * test that decided, and the numbers, printed as one line:
 *
 * `SUPPORTED — pre-trained beats scratch at 16 labels: 81.2% [78.0, 84.4] (n=3) vs 70.1% [66.3, 73.9] (n=3) (95% intervals do not overlap)`
 *
 * The tests are deliberately conservative and easy to read off a plot:
 * - {@link greaterThan}: a's interval lies entirely above b's (or above a number). Two 95%
 *   intervals that do not overlap imply a difference at well beyond the 95% level; overlapping
 *   intervals do not prove there is no difference, so the verdict then is "not supported", not
 *   "refuted".
 * - {@link pairedGreater}: the interval of the per-seed differences lies above 0 (the test to use
 *   when both arms ran on the same seeds: shared noise cancels).
 * - {@link differenceGreater}: one gap's interval lies above another's.
 * - {@link within}: the whole interval lies inside `[lo, hi]`.
 *
 * A summary of fewer than two seeds is never evidence: its interval is infinite and the verdict
 * says "n = 1: one seed is an anecdote".
 *
 * @module
 */
import { displayable, inJupyter, show } from "../notebook/display.ts";
import { pairedDiff, type Proportion, type Summary } from "./stats.ts";
import { formatNumber, type FormatOptions, formatSummary, isProportion } from "./table.ts";

/** A claim and whether the evidence supports it. */
export interface Verdict {
  /** What is claimed, in words. */
  claim: string;
  /** Whether the test passed. */
  supported: boolean;
  /** The test that decided, e.g. "95% intervals do not overlap". */
  test: string;
  /** The numbers the test read. */
  numbers: string;
  /** One or two printable lines: `SUPPORTED — claim: numbers (test)`. */
  text: string;
}

/** Options of the verdict helpers: names of the two sides, and number formatting. */
export interface VerdictOptions extends FormatOptions {
  labelA?: string;
  labelB?: string;
}

/**
 * A verdict from a test you ran yourself: `supported`, the `test` (or the reason it failed)
 * and the `numbers` it read.
 *
 * @example
 * ```ts
 * import { verdict } from "./verdict.ts";
 * const v = verdict("loss falls with size", { test: "slope < 0, 95% interval", supported: true, numbers: "slope −0.08 [−0.10, −0.06]" });
 * console.log(v.text); // "SUPPORTED — loss falls with size: slope −0.08 [−0.10, −0.06] (slope < 0, 95% interval)"
 * ```
 */
export function verdict(
  claim: string,
  evidence: { test: string; supported: boolean; numbers: string },
): Verdict {
  const head = evidence.supported ? "SUPPORTED" : "NOT SUPPORTED";
  return {
    claim,
    supported: evidence.supported,
    test: evidence.test,
    numbers: evidence.numbers,
    text: `${head} — ${claim}: ${evidence.numbers} (${evidence.test})`,
  };
}

type Side = Summary | Proportion;

function pct(level: number): string {
  return `${+(level * 100).toFixed(1)}%`;
}

// A summary of one seed cannot support anything; the reason, or undefined.
function anecdote(...xs: (Side | number)[]): string | undefined {
  for (const x of xs) {
    if (typeof x === "number" || isProportion(x)) continue;
    if (x.n < 2) return `n = ${x.n}: one seed is an anecdote, no interval`;
    if (!Number.isFinite(x.lo) || !Number.isFinite(x.hi)) return "no finite interval";
  }
  return undefined;
}

function fmtSide(x: Side, o: FormatOptions, label?: string): string {
  return (label ? `${label} ` : "") + formatSummary(x, o);
}

function fmtNumber(v: number, o: FormatOptions, percentOf?: Side): string {
  const percent = o.percent ?? (percentOf !== undefined && isProportion(percentOf));
  return formatNumber(v, { digits: o.digits, percent });
}

/**
 * Supported iff `a`'s interval lies entirely above `b`'s (`a.lo > b.hi`), or above `b` when it
 * is a number (`a.lo > b`).
 *
 * @example
 * ```ts
 * import { greaterThan } from "./verdict.ts";
 * import { summarize } from "./stats.ts";
 * const pre = summarize([0.81, 0.80, 0.83]), scratch = summarize([0.70, 0.72, 0.71]);
 * const v = greaterThan("pre-trained beats scratch", pre, scratch, { labelA: "pre-trained", labelB: "scratch", percent: true });
 * console.log(v.supported); // true
 * ```
 */
export function greaterThan(
  claim: string,
  a: Side,
  b: Side | number,
  opts: VerdictOptions = {},
): Verdict {
  // A proportion on either side shows both sides as percentages, so they read alike.
  const options = {
    ...opts,
    percent: opts.percent ?? (isProportion(a) || (typeof b !== "number" && isProportion(b))),
  };
  const level = typeof b === "number" ? a.level : Math.max(a.level, b.level);
  const numbers = `${fmtSide(a, options, options.labelA)} vs ${
    typeof b === "number"
      ? `${options.labelB ? options.labelB + " " : ""}${fmtNumber(b, options, a)}`
      : fmtSide(b, options, options.labelB)
  }`;
  const why = anecdote(a, b);
  if (why) return verdict(claim, { supported: false, test: why, numbers });
  const top = typeof b === "number" ? b : b.hi;
  const supported = a.lo > top;
  const test = typeof b === "number"
    ? supported
      ? `${pct(level)} interval lies above ${fmtNumber(b, options, a)}`
      : `${pct(level)} interval reaches down to ${fmtNumber(b, options, a)} or below`
    : supported
    ? `${pct(level)} intervals do not overlap`
    : a.hi < b.lo
    ? `${pct(level)} interval lies below the other: the opposite holds`
    : `${pct(level)} intervals overlap`;
  return verdict(claim, { supported, test, numbers });
}

/**
 * Supported iff the interval of the paired differences `a[i] − b[i]` (same seeds) lies above 0.
 *
 * @example
 * ```ts
 * import { pairedGreater } from "./verdict.ts";
 * const v = pairedGreater("the new init helps", [1.90, 1.95, 1.88], [1.80, 1.86, 1.79]);
 * console.log(v.supported); // true
 * ```
 */
export function pairedGreater(
  claim: string,
  a: number[],
  b: number[],
  options: VerdictOptions = {},
): Verdict {
  const d = pairedDiff(a, b);
  const names = options.labelA || options.labelB
    ? `${options.labelA ?? "a"} − ${options.labelB ?? "b"} `
    : "difference ";
  const numbers = `${names}${
    formatSummary(d, options).replace(/\(n=(\d+)\)$/, "(n=$1 paired seeds)")
  }`;
  const why = anecdote(d);
  if (why) return verdict(claim, { supported: false, test: why, numbers });
  const supported = d.lo > 0;
  const test = supported
    ? `${pct(d.level)} paired t interval lies above 0`
    : `${pct(d.level)} paired t interval includes 0 or lies below it`;
  return verdict(claim, { supported, test, numbers });
}

/**
 * Supported iff one difference's interval lies above another's (`diffA.lo > diffB.hi`), e.g.
 * "pre-training helps more with 16 labels than with 5441": the gap at 16 above the gap at 5441.
 *
 * @example
 * ```ts
 * import { differenceGreater } from "./verdict.ts";
 * import { pairedDiff } from "./stats.ts";
 * const at16 = pairedDiff([0.81, 0.80, 0.83], [0.70, 0.72, 0.71]);
 * const atAll = pairedDiff([0.97, 0.98, 0.97], [0.96, 0.97, 0.97]);
 * console.log(differenceGreater("the gap shrinks with labels", at16, atAll).supported); // true
 * ```
 */
export function differenceGreater(
  claim: string,
  diffA: Summary,
  diffB: Summary,
  options: VerdictOptions = {},
): Verdict {
  return greaterThan(claim, diffA, diffB, {
    ...options,
    labelA: options.labelA ?? "gap A",
    labelB: options.labelB ?? "gap B",
  });
}

/**
 * Supported iff the whole interval of `a` lies inside `[lo, hi]` (e.g. "the loss matches the
 * reference to within 0.02": `within(claim, s, ref − 0.02, ref + 0.02)`).
 *
 * @example
 * ```ts
 * import { within } from "./verdict.ts";
 * import { summarize } from "./stats.ts";
 * const v = within("val loss matches nanoGPT's 1.88 within 0.05", summarize([1.886, 1.89, 1.88]), 1.83, 1.93);
 * console.log(v.supported); // true
 * ```
 */
export function within(
  claim: string,
  a: Summary,
  lo: number,
  hi: number,
  options: VerdictOptions = {},
): Verdict {
  if (!(hi >= lo)) throw new Error(`within: the range [${lo}, ${hi}] is empty; give lo ≤ hi`);
  const range = `[${fmtNumber(lo, options, a)}, ${fmtNumber(hi, options, a)}]`;
  const numbers = `${fmtSide(a, options, options.labelA)} vs range ${range}`;
  const why = anecdote(a);
  if (why) return verdict(claim, { supported: false, test: why, numbers });
  const supported = a.lo >= lo && a.hi <= hi;
  const test = supported
    ? `${pct(a.level)} interval lies inside ${range}`
    : `${pct(a.level)} interval reaches outside ${range}`;
  return verdict(claim, { supported, test, numbers });
}

/**
 * The verdict as markdown: `**SUPPORTED** — claim: numbers (test)`.
 *
 * @example
 * ```ts
 * import { verdict, verdictMarkdown } from "./verdict.ts";
 * console.log(verdictMarkdown(verdict("x", { test: "t", supported: false, numbers: "1 vs 2" })));
 * // "**NOT SUPPORTED** — x: 1 vs 2 (t)"
 * ```
 */
export function verdictMarkdown(v: Verdict): string {
  const head = v.supported ? "**SUPPORTED**" : "**NOT SUPPORTED**";
  return `${head} — ${v.claim}: ${v.numbers} (${v.test})`;
}

/**
 * Prints the verdict's line. In Jupyter it is one output carrying both the printed line
 * (`text/plain`) and the same as markdown with the verdict in bold (`text/markdown`); elsewhere
 * it goes to `console.log`.
 *
 * @example
 * ```ts
 * import { showVerdict, verdict } from "./verdict.ts";
 * await showVerdict(verdict("x", { test: "t", supported: true, numbers: "2 vs 1" }));
 * ```
 */
export async function showVerdict(v: Verdict): Promise<void> {
  if (!inJupyter()) {
    console.log(v.text);
    return;
  }
  await show(displayable({ "text/markdown": verdictMarkdown(v), "text/plain": v.text }));
}
