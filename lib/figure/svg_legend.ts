/**
 * The legend of the static renderer, drawn in the right margin as plotly draws it: each entry
 * a sample of how its trace is drawn (a line in the trace's colour, width and dash, its marker,
 * both, or a filled square for bars and filled areas) and then the trace's name.
 *
 * @module
 */
import { escapeHtml, type Figure, type Frame, type Trace, traceColor } from "./figure.ts";
import { dashArray, markerSvg, scatterMode } from "./svg_marks.ts";

// Where an entry's parts sit, in px right of the plot area's right edge: the sample spans
// SAMPLE_FROM..SAMPLE_TO (a line sample as long as plotly's), the name starts at TEXT_AT.
const SAMPLE_FROM = 8, SAMPLE_TO = 36, TEXT_AT = 42;
// Caps that keep a sample inside its 18 px row, whatever the trace's own sizes.
const ROW = 18, MAX_LINE_WIDTH = 5, MAX_MARKER_SIZE = 12;

/** One legend entry: the trace, its index in the figure (for its default colour), its name. */
export interface LegendEntry {
  trace: Trace;
  index: number;
  name: string;
}

/**
 * The traces a figure's legend lists, in order, each with the name it shows (plotly's
 * "trace N" when it has none); empty when the figure shows no legend. As in plotly, traces
 * with `showlegend: false` or `visible: false` and heatmaps are left out, and by default the
 * legend is shown only for two or more entries (or one whose `showlegend` is `true`);
 * `layout.showlegend` overrides that.
 *
 * @example
 * ```ts
 * import { legendEntries } from "./svg_legend.ts";
 * const e = legendEntries({ data: [{ y: [1], name: "train" }, { y: [2] }] });
 * console.log(e.map((x) => x.name)); // ["train", "trace 1"]
 * console.log(legendEntries({ data: [{ y: [1], name: "alone" }] }).length); // 0
 * ```
 */
export function legendEntries(fig: Figure): LegendEntry[] {
  const entries: LegendEntry[] = [];
  let weight = 0; // plotly counts an explicit `showlegend: true` twice, so it shows alone
  fig.data.forEach((t, index) => {
    if (t.showlegend === false || t.visible === false) return;
    if (t.type === "heatmap" && t.showlegend !== true) return;
    entries.push({ trace: t, index, name: t.name ? String(t.name) : `trace ${index}` });
    weight += t.showlegend === true ? 2 : 1;
  });
  const shown = fig.layout?.showlegend;
  return (typeof shown === "boolean" ? shown : weight > 1) ? entries : [];
}

/**
 * The right margin a legend with these names needs: room for the sample and the longest name
 * (about 7.4 px a character at 12 px), between 110 and 300 px.
 *
 * @example
 * ```ts
 * import { legendMargin } from "./svg_legend.ts";
 * console.log(legendMargin(["loss"])); // 110
 * ```
 */
export function legendMargin(names: string[]): number {
  const longest = Math.max(0, ...names.map((n) => n.length));
  return Math.min(300, Math.max(110, TEXT_AT + 10 + 7.4 * longest));
}

/** A filled square centred on the sample, as plotly's legend shows bars and filled areas. */
function square(mid: number, y: number, fill: string, opacity: number): string {
  return `<rect x="${mid - 6}" y="${y - 6}" width="12" height="12" fill="${
    escapeHtml(fill)
  }" fill-opacity="${opacity}"/>`;
}

/** The SVG elements of one entry's sample, centred vertically on `y`, starting at `x0`. */
function sample(t: Trace, k: number, x0: number, y: number): string[] {
  const color = traceColor(t, k), opacity = Number(t.opacity ?? 1);
  const mid = x0 + (SAMPLE_FROM + SAMPLE_TO) / 2;
  if (t.type === "bar" || t.type === "histogram" || t.type === "heatmap") {
    return [square(mid, y, color, opacity)];
  }
  if (typeof t.fill === "string" && t.fill !== "none") {
    // The plot paints an area in its fillcolor, else the trace colour at a quarter opacity.
    return [
      typeof t.fillcolor === "string"
        ? square(mid, y, t.fillcolor, opacity)
        : square(mid, y, color, 0.25 * opacity),
    ];
  }
  const mode = scatterMode(t);
  const line = t.line as { dash?: unknown; width?: number } | undefined;
  const marker = t.marker as { size?: number; symbol?: unknown } | undefined;
  const c = escapeHtml(color);
  const parts: string[] = [];
  const width = Math.min(Number(line?.width ?? 2), MAX_LINE_WIDTH);
  if (mode.includes("lines") && width > 0) {
    const dash = dashArray(line?.dash, width);
    parts.push(
      `<line x1="${x0 + SAMPLE_FROM}" x2="${x0 + SAMPLE_TO}" y1="${y}" y2="${y}" stroke="${c}" ` +
        `stroke-opacity="${opacity}" stroke-width="${width}"${
          dash ? ` stroke-dasharray="${dash}"` : ""
        }/>`,
    );
  }
  if (mode.includes("markers")) {
    const size = Math.min(Number(marker?.size ?? 6), MAX_MARKER_SIZE);
    parts.push(markerSvg(mid, y, size, marker?.symbol, color, opacity));
  }
  if (parts.length === 0 && mode.includes("text")) {
    parts.push(
      `<text x="${mid}" y="${y + 4}" font-size="11" text-anchor="middle" fill="${c}">Aa</text>`,
    );
  }
  return parts;
}

/**
 * Draws the legend of `entries` (from {@link legendEntries}) into the frame's right margin,
 * one 18 px row each from the top of the plot area.
 *
 * @example
 * ```ts
 * import { figureToSvg } from "./svg.ts";
 * const svg = figureToSvg({
 *   data: [{ y: [1, 2], name: "a" }, { y: [2, 1], name: "b", line: { dash: "dot" } }],
 * });
 * console.log(svg.includes(`stroke-dasharray="3,3"`)); // true
 * ```
 */
export function drawLegend(f: Frame, entries: LegendEntry[]): void {
  const x0 = f.W - f.m.r;
  entries.forEach(({ trace, index, name }, row) => {
    // `y` is the name's baseline; a 12 px name's middle sits 4 px above it.
    const y = f.m.t + 13 + row * ROW;
    f.parts.push(
      `<g class="legend-sample">`,
      ...sample(trace, index, x0, y - 4),
      `</g>`,
      `<text x="${x0 + TEXT_AT}" y="${y}" font-size="12">${escapeHtml(name)}</text>`,
    );
  });
}
