/**
 * Display helpers for notebooks on the Deno Jupyter kernel: plotly plots with a PNG rendering,
 * LaTeX matrices, markdown, a live progress bar, and smoke mode for tests.
 *
 * @example
 * ```ts
 * import { isSmoke, latexMatrix, plot } from "./mod.ts";
 * const steps = isSmoke() ? 10 : 1000;
 * plot({ data: [{ y: [1, 4, 9] }], layout: { title: `squares (${steps} steps)` } });
 * latexMatrix([[1, 0], [0, 1]], { name: "I" });
 * ```
 *
 * @module
 */
export {
  DISPLAY,
  display,
  type Displayable,
  displayable,
  inJupyter,
  isSmoke,
  markdown,
  type MimeBundle,
  show,
} from "./display.ts";
export { flushConsole } from "./console.ts";
export { keep, type Keepable, keptNames, releaseKept } from "./keep.ts";
export { latexMatrix, type LatexMatrixOptions, latexSource } from "./latex.ts";
export { type Figure, figureBundle, figurePage, LivePlot, plot, type Trace } from "./plot.ts";
export {
  formatDuration,
  ProgressBar,
  type ProgressBarOptions,
  type ProgressFields,
} from "./progress.ts";
export { figureToSvg, type Pixels, svgToPixels, svgToPng } from "../figure/mod.ts";
export { markdownToText } from "./table.ts";
