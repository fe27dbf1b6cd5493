/**
 * The figure types every part of the static renderer shares (a plotly figure, its traces, the
 * frame being drawn) and the small helpers they all read. They live here, below `svg.ts` and
 * its drawers, so that the drawers import them without importing `svg.ts` back (no cycle).
 *
 * @module
 */
import type { Axis } from "./svg_axes.ts";

export type { Axis };

/** A plotly trace (the fields this renderer reads; others pass through to plotly). */
export interface Trace {
  type?: string;
  name?: string;
  x?: (number | string)[];
  y?: (number | string)[];
  z?: (number | string)[] | (number | null)[][];
  mode?: string;
  text?: string | string[];
  [key: string]: unknown;
}

/** A plotly figure. */
export interface Figure {
  data: Trace[];
  layout?: Record<string, unknown> & {
    title?: string | { text?: string };
    xaxis?: Axis;
    yaxis?: Axis;
    width?: number;
    height?: number;
  };
}

/** Plotly's default trace colours, in order. */
export const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** Where the plot area lies in the image, and the SVG elements drawn so far. */
export interface Frame {
  W: number;
  H: number;
  m: { l: number; r: number; t: number; b: number };
  pw: number;
  ph: number;
  parts: string[];
}

/**
 * The text of a plotly title, which may be a string or `{ text }`.
 *
 * @example
 * ```ts
 * import { titleText } from "./figure.ts";
 * console.log(titleText({ text: "loss" })); // "loss"
 * ```
 */
export function titleText(t: unknown): string {
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && "text" in t) {
    return String((t as { text: unknown }).text ?? "");
  }
  return "";
}

/**
 * The colour a trace is drawn in: its line or marker colour, else plotly's k-th default.
 *
 * @example
 * ```ts
 * import { traceColor } from "./figure.ts";
 * console.log(traceColor({ line: { color: "#888" } }, 0)); // "#888"
 * ```
 */
export function traceColor(t: Trace, k: number): string {
  const line = (t.line as { color?: unknown } | undefined)?.color;
  const marker = (t.marker as { color?: unknown } | undefined)?.color;
  if (typeof line === "string") return line;
  if (typeof marker === "string") return marker;
  return COLORS[k % COLORS.length];
}

/**
 * `s` safe inside SVG text and attribute values. The renderer keeps its own copy of the notebook
 * display's `escapeHtml` (same four characters) so that it imports nothing above it.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./figure.ts";
 * console.log(escapeHtml('<a & "b">')); // "&lt;a &amp; &quot;b&quot;&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
