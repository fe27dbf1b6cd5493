/**
 * Plotly colorscales for the static renderer: the named scales the notebooks use (stops as
 * plotly.js defines them, so the PNG matches the interactive plot), custom `[[t, color], ...]`
 * arrays, `reversescale`, and CSS colour parsing.
 *
 * @module
 */

/** A colorscale as plotly writes it: stops from 0 to 1. */
export type Colorscale = [number, string][];

const NAMED: Record<string, Colorscale> = {
  Greys: [[0, "rgb(0,0,0)"], [1, "rgb(255,255,255)"]],
  Blues: [
    [0, "rgb(5,10,172)"],
    [0.35, "rgb(40,60,190)"],
    [0.5, "rgb(70,100,245)"],
    [0.6, "rgb(90,120,245)"],
    [0.7, "rgb(106,137,247)"],
    [1, "rgb(220,220,220)"],
  ],
  Reds: [[0, "rgb(220,220,220)"], [0.2, "rgb(245,195,157)"], [0.4, "rgb(245,160,105)"], [
    1,
    "rgb(178,10,28)",
  ]],
  RdBu: [
    [0, "rgb(5,10,172)"],
    [0.35, "rgb(106,137,247)"],
    [0.5, "rgb(190,190,190)"],
    [0.6, "rgb(220,170,132)"],
    [0.7, "rgb(230,145,90)"],
    [1, "rgb(178,10,28)"],
  ],
  Bluered: [[0, "rgb(0,0,255)"], [1, "rgb(255,0,0)"]],
  Hot: [[0, "rgb(0,0,0)"], [0.3, "rgb(230,0,0)"], [0.6, "rgb(255,210,0)"], [
    1,
    "rgb(255,255,255)",
  ]],
  Viridis: [
    "#440154",
    "#48186a",
    "#472d7b",
    "#424086",
    "#3b528b",
    "#33638d",
    "#2c728e",
    "#26828e",
    "#21918c",
    "#1fa088",
    "#28ae80",
    "#3fbc73",
    "#5ec962",
    "#84d44b",
    "#addc30",
    "#d8e219",
    "#fde725",
  ].map((c, i) => [i / 16, c] as [number, string]),
};

/** The colour plotly draws a heatmap with when the trace names none. */
export const DEFAULT_COLORSCALE = "Viridis";

const CSS_NAMES: Record<string, [number, number, number]> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  red: [255, 0, 0],
  green: [0, 128, 0],
  blue: [0, 0, 255],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  orange: [255, 165, 0],
  purple: [128, 0, 128],
};

/**
 * Parses `#rgb`, `#rrggbb`, `rgb(r,g,b)`, `rgba(r,g,b,a)` and a few CSS names to `[r, g, b]`.
 *
 * @example
 * ```ts
 * import { parseColor } from "./colorscale.ts";
 * console.log(parseColor("#ff8000")); // [255, 128, 0]
 * ```
 */
export function parseColor(css: string): [number, number, number] {
  const s = css.trim().toLowerCase();
  if (s in CSS_NAMES) return CSS_NAMES[s];
  const hex = s.match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join("") : hex[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  }
  const fn = s.match(/^rgba?\(([^)]*)\)$/);
  if (fn) {
    const v = fn[1].split(",").slice(0, 3).map((x) => Math.round(Number(x)));
    if (v.length === 3 && v.every(Number.isFinite)) return v as [number, number, number];
  }
  throw new Error(
    `Unknown colour "${css}": use #rrggbb, rgb(r,g,b) or one of ${
      Object.keys(CSS_NAMES).join(", ")
    }.`,
  );
}

/**
 * The stops of a colorscale given by name or as an array, reversed when asked.
 *
 * @example
 * ```ts
 * import { resolveColorscale } from "./colorscale.ts";
 * console.log(resolveColorscale("Greys")[0]); // [0, "rgb(0,0,0)"]
 * ```
 */
export function resolveColorscale(scale: unknown, reverse = false): Colorscale {
  let stops: Colorscale;
  if (scale === undefined || scale === null) stops = NAMED[DEFAULT_COLORSCALE];
  else if (typeof scale === "string") {
    const key = Object.keys(NAMED).find((k) => k.toLowerCase() === scale.toLowerCase());
    if (!key) {
      throw new Error(
        `Unknown colorscale "${scale}": the static renderer knows ${
          Object.keys(NAMED).join(", ")
        }; pass [[0, color], ..., [1, color]] for others.`,
      );
    }
    stops = NAMED[key];
  } else if (Array.isArray(scale) && scale.every((s) => Array.isArray(s) && s.length === 2)) {
    stops = scale.map(([t, c]) => [Number(t), String(c)] as [number, string]);
  } else {
    throw new Error(`A colorscale is a name or [[0, color], ..., [1, color]], got ${scale}.`);
  }
  return reverse ? stops.map(([t, c]) => [1 - t, c] as [number, string]).reverse() : stops;
}

/**
 * The colour at `t` in [0, 1] (clamped) of a colorscale, linearly interpolated in RGB.
 *
 * @example
 * ```ts
 * import { colorAt, resolveColorscale } from "./colorscale.ts";
 * console.log(colorAt(resolveColorscale("Greys"), 0.5)); // [128, 128, 128]
 * ```
 */
export function colorAt(stops: Colorscale, t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  let i = 0;
  while (i < stops.length - 2 && x > stops[i + 1][0]) i++;
  const [t0, c0] = stops[i], [t1, c1] = stops[Math.min(i + 1, stops.length - 1)];
  const f = t1 > t0 ? (x - t0) / (t1 - t0) : 0;
  const a = parseColor(c0), b = parseColor(c1);
  return a.map((v, k) => Math.round(v + Math.max(0, Math.min(1, f)) * (b[k] - v))) as [
    number,
    number,
    number,
  ];
}
