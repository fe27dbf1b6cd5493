/**
 * The marks a scatter trace draws with, shared by the plot area and the legend so that both
 * read the trace the same way: its drawing mode, its line's dash pattern and its marker's shape.
 *
 * @module
 */
import { escapeHtml, type Trace } from "./figure.ts";

/**
 * A scatter trace's drawing mode: its `mode`, else plotly's default for its point count
 * ("lines+markers" under 20 points, "lines" from 20 on). 3-D scatter defaults to "markers", as
 * this renderer draws it.
 *
 * @example
 * ```ts
 * import { scatterMode } from "./svg_marks.ts";
 * console.log(scatterMode({ y: [1, 2, 3] })); // "lines+markers"
 * console.log(scatterMode({ y: [1, 2], mode: "markers" })); // "markers"
 * ```
 */
export function scatterMode(t: Trace): string {
  if (typeof t.mode === "string") return t.mode;
  if (t.type === "scatter3d") return "markers";
  return (t.x ?? t.y ?? []).length >= 20 ? "lines" : "lines+markers";
}

/**
 * The SVG `stroke-dasharray` for a plotly `line.dash` on a line `width` px wide, or undefined
 * for a solid line. The named patterns scale with the width as plotly's do (unit: the width,
 * at least 3 px): "dot", "dash", "longdash", "dashdot", "longdashdot"; a list of lengths such
 * as "5px,10px,2px" is used as given. Anything else draws solid.
 *
 * @example
 * ```ts
 * import { dashArray } from "./svg_marks.ts";
 * console.log(dashArray("dash", 2)); // "9,9"
 * console.log(dashArray("5px,2px", 2)); // "5,2"
 * console.log(dashArray("solid", 2)); // undefined
 * ```
 */
export function dashArray(dash: unknown, width: number): string | undefined {
  if (typeof dash !== "string") return undefined;
  const u = Math.max(Number(width) || 0, 3);
  const named: Record<string, number[]> = {
    dot: [u, u],
    dash: [3 * u, 3 * u],
    longdash: [5 * u, 5 * u],
    dashdot: [3 * u, u, u, u],
    longdashdot: [5 * u, 2 * u, u, 2 * u],
  };
  if (named[dash]) return named[dash].map((v) => +v.toFixed(2)).join(",");
  const parts = dash.trim().split(/\s*,\s*|\s+/);
  const lengths = parts.map((p) => /^\d+(\.\d+)?(px)?$/.test(p) ? parseFloat(p) : NaN);
  if (parts.length === 0 || !lengths.every(Number.isFinite) || lengths.every((v) => v === 0)) {
    return undefined;
  }
  return lengths.join(",");
}

/** `v` rounded for a path, so that paths stay short. */
const n = (v: number) => +v.toFixed(2);

/** A plus sign around (0, 0) for radius `r`: arms 0.8 r wide reaching 1.2 r. */
function plus(r: number): string {
  const a = n(0.4 * r), b = n(1.2 * r);
  return `M${b},${a}H${a}V${b}H${-a}V${a}H${-b}V${-a}H${-a}V${-b}H${a}V${-a}H${b}Z`;
}

/** A marker's outline as a path around (0, 0), for radius `r` (half its size). */
const SHAPES: Record<string, (r: number) => string> = {
  square: (r) => `M${n(r)},${n(r)}H${n(-r)}V${n(-r)}H${n(r)}Z`,
  diamond: (r) => {
    const d = n(1.3 * r);
    return `M${d},0L0,${d}L${-d},0L0,${-d}Z`;
  },
  "triangle-up": (r) => {
    const w = n((2 * r) / Math.sqrt(3));
    return `M${-w},${n(r / 2)}H${w}L0,${n(-r)}Z`;
  },
  "triangle-down": (r) => {
    const w = n((2 * r) / Math.sqrt(3));
    return `M${-w},${n(-r / 2)}H${w}L0,${n(r)}Z`;
  },
  cross: plus,
  x: plus, // turned by 45 degrees where it is drawn
};

/**
 * One marker as SVG: plotly's `marker.symbol` (circle, square, diamond, triangle-up,
 * triangle-down, cross, x; an "-open" suffix draws the outline only; others draw a circle) of
 * `size` px across, centred at (`cx`, `cy`).
 *
 * @example
 * ```ts
 * import { markerSvg } from "./svg_marks.ts";
 * console.log(markerSvg(10, 20, 6, "circle", "#f00", 1));
 * // <circle cx="10.0" cy="20.0" r="3" fill="#f00" fill-opacity="1"/>
 * console.log(markerSvg(10, 20, 6, "square-open", "#f00", 1).startsWith("<path")); // true
 * ```
 */
export function markerSvg(
  cx: number,
  cy: number,
  size: number,
  symbol: unknown,
  color: string,
  opacity: number,
): string {
  const name = typeof symbol === "string" ? symbol : "circle";
  const open = name.endsWith("-open");
  const base = open ? name.slice(0, -"-open".length) : name;
  const shape = SHAPES[base];
  const c = escapeHtml(color);
  const paint = open
    ? `fill="none" stroke="${c}" stroke-opacity="${opacity}" stroke-width="1"`
    : `fill="${c}" fill-opacity="${opacity}"`;
  const [x, y] = [cx.toFixed(1), cy.toFixed(1)];
  if (!shape) return `<circle cx="${x}" cy="${y}" r="${size / 2}" ${paint}/>`;
  const turn = base === "x" ? " rotate(45)" : "";
  return `<path transform="translate(${x} ${y})${turn}" d="${shape(size / 2)}" ${paint}/>`;
}
