/**
 * A static SVG renderer for plotly figures, rasterised to the `image/png` that every Jupyter
 * front end shows (trusted or not, and GitHub). It draws what the figure says: scatter lines,
 * markers and text, bars (grouped or stacked), histograms with their bins, heatmaps with
 * `zmin`/`zmax` and colorscales, 3-D scatter as a projection, trace colours and dashes, axis
 * ranges, log, category and reversed axes, titles and axis titles.
 *
 * @module
 */
import { escapeHtml } from "./display.ts";
import { type Axis, makeAxis } from "./svg_axes.ts";
import { drawHeatmap } from "./svg_heatmap.ts";
import { drawScene } from "./svg_scene.ts";

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
 * import { titleText } from "./svg.ts";
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
 * import { traceColor } from "./svg.ts";
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

/** A histogram trace as bars, binned as `xbins` says (else unit bins for integers, else 20). */
function histogramAsBars(t: Trace): Trace {
  if (t.type !== "histogram") return t;
  const xs = (t.x ?? []).map(Number).filter(Number.isFinite);
  if (xs.length === 0) return { ...t, type: "bar", x: [], y: [] };
  const bins = t.xbins as { start?: number; end?: number; size?: number } | undefined;
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const integers = xs.every(Number.isInteger) && hi - lo <= 200;
  const size = Number(bins?.size) || (integers ? 1 : (hi - lo) / 20 || 1);
  const start = Number.isFinite(Number(bins?.start))
    ? Number(bins!.start)
    : integers
    ? lo - 0.5
    : lo;
  const end = Number.isFinite(Number(bins?.end)) ? Number(bins!.end) : hi + (integers ? 0.5 : 0);
  const n = Math.max(1, Math.ceil((end - start) / size - 1e-9));
  const counts = new Array(n).fill(0);
  for (const x of xs) {
    const i = Math.floor((x - start) / size);
    if (i >= 0 && i < n) counts[i]++;
    else if (x === end) counts[n - 1]++;
  }
  const centers = counts.map((_, i) => +(start + (i + 0.5) * size).toPrecision(6));
  return { ...t, type: "bar", x: centers, y: counts, _width: size };
}

function makeFrame(fig: Figure, legendNames: string[]): Frame {
  const margin = (fig.layout?.margin ?? {}) as Record<string, number>;
  const longest = Math.max(0, ...legendNames.map((n) => n.length));
  const m = {
    l: Number(margin.l ?? 70),
    r: Number(
      margin.r ?? (legendNames.length ? Math.min(300, Math.max(110, 40 + 7.4 * longest)) : 30),
    ),
    t: Number(margin.t ?? 44),
    b: Number(margin.b ?? 52),
  };
  const W = Number(fig.layout?.width ?? 640), H = Number(fig.layout?.height ?? 400);
  return { W, H, m, pw: Math.max(40, W - m.l - m.r), ph: Math.max(40, H - m.t - m.b), parts: [] };
}

function legend(f: Frame, traces: Trace[]) {
  traces.forEach((t, k) => {
    if (!t.name || t.showlegend === false) return;
    const y = f.m.t + 12 + k * 18;
    f.parts.push(
      `<rect x="${f.W - f.m.r + 12}" y="${y - 9}" width="12" height="12" fill="${
        escapeHtml(traceColor(t, k))
      }"/>`,
      `<text x="${f.W - f.m.r + 30}" y="${y + 1}" font-size="12">${escapeHtml(t.name)}</text>`,
    );
  });
}

const DASHES: Record<string, string> = {
  dot: "2,3",
  dash: "7,4",
  longdash: "12,4",
  dashdot: "7,3,2,3",
};

