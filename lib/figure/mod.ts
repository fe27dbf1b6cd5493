/**
 * The static renderer of plotly figures: a figure drawn as SVG (`figureToSvg`), rasterised to
 * PNG (`svgToPng`) or to pixels (`svgToPixels`, for tests). The notebook display (lib/notebook)
 * uses it for the PNG every front end shows; it knows nothing of notebooks itself.
 *
 * @example
 * ```ts
 * import { figureToSvg, svgToPng } from "./mod.ts";
 * const svg = figureToSvg({ data: [{ y: [1, 4, 9], name: "squares" }] });
 * console.log(svgToPng(svg).length > 0); // true
 * ```
 *
 * @module
 */
export {
  type Axis,
  COLORS,
  type Figure,
  type Frame,
  titleText,
  type Trace,
  traceColor,
} from "./figure.ts";
export { errorBarEnds, figureToSvg } from "./svg.ts";
export { type Pixels, svgToPixels, svgToPng, toBase64 } from "./raster.ts";
