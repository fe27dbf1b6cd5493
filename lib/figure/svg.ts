/**
 * A static SVG renderer for plotly figures, rasterised to the `image/png` that every Jupyter
 * front end shows (trusted or not, and GitHub). It draws what the figure says: scatter lines,
 * markers and text, bars (grouped or stacked), histograms with their bins, heatmaps with
 * `zmin`/`zmax` and colorscales, 3-D scatter as a projection, trace colours, dashes and marker
 * symbols, error bars (`error_y`), filled bands (`fill: "tonexty"`, `"toself"`, `"tozeroy"`),
 * axis ranges, log, category and reversed axes, titles, axis titles and a legend whose entries
 * show how each trace is drawn (svg_legend.ts).
 *
 * @module
 */
import {
  escapeHtml,
  type Figure,
  type Frame,
  titleText,
  type Trace,
  traceColor,
} from "./figure.ts";
import { type Axis, makeAxis } from "./svg_axes.ts";
import { drawHeatmap } from "./svg_heatmap.ts";
import { drawScene } from "./svg_scene.ts";
import { drawLegend, legendEntries, type LegendEntry, legendMargin } from "./svg_legend.ts";
import { dashArray, markerSvg, scatterMode } from "./svg_marks.ts";

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

/** The frame, with a right margin of `right` px unless the layout gives one. */
function makeFrame(fig: Figure, right: number): Frame {
  const margin = (fig.layout?.margin ?? {}) as Record<string, number>;
  const m = {
    l: Number(margin.l ?? 70),
    r: Number(margin.r ?? right),
    t: Number(margin.t ?? 44),
    b: Number(margin.b ?? 52),
  };
  const W = Number(fig.layout?.width ?? 640), H = Number(fig.layout?.height ?? 400);
  return { W, H, m, pw: Math.max(40, W - m.l - m.r), ph: Math.max(40, H - m.t - m.b), parts: [] };
}

/** A plotly `error_y`: the fields this renderer reads. */
interface ErrorY {
  type?: string;
  visible?: boolean;
  symmetric?: boolean;
  array?: (number | null)[];
  arrayminus?: (number | null)[];
  value?: number;
  valueminus?: number;
  color?: string;
  thickness?: number;
  width?: number;
}

/**
 * The lower and upper ends of a trace's vertical error bars (data units, before any log), one
 * pair per point; undefined when it has none or they are hidden (`visible: false`). Reads
 * `type` "data" (`array`, `arrayminus`), "constant" (`value`, `valueminus`) and "percent"; an
 * error bar is symmetric unless `symmetric` is false or, when unset, `arrayminus`/`valueminus`
 * is given.
 *
 * @example
 * ```ts
 * import { errorBarEnds } from "./svg.ts";
 * const e = errorBarEnds({ y: [1, 2], error_y: { type: "data", array: [0.5, 1] } });
 * console.log(e); // [[0.5, 1.5], [1, 3]]
 * ```
 */
export function errorBarEnds(t: Trace): [number, number][] | undefined {
  const e = t.error_y as ErrorY | undefined;
  if (!e || typeof e !== "object" || e.visible === false) return undefined;
  const type = e.type ?? (e.array ? "data" : "percent");
  const symmetric = e.symmetric ?? (e.arrayminus === undefined && e.valueminus === undefined);
  const ys = (t.y ?? []).map((v) => (v === null ? NaN : Number(v)));
  const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
  return ys.map((y, i) => {
    let up: number, down: number;
    if (type === "data") {
      up = num(e.array?.[i]);
      down = symmetric ? up : num(e.arrayminus?.[i]);
    } else if (type === "constant") {
      up = num(e.value);
      down = symmetric ? up : num(e.valueminus);
    } else { // "percent" of the value; plotly's default type
      up = (Math.abs(y) * num(e.value ?? 10)) / 100;
      down = symmetric ? up : (Math.abs(y) * num(e.valueminus ?? 10)) / 100;
    }
    return [y - (Number.isFinite(down) ? down : 0), y + (Number.isFinite(up) ? up : 0)];
  });
}