function cartesian(fig: Figure, f: Frame) {
  const { m, pw, ph, parts } = f;
  const lay = fig.layout ?? {};
  const cats: string[] = [];
  const categorical = lay.xaxis?.type === "category" ||
    fig.data.some((t) => (t.x ?? []).some((v) => typeof v === "string"));
  const xv = (v: number | string) => {
    if (!categorical) return Number(v);
    const s = String(v);
    const i = cats.indexOf(s);
    return i < 0 ? cats.push(s) - 1 : i;
  };
  const logX = lay.xaxis?.type === "log", logY = lay.yaxis?.type === "log";
  const bars = fig.data.filter((t) => t.type === "bar");
  const stack = lay.barmode === "stack" || lay.barmode === "relative";
  const baseOf = new Map<string, number>();
  const traces = fig.data.map((t) => {
    const ys = (t.y ?? []).map((v) => (v === null ? NaN : Number(v)));
    const xs = (t.x ?? ys.map((_, i) => i)).map(xv);
    const base = ys.map((y, i) => {
      if (t.type !== "bar" || !stack) return 0;
      const b = baseOf.get(String(xs[i])) ?? 0;
      baseOf.set(String(xs[i]), b + (Number.isFinite(y) ? y : 0));
      return b;
    });
    const tops = ys.map((y, i) => y + base[i]);
    return {
      t,
      xs: logX ? xs.map(Math.log10) : xs,
      ys: logY ? tops.map(Math.log10) : tops,
      base: logY ? base.map((b) => (b > 0 ? Math.log10(b) : NaN)) : base,
    };
  });
  const widthOf = (t: Trace) => Number(t._width ?? 1);
  const allX = traces.flatMap((d) =>
    d.t.type === "bar" ? d.xs.flatMap((x) => [x - widthOf(d.t) / 2, x + widthOf(d.t) / 2]) : d.xs
  );
  const x = makeAxis(allX, lay.xaxis, m.l, m.l + pw, {
    pad: bars.length ? 0 : 0.03,
    categories: categorical ? cats : undefined,
  });
  const y = makeAxis(traces.flatMap((d) => d.ys), lay.yaxis, m.t + ph, m.t, {
    includeZero: bars.length > 0 && !logY,
  });
  const tickSize = (a?: Axis) => Number(a?.tickfont?.size ?? 11);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#f4f6fa"/>`);
  for (const { v, label } of y.ticks) {
    const py = y.px(v).toFixed(1);
    parts.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${py}" y2="${py}" stroke="#fff" stroke-width="1.2"/>`,
      `<text x="${m.l - 6}" y="${+py + 4}" font-size="${tickSize(lay.yaxis)}" text-anchor="end">${
        escapeHtml(label)
      }</text>`,
    );
  }
  for (const { v, label } of x.ticks) {
    const px = x.px(v).toFixed(1);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${m.t}" y2="${m.t + ph}" stroke="#fff" stroke-width="1.2"/>`,
      `<text x="${px}" y="${m.t + ph + 16}" font-size="${
        tickSize(lay.xaxis)
      }" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  }
  parts.push(`<svg x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" overflow="hidden">`);
  parts.push(`<g transform="translate(${-m.l} ${-m.t})">`);
  const slots = stack ? 1 : Math.max(1, bars.length);
  traces.forEach(({ t, xs, ys, base }, k) => {
    const c = escapeHtml(traceColor(t, k));
    const opacity = Number(t.opacity ?? 1);
    if (t.type === "bar") {
      const slot = stack ? 0 : bars.indexOf(t);
      const unit = Math.abs(x.px(xs[0] + widthOf(t)) - x.px(xs[0])) || pw / 10;
      const bw = (unit * (t._width ? 1 : 0.8)) / slots;
      xs.forEach((xv, i) => {
        if (!Number.isFinite(ys[i])) return;
        const b = Number.isFinite(base[i]) ? base[i] : y.lo;
        const left = x.px(xv) - (bw * slots) / 2 + slot * bw;
        const top = Math.min(y.px(ys[i]), y.px(b)), h = Math.abs(y.px(ys[i]) - y.px(b));
        parts.push(
          `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${
            Math.max(0.5, bw - (t._width ? 0.5 : 0)).toFixed(1)
          }" height="${h.toFixed(1)}" fill="${c}" fill-opacity="${opacity}"/>`,
        );
      });
      return;
    }
    const mode = t.mode ?? (xs.length > 20 ? "lines" : "lines+markers");
    // A gap (null/NaN) breaks the line, as in plotly.
    const runs: string[][] = [[]];
    const pts: [number, number, number][] = [];
    xs.forEach((xv, i) => {
      const a = x.px(xv), b = y.px(ys[i]);
      if (Number.isFinite(a) && Number.isFinite(b)) {
        runs[runs.length - 1].push(`${a.toFixed(1)},${b.toFixed(1)}`);
        pts.push([a, b, i]);
      } else if (runs[runs.length - 1].length) runs.push([]);
    });
    const line = t.line as { dash?: string; width?: number } | undefined;
    if (mode.includes("lines")) {
      for (const run of runs.filter((r) => r.length > 1)) {
        parts.push(
          `<polyline fill="none" stroke="${c}" stroke-opacity="${opacity}" stroke-width="${
            line?.width ?? 2
          }" stroke-linejoin="round"${
            line?.dash && DASHES[line.dash] ? ` stroke-dasharray="${DASHES[line.dash]}"` : ""
          } points="${run.join(" ")}"/>`,
        );
      }
    }
    if (mode.includes("markers")) {
      const size = Number((t.marker as { size?: number } | undefined)?.size ?? 6);
      for (const [a, b] of pts) {
        parts.push(
          `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="${size / 2}" fill="${c}" ` +
            `fill-opacity="${opacity}"/>`,
        );
      }
    }
    if (mode.includes("text")) {
      const texts = Array.isArray(t.text) ? t.text : [];
      const below = String(t.textposition ?? "").startsWith("bottom");
      for (const [a, b, i] of pts) {
        parts.push(
          `<text x="${a.toFixed(1)}" y="${(b + (below ? 14 : -6)).toFixed(1)}" font-size="11" ` +
            `text-anchor="middle">${escapeHtml(String(texts[i] ?? ""))}</text>`,
        );
      }
    }
  });
  parts.push(`</g></svg>`);
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#aaa"/>`,
  );
  legend(f, fig.data);
}

