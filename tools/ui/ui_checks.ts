/**
 * The checks of the front-end test, on what JupyterLab shows: the committed notebook opened
 * untrusted (every plot an image, no raw markup), and the same notebook run through the UI in
 * smoke mode (no errors, no output after its cell's idle, every cell that printed in nbclient's
 * run showing output under its own cell, progress bars ending at 100% in one output).
 *
 * @module
 */

/** An nbformat output (the fields the checks read). */
export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** A notebook's cells' outputs, as nbformat or JupyterLab's model gives them. */
export interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
}

/** An IOPub message as the browser's kernel connection received it. */
export interface KernelMessage {
  type: string;
  parent: string | undefined;
  state?: string;
  text?: string;
}

const OUTPUT_TYPES = new Set([
  "stream",
  "display_data",
  "execute_result",
  "error",
  "update_display_data",
]);

function text(v: unknown): string {
  return Array.isArray(v) ? v.join("") : String(v ?? "");
}

/**
 * How many plots a committed notebook holds (outputs with plotly JSON or a PNG).
 *
 * @example
 * ```ts
 * import { countPlots } from "./ui_checks.ts";
 * console.log(countPlots({ cells: [] })); // 0
 * ```
 */
export function countPlots(nb: NotebookJson): number {
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) =>
    o.data && ("application/vnd.plotly.v1+json" in o.data || "image/png" in o.data)
  ).length;
}

/** What the page showed for the untrusted notebook (collected in the browser). */
export interface StaticView {
  images: number;
  brokenImages: number;
  outputTexts: string[];
  trustedCells: number;
}

/**
 * Problems with the untrusted view: plots not shown as images, raw HTML or markdown source
 * shown as text, or cells that were trusted (then the check would prove nothing).
 *
 * @example
 * ```ts
 * import { staticProblems } from "./ui_checks.ts";
 * const view = { images: 0, brokenImages: 0, outputTexts: ["<svg>"], trustedCells: 0 };
 * console.log(staticProblems({ cells: [] }, view)); // ["an output shows raw markup: <svg>"]
 * ```
 */
export function staticProblems(nb: NotebookJson, view: StaticView): string[] {
  const problems: string[] = [];
  const plots = countPlots(nb);
  if (view.images < plots) {
    problems.push(`${plots} plots in the notebook, but only ${view.images} show as images`);
  }
  if (view.brokenImages) problems.push(`${view.brokenImages} images failed to load`);
  if (view.trustedCells) {
    problems.push(`${view.trustedCells} cells were trusted; the check needs an untrusted notebook`);
  }
  for (const t of view.outputTexts) {
    const raw = t.match(/<\/?(svg|div|table|span|rect|polyline|img|b|p)\b[^>]*>/i) ??
      t.match(/^\s*\|.*\|\s*$\n^\s*\|?\s*:?-{3,}/m);
    if (raw) problems.push(`an output shows raw markup: ${raw[0].slice(0, 60)}`);
  }
  return problems;
}

/**
 * Outputs that arrived after their cell reported idle, or under a parent id that never ran,
 * from the IOPub messages the browser received.
 *
 * @example
 * ```ts
 * import { lateOutputs } from "./ui_checks.ts";
 * const msgs = [
 *   { type: "status", parent: "a", state: "idle" },
 *   { type: "stream", parent: "a", text: "late" },
 * ];
 * console.log(lateOutputs(msgs, ["a"]).length); // 1
 * ```
 */
export function lateOutputs(messages: KernelMessage[], requests: string[]): string[] {
  const idle = new Set<string>();
  const known = new Set(requests);
  const problems: string[] = [];
  for (const m of messages) {
    if (m.type === "status" && m.state === "idle" && m.parent) idle.add(m.parent);
    if (!OUTPUT_TYPES.has(m.type)) continue;
    const cell = m.parent ? requests.indexOf(m.parent) : -1;
    const what = `${m.type} ${JSON.stringify((m.text ?? "").slice(0, 60))}`;
    if (m.parent && idle.has(m.parent)) {
      problems.push(`execution ${cell + 1}: ${what} arrived after the cell reported idle`);
    } else if (!m.parent || !known.has(m.parent)) {
      problems.push(`${what} arrived under a parent id no cell sent`);
    }
  }
  return problems;
}

