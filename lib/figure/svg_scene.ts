/**
 * 3-D scatter for the static renderer: an orthographic projection from plotly's default
 * camera (eye at (1.25, 1.25, 1.25), z up), each axis scaled to the cube as plotly's
 * `aspectmode: "auto"` does for similar ranges, with the cube's edges, axis names and points
 * drawn far to near.
 *
 * @module
 */
import { escapeHtml, type Figure, type Frame, titleText, traceColor } from "./figure.ts";
import { fmtTick } from "./svg_axes.ts";

type V3 = [number, number, number];

function normalize(v: V3): V3 {
  const n = Math.hypot(...v) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * Draws the figure's scatter3d traces into the frame as a projection.
 *
 * @example
 * ```ts
 * import { figureToSvg } from "./svg.ts";
 * const svg = figureToSvg({ data: [{ type: "scatter3d", x: [0, 1], y: [0, 1], z: [1, 0] }] });
 * console.log(svg.includes("<circle")); // true
 * ```
 */
export function drawScene(fig: Figure, f: Frame): void {
  const { m, pw, ph, parts } = f;
  const scene = (fig.layout?.scene ?? {}) as Record<string, unknown>;
  const eyeIn = ((scene.camera as { eye?: Record<string, number> } | undefined)?.eye) ??
    { x: 1.25, y: 1.25, z: 1.25 };
  const eye = normalize([eyeIn.x, eyeIn.y, eyeIn.z]);
  const right = normalize(cross([0, 0, 1], eye));
  const up = cross(eye, right);
  const traces = fig.data.filter((t) => t.type === "scatter3d");
  const col = (k: "x" | "y" | "z") =>
    traces.flatMap((t) => ((t[k] ?? []) as unknown[]).map(Number)).filter(Number.isFinite);
  const range = (k: "x" | "y" | "z") => {
    const v = col(k);
    const lo = v.length ? Math.min(...v) : 0, hi = v.length ? Math.max(...v) : 1;
    return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
  };
  const R = { x: range("x"), y: range("y"), z: range("z") };
  const unit = (k: "x" | "y" | "z", v: number) => (2 * (v - R[k][0])) / (R[k][1] - R[k][0]) - 1;
  // The cube's corners project into [-s, s]; scale so the whole cube fits the plot area.
  const corners: V3[] = [];
  for (const a of [-1, 1]) {
    for (const b of [-1, 1]) for (const c of [-1, 1]) corners.push([a, b, c]);
  }
  const proj = corners.map((p) => [dot(p, right), dot(p, up)]);
  const su = Math.max(...proj.map((p) => Math.abs(p[0]))),
    sv = Math.max(...proj.map((p) => Math.abs(p[1])));
  const s = Math.min(pw / (2 * su), ph / (2 * sv)) * 0.92;
  const cx = m.l + pw / 2, cy = m.t + ph / 2;
  const screen = (p: V3) => [cx + s * dot(p, right), cy - s * dot(p, up), dot(p, eye)];
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#fff"/>`);
  // The cube's 12 edges; the three nearest the viewer are not drawn, so the box reads as open.
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j < 8; j++) {
      const d = corners[i].filter((v, k) => v !== corners[j][k]).length;
      if (d !== 1) continue;
      const [a, b] = [screen(corners[i]), screen(corners[j])];
      const near = dot(corners[i], eye) > 0.5 && dot(corners[j], eye) > 0.5;
      if (near) continue;
      parts.push(
        `<line x1="${a[0].toFixed(1)}" y1="${a[1].toFixed(1)}" x2="${b[0].toFixed(1)}" ` +
          `y2="${b[1].toFixed(1)}" stroke="#bbb"/>`,
      );
    }
  }
  // Axis names and end values along the three edges through the corner (-1, -1, -1)'s floor.
  const axisLabel = (k: "x" | "y" | "z", from: V3, to: V3) => {
    const at = (u: number) => screen(from.map((v, i) => v + u * (to[i] - v)) as V3);
    // End values a little inside the edge, so labels of edges that share a corner do not overlap.
    const a = at(0.1), b = at(0.75), mid = at(0.5);
    const title = titleText((scene[`${k}axis`] as { title?: unknown } | undefined)?.title) || k;
    parts.push(
      `<text x="${mid[0].toFixed(1)}" y="${(mid[1] + 16).toFixed(1)}" font-size="13" ` +
        `text-anchor="middle" fill="#333">${escapeHtml(title)}</text>`,
      `<text x="${a[0].toFixed(1)}" y="${(a[1] + 14).toFixed(1)}" font-size="10" fill="#777" ` +
        `text-anchor="middle">${fmtTick(R[k][0])}</text>`,
      `<text x="${b[0].toFixed(1)}" y="${(b[1] + 14).toFixed(1)}" font-size="10" fill="#777" ` +
        `text-anchor="middle">${fmtTick(R[k][1])}</text>`,
    );
  };
  axisLabel("x", [-1, 1, -1], [1, 1, -1]);
  axisLabel("y", [1, -1, -1], [1, 1, -1]);
  axisLabel("z", [1, -1, -1], [1, -1, 1]);
  const points: { d: number; svg: string }[] = [];
  traces.forEach((t) => {
    const k = fig.data.indexOf(t);
    const c = escapeHtml(traceColor(t, k));
    const xs = (t.x ?? []).map(Number), ys = (t.y ?? []).map(Number);
    const zs = ((t.z ?? []) as unknown[]).map(Number);
    const mode = t.mode ?? "markers";
    const size = Number((t.marker as { size?: number } | undefined)?.size ?? 6);
    const texts = Array.isArray(t.text) ? t.text : [];
    const pts = xs.map((x, i) => screen([unit("x", x), unit("y", ys[i]), unit("z", zs[i])]))
      .map((p, i) => ({ p, i })).filter(({ p }) => p.every(Number.isFinite));
    if (mode.includes("lines") && pts.length > 1) {
      points.push({
        d: -Infinity,
        svg: `<polyline fill="none" stroke="${c}" stroke-width="2" points="${
          pts.map(({ p }) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" ")
        }"/>`,
      });
    }
    for (const { p, i } of pts) {
      let svg = mode.includes("markers")
        ? `<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" r="${size / 2 + 0.5}" ` +
          `fill="${c}" stroke="#fff" stroke-width="0.5"/>`
        : "";
      if (mode.includes("text") && texts[i] !== undefined) {
        svg += `<text x="${(p[0] + size / 2 + 2).toFixed(1)}" y="${(p[1] + 4).toFixed(1)}" ` +
          `font-size="10" fill="#333">${escapeHtml(String(texts[i]))}</text>`;
      }
      points.push({ d: p[2], svg });
    }
  });
  // Far points first, so near ones cover them.
  points.sort((a, b) => a.d - b.d);
  for (const p of points) parts.push(p.svg);
  parts.push(
    `<text x="${m.l}" y="${f.H - 8}" font-size="11" fill="#888">3-D view from plotly's default ` +
      `camera; open the notebook in JupyterLab or VS Code to rotate it.</text>`,
  );
}