function cartesian(fig: Figure, f: Frame, legend: LegendEntry[]) {
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
    const ends = errorBarEnds(t)?.map(([lo, hi], i) => [lo + base[i], hi + base[i]]);
    const ly = (v: number) => (logY ? (v > 0 ? Math.log10(v) : NaN) : v);
    return {
      t,
      xs: logX ? xs.map(Math.log10) : xs,
      ys: logY ? tops.map(Math.log10) : tops,
      base: logY ? base.map((b) => (b > 0 ? Math.log10(b) : NaN)) : base,
      errs: ends?.map(([lo, hi]) => [ly(lo), ly(hi)] as [number, number]),
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
  // The axis covers the error bars' ends as well as the points.
  const y = makeAxis(
    traces.flatMap((d) => [...d.ys, ...(d.errs ?? []).flat()]),
    lay.yaxis,
    m.t + ph,
    m.t,
    {
      includeZero: bars.length > 0 && !logY,
    },
  );
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
  // Filled areas first, under every line: "tonexty" closes onto the previous trace's points,
  // "toself" onto its own first point, "tozeroy" onto y = 0.
  const pointsOf = (d: (typeof traces)[number]) =>
    d.xs.map((xv, i) => [x.px(xv), y.px(d.ys[i])] as [number, number])
      .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  traces.forEach((d, k) => {
    const fill = d.t.fill;
    if (d.t.type === "bar" || typeof fill !== "string" || fill === "none") return;
    const own = pointsOf(d);
    let poly: [number, number][] | undefined;
    if (fill === "tonexty" && k > 0) poly = [...own, ...pointsOf(traces[k - 1]).reverse()];
    else if (fill === "toself" || (fill === "tonexty" && k === 0)) poly = own;
    else if (fill === "tozeroy" && own.length) {
      const zero = y.px(logY ? y.lo : 0);
      poly = [...own, [own[own.length - 1][0], zero], [own[0][0], zero]];
    }
    if (!poly || poly.length < 3) return;
    const explicit = typeof d.t.fillcolor === "string" ? d.t.fillcolor : undefined;
    parts.push(
      `<polygon fill="${escapeHtml(explicit ?? traceColor(d.t, k))}"${
        explicit ? "" : ` fill-opacity="0.25"`
      } stroke="none" points="${
        poly.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")
      }"/>`,
    );
  });
  const whiskers = (t: Trace, k: number, at: number[], errs?: [number, number][]) => {
    if (!errs) return;
    const e = t.error_y as ErrorY;
    const c = escapeHtml(typeof e.color === "string" ? e.color : traceColor(t, k));
    const w = Number(e.width ?? 4), th = Number(e.thickness ?? 1.5);
    errs.forEach(([lo, hi], i) => {
      const a = at[i], top = y.px(hi), bottom = y.px(lo);
      if (![a, top, bottom].every(Number.isFinite) || Math.abs(top - bottom) < 0.05) return;
      const [ax, t1, b1] = [a.toFixed(1), top.toFixed(1), bottom.toFixed(1)];
      parts.push(
        `<path class="errorbar" d="M${ax},${t1}V${b1}M${(a - w).toFixed(1)},${t1}H${
          (a + w).toFixed(1)
        }M${(a - w).toFixed(1)},${b1}H${
          (a + w).toFixed(1)
        }" stroke="${c}" stroke-width="${th}" fill="none"/>`,
      );
    });
  };
  traces.forEach(({ t, xs, ys, base, errs }, k) => {
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
      // Whiskers at each bar's centre, in a dark shade so they show on the bar.
      whiskers(
        t.error_y && !(t.error_y as ErrorY).color
          ? { ...t, error_y: { ...(t.error_y as ErrorY), color: "#333" } }
          : t,
        k,
        xs.map((xv) => x.px(xv) - (bw * slots) / 2 + (stack ? 0 : bars.indexOf(t)) * bw + bw / 2),
        errs,
      );
      return;
    }
    const mode = scatterMode(t);
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
    const line = t.line as { dash?: unknown; width?: number } | undefined;
    if (mode.includes("lines")) {
      const width = Number(line?.width ?? 2), dash = dashArray(line?.dash, width);
      for (const run of runs.filter((r) => r.length > 1)) {
        parts.push(
          `<polyline fill="none" stroke="${c}" stroke-opacity="${opacity}" stroke-width="${width}" ` +
            `stroke-linejoin="round"${dash ? ` stroke-dasharray="${dash}"` : ""} points="${
              run.join(" ")
            }"/>`,
        );
      }
    }
    whiskers(t, k, xs.map((xv) => x.px(xv)), errs);
    if (mode.includes("markers")) {
      const marker = t.marker as { size?: number; symbol?: unknown } | undefined;
      const size = Number(marker?.size ?? 6);
      for (const [a, b] of pts) {
        parts.push(markerSvg(a, b, size, marker?.symbol, traceColor(t, k), opacity));
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
  drawLegend(f, legend);
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
  const legend = heat ? [] : legendEntries(fig);
  // A heatmap's colorbar takes 110 px; a legend as much as its names need; else 30 px.
  const f = makeFrame(
    fig,
    heat ? 110 : legend.length ? legendMargin(legend.map((e) => e.name)) : 30,
  );
  if (heat) drawHeatmap(heat, fig, f);
  else if (scene) drawScene(fig, f);
  else cartesian(fig, f, legend);
  if (scene) drawLegend(f, legend);
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
