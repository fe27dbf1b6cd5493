/**
 * Plotly traces that show intervals: markers or bars with asymmetric error bars
 * ({@link errorBarTrace}), a line inside a shaded band ({@link bandTraces}), and a dashed
 * horizontal reference line for a baseline ({@link baselineTrace}). The library's PNG renderer
 * draws all three (whiskers, `fill: "tonexty"` bands and dashes), so the image every front end
 * shows carries the intervals too.
 *
 * Error bars run from the interval's `lo` to `hi` around the mean, so they are asymmetric for
 * Wilson intervals. A summary of one seed has no interval: its bar is drawn with zero length.
 *
 * @module
 */
import type { Trace } from "../notebook/plot.ts";
import { COLORS } from "../figure/mod.ts";
import type { Proportion, Summary } from "./stats.ts";
import { centerOf } from "./table.ts";

function check(name: string, x: unknown[], ys: unknown[]): void {
  if (x.length !== ys.length) {
    throw new Error(
      `${name}: ${x.length} x values but ${ys.length} summaries; give one summary per x`,
    );
  }
}

const finiteOr0 = (v: number) => (Number.isFinite(v) ? v : 0);

/**
 * A scatter trace of the means (or proportions) with error bars from each interval's lo to hi.
 * `extra` overrides any field, e.g. `{ type: "bar" }` or `{ mode: "markers" }`.
 *
 * @example
 * ```ts
 * import { errorBarTrace } from "./plot.ts";
 * import { summarize } from "./stats.ts";
 * const t = errorBarTrace("scratch", [16, 64], [summarize([0.6, 0.7]), summarize([0.8, 0.85])]);
 * console.log(t.error_y); // { type: "data", symmetric: false, array: [...], arrayminus: [...], visible: true }
 * ```
 */
export function errorBarTrace(
  name: string,
  x: (number | string)[],
  ys: (Summary | Proportion)[],
  extra: Partial<Trace> = {},
): Trace {
  check("errorBarTrace", x, ys);
  const y = ys.map(centerOf);
  return {
    type: "scatter",
    mode: "lines+markers",
    name,
    x,
    y,
    error_y: {
      type: "data",
      symmetric: false,
      array: ys.map((s, i) => finiteOr0(s.hi - y[i])),
      arrayminus: ys.map((s, i) => finiteOr0(y[i] - s.lo)),
      visible: true,
    },
    ...extra,
  };
}

function translucent(color: string, alpha = 0.2): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/**
 * A line of the means in a shaded band from lo to hi: three traces, in the order plotly needs
 * (the lower edge, the upper edge filled down to it with `fill: "tonexty"`, then the line).
 * Only the line appears in the legend.
 *
 * @example
 * ```ts
 * import { bandTraces } from "./plot.ts";
 * import { summarize } from "./stats.ts";
 * const traces = bandTraces("val loss", [1, 2], [summarize([2.1, 2.3]), summarize([1.9, 2.0])], "#d62728");
 * console.log(traces.length, traces[1].fill); // 3 "tonexty"
 * ```
 */
export function bandTraces(
  name: string,
  x: number[],
  ys: (Summary | Proportion)[],
  color: string = COLORS[0],
): Trace[] {
  check("bandTraces", x, ys);
  const y = ys.map(centerOf);
  // Where there is no interval (one seed) the band closes onto the line.
  const lo = ys.map((s, i) => (Number.isFinite(s.lo) ? s.lo : y[i]));
  const hi = ys.map((s, i) => (Number.isFinite(s.hi) ? s.hi : y[i]));
  const edge = { mode: "lines", line: { width: 0, color }, showlegend: false, hoverinfo: "skip" };
  return [
    { type: "scatter", name: `${name} (lower)`, x, y: lo, ...edge },
    {
      type: "scatter",
      name: `${name} (upper)`,
      x,
      y: hi,
      ...edge,
      fill: "tonexty",
      fillcolor: translucent(color),
    },
    { type: "scatter", mode: "lines+markers", name, x, y, line: { color } },
  ];
}

/**
 * A dashed horizontal line at `value` across `x` (its first and last entries: a `[from, to]`
 * pair, or the x values of the other traces), for a baseline such as chance or the majority
 * class.
 *
 * @example
 * ```ts
 * import { baselineTrace } from "./plot.ts";
 * const t = baselineTrace("majority class", [16, 5441], 0.866);
 * console.log(t.y, (t.line as { dash: string }).dash); // [0.866, 0.866] "dash"
 * ```
 */
export function baselineTrace(
  name: string,
  x: [number, number] | (number | string)[],
  value: number,
): Trace {
  if (x.length === 0) throw new Error("baselineTrace: x is empty; give [from, to] or the x values");
  if (!Number.isFinite(value)) throw new Error(`baselineTrace: value must be finite, got ${value}`);
  return {
    type: "scatter",
    mode: "lines",
    name,
    x: [x[0], x[x.length - 1]],
    y: [value, value],
    line: { dash: "dash", color: "#7f7f7f", width: 1.5 },
  };
}
