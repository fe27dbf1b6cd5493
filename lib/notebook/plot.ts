/**
 * Plotly figures for the Deno kernel. The bundle carries the plotly JSON (interactive in VS Code
 * and JupyterLab), a PNG of the same figure (shown by every front end, trusted or not, and by
 * GitHub), and a text summary. There is no `text/html` fallback: untrusted front ends strip its
 * SVG and would show run-together numbers.
 *
 * @module
 */
import { createRequire } from "node:module";
import {
  display,
  type Displayable,
  displayable,
  escapeHtml,
  inJupyter,
  type MimeBundle,
} from "./display.ts";
import {
  type Figure,
  figureToSvg,
  svgToPng,
  titleText,
  toBase64,
  type Trace,
} from "../figure/mod.ts";

export type { Figure, Trace };

function summary(fig: Figure): string {
  const lines = [titleText(fig.layout?.title) || "figure"];
  for (const t of fig.data) {
    const n = (t.y ?? t.z ?? t.x ?? []).length;
    const ys = (t.y ?? []).map(Number).filter(Number.isFinite);
    const range = ys.length
      ? ` y in [${+Math.min(...ys).toPrecision(4)}, ${+Math.max(...ys)
        .toPrecision(4)}]`
      : "";
    const last = ys.length ? `, last ${+ys[ys.length - 1].toPrecision(4)}` : "";
    lines.push(
      `  ${t.type ?? "scatter"}${t.name ? ` "${t.name}"` : ""}: ${n} points${range}${last}`,
    );
  }
  return lines.join("\n");
}

function jsonSafe(fig: Figure): Figure {
  // Typed arrays and NaN do not survive JSON; plotly reads null as a gap. plotly.js 3 and later
  // (JupyterLab's renderer, VS Code's) drop a title given as a bare string, so every `title`
  // becomes `{ text }`, which older versions read too.
  return JSON.parse(
    JSON.stringify(
      fig,
      (k, v) =>
        ArrayBuffer.isView(v)
          ? Array.from(v as unknown as ArrayLike<number>)
          : typeof v === "number" && !Number.isFinite(v)
          ? null
          : k === "title" && typeof v === "string"
          ? { text: v }
          : v,
    ),
  );
}

/**
 * The MIME bundle of a figure.
 *
 * @example
 * ```ts
 * import { figureBundle } from "./plot.ts";
 * const b = figureBundle({ data: [{ y: [3, 2, 1] }] });
 * console.log(Object.keys(b)); // plotly JSON, image/png, text/plain
 * ```
 */
export function figureBundle(figure: Figure): MimeBundle {
  if (!figure || !Array.isArray(figure.data)) {
    throw new Error(
      "plot() takes a plotly figure { data: Trace[], layout? }; data must be an array.",
    );
  }
  const fig = jsonSafe(figure);
  return {
    "application/vnd.plotly.v1+json": fig,
    "image/png": toBase64(svgToPng(figureToSvg(fig))),
    "text/plain": summary(fig),
  };
}

/**
 * A plotly figure as a displayable: make it a cell's last expression, or pass it to `display`.
 *
 * @example
 * ```ts
 * import { plot } from "./plot.ts";
 * plot({
 *   data: [{ x: [1, 2, 3], y: [2.1, 1.7, 1.5], name: "val loss" }],
 *   layout: { title: "loss", xaxis: { title: "step" } },
 * });
 * ```
 */
export function plot(figure: Figure): Displayable & { bundle: MimeBundle } {
  return displayable(figureBundle(figure));
}

/**
 * A figure redrawn in place as data arrives (e.g. a loss curve during training). Outside
 * Jupyter only the final `show` prints.
 *
 * @example
 * ```ts
 * import { LivePlot } from "./plot.ts";
 * const live = new LivePlot();
 * const ys: number[] = [];
 * for (let i = 0; i < 3; i++) { ys.push(1 / (i + 1)); await live.update({ data: [{ y: ys }] }); }
 * ```
 */
export class LivePlot {
  #id = `plot-${crypto.randomUUID()}`;
  #shown = false;
  #last: Figure | undefined;

  /** Replaces the figure; in Jupyter the same output is redrawn. */
  async update(figure: Figure): Promise<void> {
    this.#last = figure;
    if (!inJupyter()) return;
    await display(plot(figure), { displayId: this.#id, update: this.#shown });
    this.#shown = true;
  }

  /** The latest figure as a displayable (prints its summary outside Jupyter). */
  show(): Displayable & { bundle: MimeBundle } {
    return plot(this.#last ?? { data: [] });
  }
}

/**
 * A standalone HTML page that draws the figure with plotly.js (inlined from the
 * `plotly.js-dist-min` package), for viewing results outside Jupyter, e.g. a loss curve next
 * to a checkpoint.
 *
 * @example
 * ```ts
 * import { figurePage } from "./plot.ts";
 * const html = figurePage({ data: [{ y: [3, 2, 1] }], layout: { title: "loss" } });
 * console.log(html.includes("Plotly.newPlot")); // true
 * ```
 */
export function figurePage(figure: Figure): string {
  const fig = figureBundle(figure)["application/vnd.plotly.v1+json"];
  const title = titleText(figure.layout?.title) || "figure";
  const js = plotlySource().replace(/<\/script/gi, "<\\/script");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<script>${js}</script></head><body><div id="fig" style="width:100%;height:90vh"></div>` +
    `<script>const fig = ${JSON.stringify(fig).replace(/</g, "\\u003c")};` +
    `Plotly.newPlot("fig", fig.data, fig.layout || {});</script></body></html>`;
}

let plotlyJs: string | undefined;

function plotlySource(): string {
  if (plotlyJs === undefined) {
    const path = createRequire(import.meta.url).resolve("plotly.js-dist-min");
    plotlyJs = Deno.readTextFileSync(path);
  }
  return plotlyJs;
}