/**
 * Renders a figure as an SVG string (the source of the `image/png` in a plot's bundle).
 *
 * @example
 * ```ts
 * import { figureToSvg } from "./svg.ts";
 * const svg = figureToSvg({ data: [{ x: [1, 2, 3], y: [3, 1, 2], name: "loss" }] });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export function figureToSvg(figure: Figure): string {
  if (!figure || !Array.isArray(figure.data)) {
    throw new Error("figureToSvg takes a plotly figure { data: Trace[], layout? }.");
  }
  const fig = { ...figure, data: figure.data.map(histogramAsBars) };
  const heat = fig.data.find((t) => t.type === "heatmap");
  const scene = !heat && fig.data.some((t) => t.type === "scatter3d");
  const names = heat ? [] : fig.data.map((t) => t.name ?? "").filter(Boolean);
  const f = makeFrame(fig, heat ? ["colorbar"] : names);
  if (heat) drawHeatmap(heat, fig, f);
  else if (scene) drawScene(fig, f);
  else cartesian(fig, f);
  if (scene) legend(f, fig.data);
  const lay = fig.layout ?? {};
  const title = titleText(lay.title);
  f.parts.push(
    `<text x="${f.W / 2}" y="26" font-size="16" text-anchor="middle">${escapeHtml(title)}</text>`,
  );
  if (!scene) {
    f.parts.push(
      `<text x="${f.m.l + f.pw / 2}" y="${Math.min(f.H - 8, f.m.t + f.ph + 38)}" font-size="13" ` +
        `text-anchor="middle">${escapeHtml(titleText(lay.xaxis?.title))}</text>`,
      `<text transform="translate(${Math.max(14, f.m.l - 52)} ${f.m.t + f.ph / 2}) rotate(-90)" ` +
        `font-size="13" text-anchor="middle">${escapeHtml(titleText(lay.yaxis?.title))}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.W}" height="${f.H}" ` +
    `viewBox="0 0 ${f.W} ${f.H}" font-family="DejaVu Sans, sans-serif">` +
    `<rect width="${f.W}" height="${f.H}" fill="#fff"/>${f.parts.join("")}</svg>`;
}
