/**
 * SVG to PNG with resvg (compiled to WebAssembly, from npm), drawing text with DejaVu Sans from
 * the `dejavu-fonts-ttf` package so the image is the same on every machine, with or without
 * system fonts.
 *
 * @module
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";
import { encodePalettePng } from "./png_encode.ts";

const require = createRequire(import.meta.url);
let font: Uint8Array | undefined;
let failure: unknown;

// The wasm module initialises asynchronously once; rendering afterwards is synchronous, so
// figureBundle() stays a plain function.
try {
  await initWasm(Deno.readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
  font = Deno.readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"));
} catch (e) {
  failure = e;
}

/** A rendered image: `rgba` holds 4 bytes per pixel, row by row. */
export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

function render<T>(
  svg: string,
  scale: number,
  take: (img: { asPng(): Uint8Array; pixels: Uint8Array; width: number; height: number }) => T,
): T {
  if (!font) {
    throw new Error(
      `PNG rendering is unavailable: loading resvg's wasm or the DejaVu font failed (${failure}). ` +
        "Run with --allow-read and --allow-env, and run `deno install` so the npm packages " +
        "@resvg/resvg-wasm and dejavu-fonts-ttf are in node_modules.",
    );
  }
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { fontBuffers: [font], defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    background: "#ffffff",
  });
  try {
    const img = r.render();
    try {
      return take(img);
    } finally {
      img.free();
    }
  } finally {
    r.free();
  }
}

/**
 * Renders an SVG string to PNG bytes at `scale` times its size, as a compact palette PNG.
 *
 * @example
 * ```ts
 * import { svgToPng } from "./raster.ts";
 * const png = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
 * console.log(png[1] === 0x50); // "P" of the PNG signature
 * ```
 */
export function svgToPng(svg: string, scale = 1): Uint8Array {
  const { width, height, rgba } = svgToPixels(svg, scale);
  return encodePalettePng(width, height, rgba);
}

/**
 * Renders an SVG string to RGBA pixels (for checking what an image shows).
 *
 * @example
 * ```ts
 * import { svgToPixels } from "./raster.ts";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2">' +
 *   '<rect width="2" height="2" fill="#f00"/></svg>';
 * console.log(svgToPixels(svg).rgba.slice(0, 3)); // Uint8Array [255, 0, 0]
 * ```
 */
export function svgToPixels(svg: string, scale = 1): Pixels {
  return render(svg, scale, (img) => ({
    width: img.width,
    height: img.height,
    rgba: img.pixels.slice(),
  }));
}

/**
 * Base64 of bytes (the encoding Jupyter stores `image/png` in).
 *
 * @example
 * ```ts
 * import { toBase64 } from "./raster.ts";
 * console.log(toBase64(new Uint8Array([104, 105]))); // "aGk="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