const BAR = /^(.*?)\s*(\d+)% \|/;

/** Progress-bar outputs of a cell: label to the percentages they show. */
function progressBars(outs: Output[]): Map<string, number[]> {
  const bars = new Map<string, number[]>();
  for (const o of outs) {
    const m = (o.output_type === "stream" ? "" : text(o.data?.["text/plain"])).match(BAR);
    if (m) bars.set(m[1], [...(bars.get(m[1]) ?? []), Number(m[2])]);
  }
  return bars;
}

/**
 * Problems with a notebook run through the UI, compared with nbclient's run of the same
 * notebook: error outputs, cells that printed in nbclient's run but show nothing (lost) or
 * show output nbclient's run did not have (misplaced), progress bars not at 100% or split
 * over several outputs.
 *
 * @example
 * ```ts
 * import { runProblems } from "./ui_checks.ts";
 * const nb = { cells: [{ cell_type: "code", source: "1", outputs: [] }] };
 * console.log(runProblems(nb, nb)); // []
 * ```
 */
export function runProblems(ui: NotebookJson, reference: NotebookJson): string[] {
  const problems: string[] = [];
  if (ui.cells.length !== reference.cells.length) {
    return [`${ui.cells.length} cells in the UI, ${reference.cells.length} in nbclient's run`];
  }
  ui.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const outs = cell.outputs ?? [], ref = reference.cells[i].outputs ?? [];
    for (const o of outs) {
      if (o.output_type === "error") problems.push(`cell ${i}: error ${o.ename}: ${o.evalue}`);
    }
    if (ref.length && !outs.length) {
      problems.push(`cell ${i}: printed in nbclient's run but shows no output in JupyterLab`);
    }
    if (!ref.length && outs.length) {
      problems.push(`cell ${i}: shows output that nbclient's run did not have (misplaced?)`);
    }
    const bars = progressBars(outs), refBars = progressBars(ref);
    for (const [label, pcts] of bars) {
      for (const p of pcts.filter((p) => p !== 100)) {
        problems.push(`cell ${i}: progress bar "${label}" ends at ${p}%, not 100%`);
      }
      const want = refBars.get(label)?.length ?? 1;
      if (pcts.length > want) {
        problems.push(
          `cell ${i}: progress bar "${label}" shows in ${pcts.length} outputs (nbclient: ${want})`,
        );
      }
    }
  });
  return problems;
}

/** What the page showed when the test moved the mouse onto a plot (collected in the browser). */
export interface LiveView {
  /** Outputs drawn by plotly's JupyterLab renderer (`.jp-RenderedPlotly`). */
  renderers: number;
  /** Whether plotly.js drew the figure: `.js-plotly-plot` holding `svg.main-svg`. */
  drawn: boolean;
  /** Trace groups plotly.js drew (`.scatterlayer .trace`, `.heatmaplayer .hm`, bars, ...). */
  traces: number;
  /** The text of plotly's hover label after the mouse moved onto a data point. */
  hoverText: string;
}

/**
 * Problems with the live plot of a notebook that has plots: no plotly renderer in JupyterLab
 * (plots stay images), plotly.js not drawing, no traces, or no hover label on a data point.
 *
 * @example
 * ```ts
 * import { livePlotProblems } from "./ui_checks.ts";
 * const view = { renderers: 0, drawn: false, traces: 0, hoverText: "" };
 * console.log(livePlotProblems("first plot", view).length); // 1
 * ```
 */
export function livePlotProblems(where: string, view: LiveView): string[] {
  if (!view.renderers) {
    return [
      `${where}: not drawn by plotly's renderer (no .jp-RenderedPlotly); is the ` +
      "jupyterlab-plotly extension installed and enabled?",
    ];
  }
  if (!view.drawn) return [`${where}: plotly.js did not draw the figure (no svg.main-svg)`];
  if (!view.traces) return [`${where}: plotly.js drew no traces`];
  if (!view.hoverText.trim()) return [`${where}: no hover label on a data point`];
  return [];
}
