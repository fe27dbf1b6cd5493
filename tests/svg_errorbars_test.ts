import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { figureToSvg, svgToPixels } from "../lib/notebook/mod.ts";
import { errorBarEnds } from "../lib/figure/mod.ts";
import type { Figure } from "../lib/notebook/mod.ts";
import { bandTraces, baselineTrace, errorBarTrace, summarize } from "../lib/evidence/mod.ts";

// The default frame with a legend: plot area from (70, 44), 400 - 44 - 52 = 304 px tall.
const TOP = 44, BOTTOM = 400 - 52;

/** The y tick labels of a rendered figure, as numbers. */
function yTicks(svg: string): number[] {
  return [...svg.matchAll(/text-anchor="end">([^<]+)<\/text>/g)].map((m) => Number(m[1]));
}

/** The vertical extents (pixel y) of the error-bar paths. */
function whiskerSpans(svg: string): [number, number][] {
  return [...svg.matchAll(/class="errorbar" d="M[\d.]+,([\d.]+)V([\d.]+)/g)]
    .map((m) => [Number(m[1]), Number(m[2])]);
}

function pixel(fig: Figure, x: number, y: number): number[] {
  const img = svgToPixels(figureToSvg(fig));
  const i = 4 * (y * img.width + x);
  return [...img.rgba.subarray(i, i + 3)];
}

Deno.test("error_y: whiskers with caps in the trace colour, asymmetric, inside the y range", () => {
  const fig: Figure = {
    data: [{
      x: [1, 2, 3],
      y: [1, 2, 3],
      name: "acc",
      line: { color: "#ff0000" },
      error_y: { type: "data", symmetric: false, array: [0.5, 4, 0.1], arrayminus: [0.2, 0.3, 5] },
    }],
  };
  const svg = figureToSvg(fig);
  const spans = whiskerSpans(svg);
  assertEquals(spans.length, 3);
  assertStringIncludes(svg, `class="errorbar"`);
  assertStringIncludes(svg, `stroke="#ff0000"`);
  for (const [a, b] of spans) assert(a >= TOP && b <= BOTTOM, `whisker ${a}..${b} off the plot`);
  // The range covers 3 - 5 = -2 .. 2 + 4 = 6, not just the points 1..3.
  const ticks = yTicks(svg);
  assert(Math.min(...ticks) <= -2 + 1 && Math.max(...ticks) >= 5, `ticks ${ticks}`);
  // Asymmetric: point 2's bar is longer above (4) than below (0.3).
  assertEquals(errorBarEnds(fig.data[0]), [[0.8, 1.5], [1.7, 6], [-2, 3.1]]);
  // Caps: each path draws the stem and two horizontal caps.
  assertEquals((svg.match(/class="errorbar" d="M[^"]*H[^"]*H[^"]*"/g) ?? []).length, 3);
});

Deno.test("error_y: symmetric by default, visible: false hides, constant type", () => {
  const sym = errorBarEnds({ y: [2], error_y: { type: "data", array: [1] } });
  assertEquals(sym, [[1, 3]]);
  assertEquals(errorBarEnds({ y: [2], error_y: { type: "constant", value: 0.5 } }), [[1.5, 2.5]]);
  const hidden = figureToSvg({
    data: [{ x: [1, 2], y: [1, 2], error_y: { type: "data", array: [9, 9], visible: false } }],
  });
  assertEquals(whiskerSpans(hidden).length, 0);
  assert(Math.max(...yTicks(hidden)) < 5, "hidden error bars must not widen the axis");
});

Deno.test("error bars on bars and on a log y axis", () => {
  const bars = figureToSvg({
    data: [{ type: "bar", x: ["a", "b"], y: [2, 3], error_y: { type: "data", array: [1, 1] } }],
  });
  assertEquals(whiskerSpans(bars).length, 2);
  assert(Math.max(...yTicks(bars)) >= 4, "bar error bars must fit the axis");
  const log = figureToSvg({
    data: [{
      x: [1, 10],
      y: [10, 100],
      error_y: { type: "data", array: [90, 900], arrayminus: [5, 50] },
    }],
    layout: { yaxis: { type: "log" }, xaxis: { type: "log" } },
  });
  assertEquals(whiskerSpans(log).length, 2);
  assertStringIncludes(log, ">1000<"); // 100 + 900 is inside the log range
});

Deno.test("errorBarTrace, bandTraces and baselineTrace render: whiskers, band polygon, dashes", () => {
  const ys = [summarize([0.6, 0.7, 0.65]), summarize([0.8, 0.84, 0.82])];
  const fig: Figure = {
    data: [
      errorBarTrace("scratch", [16, 64], ys),
      ...bandTraces("pre-trained", [16, 64], ys, "#2ca02c"),
      baselineTrace("majority", [16, 64], 0.5),
    ],
  };
  const svg = figureToSvg(fig);
  assertEquals(whiskerSpans(svg).length, 2);
  const polygons = svg.match(/<polygon [^>]*>/g) ?? [];
  assertEquals(polygons.length, 1);
  assertStringIncludes(polygons[0]!, "rgba(44,160,44,0.2)");
  assertEquals(polygons[0]!.match(/points="([^"]*)"/)![1].split(" ").length, 4); // 2 up + 2 back
  assertStringIncludes(svg, `stroke-dasharray="9,9"`); // plotly's "dash" at width 1.5
  // The whiskers, from the widest interval, stay inside the plot area.
  for (const [a, b] of whiskerSpans(svg)) assert(a >= TOP && b <= BOTTOM, `whisker ${a}..${b}`);
  // Only the three named visible traces are in the legend, in rows with no gaps.
  const legend = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" font-size="12">([^<]+)</g)];
  assertEquals(legend.map((m) => m[2]), ["scratch", "pre-trained", "majority"]);
  assertEquals(legend.map((m) => Number(m[1])), [57, 75, 93]);
});

Deno.test("a filled band paints its inside, translucent", () => {
  const fig: Figure = {
    data: [
      { x: [0, 1], y: [0, 0], mode: "lines", line: { width: 0 } },
      {
        x: [0, 1],
        y: [10, 10],
        mode: "lines",
        line: { width: 0 },
        fill: "tonexty",
        fillcolor: "rgba(255,0,0,0.5)",
      },
    ],
  };
  // Mid-plot: half red over the light plot background.
  const [r, g, b] = pixel(fig, 300, Math.round((TOP + BOTTOM) / 2));
  assert(r > 240 && g < 140 && b < 140, `expected translucent red, got ${[r, g, b]}`);
  const self = figureToSvg({ data: [{ x: [0, 1, 1], y: [0, 0, 1], fill: "toself" }] });
  assertEquals((self.match(/<polygon /g) ?? []).length, 1);
});
