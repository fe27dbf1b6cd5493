/**
 * A small SVG renderer for plotly figures: the self-contained `text/html` fallback that front
 * ends without a plotly renderer (classic Notebook, GitHub, nbconvert HTML) show instead.
 * It draws line/marker scatter, bars and heatmaps; 3-D scatter is drawn from its x and y.
 *
 * @module
 */
import { escapeHtml } from "./display.ts";
import { encodePng, toBase64 } from "./png.ts";

/** A plotly trace (the fields this renderer reads; others pass through to plotly). */
export interface Trace {
  type?: string;
  name?: string;
  x?: (number | string)[];
  y?: (number | string)[];
  z?: number[] | number[][];
  mode?: string;
  text?: string | string[];
  [key: string]: unknown;
}

/** A plotly axis (the fields this renderer reads; others pass through to plotly). */
export interface Axis {
  title?: string | { text?: string };
  type?: string;
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

const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
];

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

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(+v.toPrecision(12));
  }
  return ticks;
}

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(+v.toPrecision(4));
}

function heatRgb(t: number): number[] {
  // Viridis-like ramp from dark purple to yellow.
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [
    253,
    231,
    37,
  ]];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
  return stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
}

function heatColor(t: number): string {
  return `rgb(${heatRgb(t).join(",")})`;
}

/** A histogram trace drawn as bars: one bar per integer value, else 20 equal bins. */
function histogramAsBars(t: Trace): Trace {
  if (t.type !== "histogram") return t;
  const xs = (t.x ?? []).map(Number).filter(Number.isFinite);
  if (xs.length === 0) return { ...t, type: "bar", x: [], y: [] };
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const integers = xs.every(Number.isInteger) && hi - lo <= 200;
  const n = integers ? hi - lo + 1 : 20,
    width = integers ? 1 : (hi - lo) / n || 1;
  const counts = new Array(n).fill(0);
  for (const x of xs) counts[Math.min(n - 1, Math.floor((x - lo) / width))]++;
  const centers = counts.map((_, i) =>
    integers ? lo + i : +(lo + (i + 0.5) * width).toPrecision(4)
  );
  return { ...t, type: "bar", x: centers, y: counts };
}

