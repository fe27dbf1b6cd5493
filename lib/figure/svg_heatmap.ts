/**
 * Heatmaps for the static renderer: cells coloured by the trace's colorscale between `zmin`
 * and `zmax` (else the data's range), row 0 at the bottom unless the y axis is reversed (as in
 * plotly), labelled rows and columns, and a colorbar.
 *
 * @module
 */
import { colorAt, resolveColorscale } from "./colorscale.ts";
import { escapeHtml, type Figure, type Frame, type Trace } from "./figure.ts";
import { fmtTick, niceTicks } from "./svg_axes.ts";

const MISSING: [number, number, number] = [238, 238, 238];

/**
 * Draws a heatmap trace into the frame.
 *
 * @example
 * ```ts
 * import { figureToSvg } from "./svg.ts";
 * const svg = figureToSvg({ data: [{ type: "heatmap", z: [[0, 1], [1, 0]], zmin: 0, zmax: 2 }] });
 * console.log(svg.includes("<rect")); // true
 * ```
 */
export function drawHeatmap(heat: Trace, fig: Figure, f: Frame): void {
  const { m, pw, ph, parts } = f;
  const z = (heat.z ?? []) as (number | null)[][];
  if (!Array.isArray(z[0])) {
    throw new Error("A heatmap's z must be a 2-D array (rows of numbers).");
  }
  const rows = z.length, cols = Math.max(0, ...z.map((r) => r.length));
  const flat = z.flat().map((v) => (v === null ? NaN : Number(v))).filter(Number.isFinite);
  const zmin = Number.isFinite(Number(heat.zmin)) && heat.zmin !== null
    ? Number(heat.zmin)
    : Math.min(...flat);
  const zmax = Number.isFinite(Number(heat.zmax)) && heat.zmax !== null
    ? Number(heat.zmax)
    : Math.max(...flat);
  const stops = resolveColorscale(heat.colorscale, heat.reversescale === true);
  const rgbOf = (v: number | null) =>
    v === null || !Number.isFinite(Number(v))
      ? MISSING
      : colorAt(stops, zmax > zmin ? (Number(v) - zmin) / (zmax - zmin) : 0.5);
  const reversed = fig.layout?.yaxis?.autorange === "reversed";
  const cw = pw / Math.max(1, cols), ch = ph / Math.max(1, rows);
  const top = (i: number) => m.t + (reversed ? i : rows - 1 - i) * ch;
  // One rect per cell with crisp edges (anti-aliased edges would draw a faint grid).
  parts.push(`<g shape-rendering="crispEdges">`);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      parts.push(
        `<rect x="${(m.l + j * cw).toFixed(2)}" y="${top(i).toFixed(2)}" width="${
          (cw + 0.5).toFixed(2)
        }" height="${(ch + 0.5).toFixed(2)}" fill="rgb(${rgbOf(z[i][j] ?? null).join(",")})"/>`,
      );
    }
  }
  parts.push(`</g>`);
  const size = (axis: "xaxis" | "yaxis") =>
    Number((fig.layout?.[axis]?.tickfont as { size?: number } | undefined)?.size ?? 11);
  const labels = (vals: unknown, n: number, axis: "x" | "y") => {
    const arr = Array.isArray(vals) ? vals : Array.from({ length: n }, (_, i) => i);
    const every = Math.ceil(n / (axis === "x" ? 24 : 30));
    arr.forEach((v, i) => {
      if (i % every || i >= n) return;
      const s = escapeHtml(typeof v === "number" ? fmtTick(v) : String(v));
      parts.push(
        axis === "x"
          ? `<text transform="translate(${(m.l + (i + 0.5) * cw).toFixed(1)} ${
            m.t + ph + 6
          }) rotate(${cols > 12 ? -45 : 0})" font-size="${size("xaxis")}" text-anchor="${
            cols > 12 ? "end" : "middle"
          }" dy="${cols > 12 ? 4 : 10}">${s}</text>`
          : `<text x="${m.l - 5}" y="${(top(i) + ch / 2 + 4).toFixed(1)}" font-size="${
            size("yaxis")
          }" text-anchor="end">${s}</text>`,
      );
    });
  };
  labels(heat.x, cols, "x");
  labels(heat.y, rows, "y");
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#aaa"/>`,
  );
  // Colorbar: the scale's stops as a gradient, high values at the top.
  const bx = f.W - m.r + 16, by = m.t, bh = ph;
  const id = `cb${Math.random().toString(36).slice(2, 8)}`;
  parts.push(
    `<defs><linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">${
      stops.map(([t, c]) => `<stop offset="${t}" stop-color="${escapeHtml(c)}"/>`).join("")
    }</linearGradient></defs>`,
    `<rect x="${bx}" y="${by}" width="14" height="${bh}" fill="url(#${id})" stroke="#aaa"/>`,
  );
  if (zmax > zmin) {
    for (const v of niceTicks(zmin, zmax)) {
      const y = by + bh - ((v - zmin) / (zmax - zmin)) * bh;
      parts.push(
        `<line x1="${bx + 14}" x2="${bx + 18}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" ` +
          `stroke="#444"/>`,
        `<text x="${bx + 21}" y="${(y + 4).toFixed(1)}" font-size="11">${fmtTick(v)}</text>`,
      );
    }
  }
}
