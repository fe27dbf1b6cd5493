/**
 * Axes for the static renderer: data ranges, log and category axes, `range` and
 * `autorange: "reversed"` from the plotly layout, tick positions and labels.
 *
 * @module
 */

/** A plotly axis (the fields the static renderer reads; others pass through to plotly). */
export interface Axis {
  title?: string | { text?: string };
  type?: string;
  range?: [number, number];
  autorange?: boolean | string;
  tickfont?: { size?: number };
  [key: string]: unknown;
}

/** An axis mapped onto pixels. */
export interface PixelAxis {
  /** Pixel position of a data value (already log10'd on log axes, an index on category ones). */
  px(v: number): number;
  /** Tick positions in data units (as `px` takes them) and their labels. */
  ticks: { v: number; label: string }[];
  /** Whether values are log10'd before `px`. */
  log: boolean;
  lo: number;
  hi: number;
}

/**
 * Tick values at 1, 2 or 5 times a power of ten, about `n` of them across `[lo, hi]`.
 *
 * @example
 * ```ts
 * import { niceTicks } from "./svg_axes.ts";
 * console.log(niceTicks(0, 1)); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * ```
 */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(+v.toPrecision(12));
  }
  return ticks;
}

/**
 * A short label for a tick value.
 *
 * @example
 * ```ts
 * import { fmtTick } from "./svg_axes.ts";
 * console.log(fmtTick(250000)); // "2.5e+5"
 * ```
 */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(+v.toPrecision(4));
}

/**
 * Builds a pixel axis from the data values it shows (already transformed: log10 on log axes),
 * the layout's axis, and the pixel span. `pad` widens an automatic range by that fraction.
 *
 * @example
 * ```ts
 * import { makeAxis } from "./svg_axes.ts";
 * const x = makeAxis([0, 10], {}, 50, 550, { pad: 0 });
 * console.log(x.px(5)); // 300
 * ```
 */
export function makeAxis(
  values: number[],
  axis: Axis | undefined,
  px0: number,
  px1: number,
  opts: { pad?: number; includeZero?: boolean; categories?: string[] } = {},
): PixelAxis {
  const log = axis?.type === "log";
  const finite = values.filter(Number.isFinite);
  let lo: number, hi: number;
  const range = axis?.range;
  if (Array.isArray(range) && range.length === 2 && range.every((v) => Number.isFinite(+v))) {
    // Plotly gives a log axis's range in log10 units, like the transformed values here.
    [lo, hi] = [+range[0], +range[1]];
  } else {
    lo = finite.length ? Math.min(...finite) : 0;
    hi = finite.length ? Math.max(...finite) : 1;
    if (opts.includeZero && !log) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
    if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
    const pad = (hi - lo) * (opts.pad ?? 0.05);
    lo -= opts.includeZero && lo === 0 ? 0 : pad;
    hi += opts.includeZero && hi === 0 ? 0 : pad;
  }
  let [a, b] = [px0, px1];
  if (axis?.autorange === "reversed") [a, b] = [b, a];
  const px = (v: number) => a + ((v - lo) / (hi - lo)) * (b - a);
  let ticks: { v: number; label: string }[];
  if (opts.categories) {
    const every = Math.ceil(opts.categories.length / 20);
    ticks = opts.categories.map((c, i) => ({ v: i, label: c })).filter((_, i) => i % every === 0);
  } else if (log) {
    const lo10 = Math.ceil(Math.min(lo, hi) - 1e-9), hi10 = Math.floor(Math.max(lo, hi) + 1e-9);
    const step = Math.max(1, Math.ceil((hi10 - lo10 + 1) / 8));
    ticks = [];
    for (let e = lo10; e <= hi10; e += step) ticks.push({ v: e, label: fmtTick(10 ** e) });
    if (ticks.length < 2) {
      ticks = niceTicks(10 ** Math.min(lo, hi), 10 ** Math.max(lo, hi))
        .filter((v) => v > 0).map((v) => ({ v: Math.log10(v), label: fmtTick(v) }));
    }
  } else {
    ticks = niceTicks(Math.min(lo, hi), Math.max(lo, hi)).map((v) => ({ v, label: fmtTick(v) }));
  }
  return { px, ticks, log, lo, hi };
}