/**
 * Renders a figure as an SVG string.
 *
 * @example
 * ```ts
 * import { figureToSvg } from "./svg.ts";
 * const svg = figureToSvg({ data: [{ x: [1, 2, 3], y: [3, 1, 2], name: "loss" }] });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export function figureToSvg(figure: Figure): string {
  const fig = { ...figure, data: figure.data.map(histogramAsBars) };
  // The legend column is as wide as the longest trace name needs (within reason).
  const longest = Math.max(0, ...fig.data.map((t) => (t.name ?? "").length));
  const m = {
    l: 64,
    r: Math.min(300, Math.max(120, 34 + 6.2 * longest)),
    t: 36,
    b: 48,
  };
  const W = Number(fig.layout?.width ?? 520 + m.r),
    H = Number(fig.layout?.height ?? 360);
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const parts: string[] = [];
  const title = titleText(fig.layout?.title);
  const heat = fig.data.find((t) => t.type === "heatmap");
  const logY = fig.layout?.yaxis?.type === "log";
  const logX = fig.layout?.xaxis?.type === "log";

  if (heat) {
    const z = (heat.z ?? []) as number[][];
    const rows = z.length, cols = z[0]?.length ?? 0;
    const flat = z.flat().filter(Number.isFinite);
    const lo = Math.min(...flat), hi = Math.max(...flat);
    const cw = pw / Math.max(1, cols), ch = ph / Math.max(1, rows);
    const big = rows * cols > 400;
    if (big) {
      // One pixel per cell, scaled up: a few KB instead of one element per cell.
      const rgb = new Uint8Array(3 * rows * cols);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const v = z[i][j];
          const c = Number.isFinite(v)
            ? heatRgb(hi > lo ? (v - lo) / (hi - lo) : 0.5)
            : [238, 238, 238];
          rgb.set(c, 3 * (i * cols + j));
        }
      }
      parts.push(
        `<image x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" preserveAspectRatio="none" ` +
          `style="image-rendering:pixelated" href="data:image/png;base64,${
            toBase64(encodePng(cols, rows, rgb))
          }"/>`,
      );
    }
    for (let i = 0; i < (big ? 0 : rows); i++) {
      for (let j = 0; j < cols; j++) {
        const v = z[i][j];
        const fill = Number.isFinite(v) ? heatColor(hi > lo ? (v - lo) / (hi - lo) : 0.5) : "#eee";
        parts.push(
          `<rect x="${(m.l + j * cw).toFixed(1)}" y="${(m.t + i * ch).toFixed(1)}" width="${
            (cw + 0.5).toFixed(1)
          }" height="${(ch + 0.5).toFixed(1)}" fill="${fill}"><title>${
            escapeHtml(String(v))
          }</title></rect>`,
        );
      }
    }
    const label = (vals: unknown, n: number, axis: "x" | "y") => {
      const arr = Array.isArray(vals) ? vals : Array.from({ length: n }, (_, i) => i);
      const every = Math.ceil(n / 20);
      arr.forEach((v, i) => {
        if (i % every) return;
        parts.push(
          axis === "x"
            ? `<text x="${m.l + (i + 0.5) * cw}" y="${
              m.t + ph + 14
            }" font-size="10" text-anchor="middle">${escapeHtml(String(v))}</text>`
            : `<text x="${m.l - 4}" y="${
              m.t + (i + 0.5) * ch + 3
            }" font-size="10" text-anchor="end">${escapeHtml(String(v))}</text>`,
        );
      });
    };
    label(heat.x, cols, "x");
    label(heat.y, rows, "y");
    parts.push(
      `<text x="${W - m.r + 10}" y="${m.t + 10}" font-size="10">max ${fmtTick(hi)}</text>`,
      `<text x="${W - m.r + 10}" y="${m.t + ph}" font-size="10">min ${fmtTick(lo)}</text>`,
    );
    for (let k = 0; k < 20; k++) {
      parts.push(
        `<rect x="${W - m.r + 10}" y="${m.t + 16 + ((ph - 28) * k) / 20}" width="12" height="${
          ((ph - 28) / 20 + 0.5).toFixed(1)
        }" fill="${heatColor(1 - k / 19)}"/>`,
      );
    }
  } else {
    // Category x values (strings) map to their index, as bars usually need.
    const cats: string[] = [];
    const xv = (v: number | string) => {
      if (typeof v === "number") return v;
      let i = cats.indexOf(v);
      if (i < 0) i = cats.push(v) - 1;
      return i;
    };
    const traces = fig.data.map((t) => {
      const ys = (t.y ?? []).map(Number);
      const xs = (t.x ?? ys.map((_, i) => i)).map(xv);
      return {
        t,
        xs: logX ? xs.map((v) => Math.log10(v)) : xs,
        ys: logY ? ys.map((v) => Math.log10(v)) : ys,
      };
    });
    const allX = traces.flatMap((d) => d.xs).filter(Number.isFinite);
    const allY = traces.flatMap((d) => d.ys).filter(Number.isFinite);
    const hasBar = fig.data.some((t) => t.type === "bar");
    let x0 = Math.min(...allX), x1 = Math.max(...allX);
    let y0 = Math.min(...allY, hasBar ? 0 : Infinity),
      y1 = Math.max(...allY, hasBar ? 0 : -Infinity);
    if (hasBar) [x0, x1] = [x0 - 0.5, x1 + 0.5];
    if (!(x1 > x0)) [x0, x1] = [x0 - 1, x1 + 1];
    if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
    const pad = (y1 - y0) * 0.05;
    y0 -= hasBar && y0 === 0 ? 0 : pad;
    y1 += pad;
    const sx = (v: number) => m.l + ((v - x0) / (x1 - x0)) * pw;
    const sy = (v: number) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;
    for (const v of niceTicks(y0, y1)) {
      parts.push(
        `<line x1="${m.l}" x2="${m.l + pw}" y1="${sy(v)}" y2="${sy(v)}" stroke="#e5e5e5"/>`,
        `<text x="${m.l - 6}" y="${sy(v) + 3}" font-size="10" text-anchor="end">${
          logY ? fmtTick(10 ** v) : fmtTick(v)
        }</text>`,
      );
    }
    if (cats.length) {
      const every = Math.ceil(cats.length / 16);
      cats.forEach((c, i) => {
        if (i % every === 0) {
          parts.push(
            `<text x="${sx(i)}" y="${m.t + ph + 14}" font-size="10" text-anchor="middle">${
              escapeHtml(c)
            }</text>`,
          );
        }
      });
    } else {
      for (const v of niceTicks(x0, x1)) {
        parts.push(
          `<text x="${sx(v)}" y="${m.t + ph + 14}" font-size="10" text-anchor="middle">${
            logX ? fmtTick(10 ** v) : fmtTick(v)
          }</text>`,
        );
      }
    }
    const bars = traces.filter((d) => d.t.type === "bar");
    const bw = (pw / Math.max(1, x1 - x0)) * 0.8 / Math.max(1, bars.length);
    traces.forEach(({ t, xs, ys }, k) => {
      const color = (t.marker as { color?: string } | undefined)?.color;
      const c = typeof color === "string" ? color : COLORS[k % COLORS.length];
      if (t.type === "bar") {
        const b = bars.findIndex((d) => d.t === t);
        xs.forEach((x, i) => {
          const left = sx(x) - (bw * bars.length) / 2 + b * bw,
            top = sy(Math.max(ys[i], 0));
          parts.push(
            `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${bw.toFixed(1)}" height="${
              Math.abs(sy(0) - sy(ys[i])).toFixed(1)
            }" fill="${c}"><title>${escapeHtml(String(ys[i]))}</title></rect>`,
          );
        });
        return;
      }
      const mode = t.mode ?? (xs.length > 50 ? "lines" : "lines+markers");
      const pts = xs.map((x, i) => [sx(x), sy(ys[i])]).filter(([a, b]) =>
        Number.isFinite(a) && Number.isFinite(b)
      );
      if (mode.includes("lines") && pts.length > 1) {
        parts.push(
          `<polyline fill="none" stroke="${c}" stroke-width="1.6" points="${
            pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")
          }"/>`,
        );
      }
      if (mode.includes("markers")) {
        for (const [a, b] of pts) {
          parts.push(
            `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2.5" fill="${c}"/>`,
          );
        }
      }
      if (mode.includes("text")) {
        const texts = Array.isArray(t.text) ? t.text : [];
        pts.forEach(([a, b], i) =>
          parts.push(
            `<text x="${a + 3}" y="${b - 3}" font-size="10">${
              escapeHtml(String(texts[i] ?? ""))
            }</text>`,
          )
        );
      }
    });
    traces.forEach(({ t }, k) => {
      if (!t.name) return;
      const y = m.t + 12 + k * 16;
      parts.push(
        `<rect x="${W - m.r + 10}" y="${y - 8}" width="10" height="10" fill="${
          COLORS[k % COLORS.length]
        }"/>`,
        `<text x="${W - m.r + 24}" y="${y}" font-size="11">${escapeHtml(t.name)}</text>`,
      );
    });
    if (fig.data.some((t) => t.type === "scatter3d")) {
      parts.push(
        `<text x="${m.l}" y="${
          H - 4
        }" font-size="10" fill="#888">3-D scatter shown from its x and y; open in JupyterLab or VS Code to rotate it.</text>`,
      );
    }
  }
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
    `<text x="${W / 2}" y="20" font-size="14" text-anchor="middle">${escapeHtml(title)}</text>`,
    `<text x="${m.l + pw / 2}" y="${H - 14}" font-size="11" text-anchor="middle">${
      escapeHtml(titleText(fig.layout?.xaxis?.title))
    }</text>`,
    `<text transform="translate(14 ${
      m.t + ph / 2
    }) rotate(-90)" font-size="11" text-anchor="middle">${
      escapeHtml(titleText(fig.layout?.yaxis?.title))
    }</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${
    parts.join("")
  }</svg>`;
}
