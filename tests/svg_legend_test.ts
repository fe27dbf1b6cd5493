import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { figureToSvg, svgToPixels } from "../lib/notebook/mod.ts";
import type { Figure } from "../lib/notebook/mod.ts";
import { dashArray } from "../lib/figure/svg_marks.ts";
import { bandTraces, baselineTrace, errorBarTrace, summarize } from "../lib/evidence/mod.ts";

/** Each legend entry's name and the SVG of its sample, in order. */
function legendSamples(svg: string): { name: string; sample: string }[] {
  return [
    ...svg.matchAll(
      /<g class="legend-sample">(.*?)<\/g><text x="[\d.]+" y="[\d.]+" font-size="12">([^<]*)<\/text>/g,
    ),
  ].map((m) => ({ name: m[2], sample: m[1] }));
}

/** The sample of the entry called `name`; fails when there is none. */
function sampleOf(svg: string, name: string): string {
  const hit = legendSamples(svg).find((e) => e.name === name);
  assert(hit, `no legend entry "${name}" in ${legendSamples(svg).map((e) => e.name)}`);
  return hit.sample;
}

const count = (s: string, tag: string) => (s.match(new RegExp(`<${tag}[ >]`, "g")) ?? []).length;

/** One trace of each kind the legend tells apart. */
const MIXED: Figure = {
  data: [
    { x: [0, 1, 2], y: [1, 2, 3], mode: "lines", name: "solid", line: { color: "#ff0000" } },
    {
      x: [0, 1, 2],
      y: [2, 3, 1],
      mode: "lines",
      name: "dashed",
      line: { color: "#0000ff", dash: "dash", width: 3 },
    },
    {
      x: [0, 1, 2],
      y: [3, 1, 2],
      mode: "markers",
      name: "points",
      marker: { color: "#00aa00", size: 10, symbol: "diamond" },
    },
    { x: [0, 1, 2], y: [0, 1, 0], mode: "lines+markers", name: "both", line: { color: "#aa00aa" } },
    { type: "bar", x: [0, 1, 2], y: [1, 1, 1], name: "counts", marker: { color: "#ff8800" } },
  ],
};

Deno.test("legend: a line sample, dashed as the line, a marker, both, and a square for bars", () => {
  const svg = figureToSvg(MIXED);
  assertEquals(legendSamples(svg).map((e) => e.name), [
    "solid",
    "dashed",
    "points",
    "both",
    "counts",
  ]);

  const solid = sampleOf(svg, "solid");
  assertEquals([count(solid, "line"), count(solid, "circle"), count(solid, "rect")], [1, 0, 0]);
  assertStringIncludes(solid, `stroke="#ff0000"`);
  assertStringIncludes(solid, `stroke-width="2"`); // plotly's default line width
  assert(!solid.includes("stroke-dasharray"), solid);

  // The dashed sample uses the plot line's own pattern: plotly's "dash" at width 3.
  const dashed = sampleOf(svg, "dashed");
  assertEquals(count(dashed, "line"), 1);
  assertStringIncludes(dashed, `stroke="#0000ff"`);
  assertStringIncludes(dashed, `stroke-width="3"`);
  assertStringIncludes(dashed, `stroke-dasharray="9,9"`);
  assert(/<polyline[^>]*stroke="#0000ff"[^>]*stroke-dasharray="9,9"/.test(svg), "plot line dash");

  // Markers only: the trace's symbol in its colour and size, no line.
  const points = sampleOf(svg, "points");
  assertEquals(count(points, "line"), 0);
  assert(/^<path [^>]*d="M6\.5,0L0,6\.5L-6\.5,0L0,-6\.5Z" fill="#00aa00"/.test(points), points);

  const both = sampleOf(svg, "both");
  assertEquals([count(both, "line"), count(both, "circle")], [1, 1]);
  assertStringIncludes(both, `fill="#aa00aa"`);
  // The marker sits on the middle of the line sample.
  const [, x1, x2, ly] = both.match(/x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)"/)!.map(Number);
  const [, cx, cy] = both.match(/cx="([\d.]+)" cy="([\d.]+)"/)!.map(Number);
  assertEquals([cx, cy], [(x1 + x2) / 2, ly]);

  const bar = sampleOf(svg, "counts");
  assertEquals([count(bar, "rect"), count(bar, "line")], [1, 0]);
  assertStringIncludes(bar, `fill="#ff8800"`);
  assertStringIncludes(bar, `width="12" height="12"`);
});

Deno.test("legend PNG: the dashed sample alternates ink and gaps; the bar square is filled", () => {
  const svg = figureToSvg(MIXED);
  const img = svgToPixels(svg);
  const rgb = (x: number, y: number) => {
    const i = 4 * (y * img.width + x);
    return [...img.rgba.subarray(i, i + 3)];
  };
  const dashed = sampleOf(svg, "dashed");
  const [, x1, x2, y] = dashed.match(/x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)"/)!.map(Number);
  // Along the sample: blue where a dash is, white in the gap between dashes.
  const row = Array.from({ length: x2 - x1 }, (_, i) => rgb(Math.round(x1) + i, Math.round(y)));
  const blue = row.map(([r, g, b]) => b > 200 && r < 80 && g < 80);
  const white = row.map(([r, g, b]) => r > 240 && g > 240 && b > 240);
  assert(blue.slice(1, 8).every(Boolean), `first dash ${row.slice(0, 9)}`);
  assert(white.slice(11, 16).every(Boolean), `first gap ${row.slice(9, 18)}`);
  assert(blue.slice(20, 26).every(Boolean), `second dash ${row.slice(18, 27)}`);
  // The bar's square, at its centre.
  const bar = sampleOf(svg, "counts");
  const [, bx, by] = bar.match(/x="([\d.]+)" y="([\d.]+)"/)!.map(Number);
  assertEquals(rgb(bx + 6, by + 6), [255, 136, 0]);
});

Deno.test("dashArray: plotly's named dashes scale with the width; px lists pass through", () => {
  assertEquals(dashArray("dot", 1), "3,3"); // the unit is at least 3 px
  assertEquals(dashArray("dash", 2), "9,9");
  assertEquals(dashArray("longdash", 4), "20,20");
  assertEquals(dashArray("dashdot", 2), "9,3,3,3");
  assertEquals(dashArray("longdashdot", 2), "15,6,3,6");
  assertEquals(dashArray("5px,10px,2px", 2), "5,10,2");
  assertEquals(dashArray("4, 2", 2), "4,2");
  for (const solid of ["solid", undefined, "", "wavy", "0px,0px"]) {
    assertEquals(dashArray(solid, 2), undefined, String(solid));
  }
  // Plot line and legend sample alike.
  const svg = figureToSvg({
    data: [
      { y: [1, 2], name: "a", mode: "lines", line: { dash: "longdashdot" } },
      { y: [2, 1], name: "b", mode: "lines", line: { dash: "6px,2px" } },
    ],
  });
  assertEquals((svg.match(/stroke-dasharray="15,6,3,6"/g) ?? []).length, 2);
  assertEquals((svg.match(/stroke-dasharray="6,2"/g) ?? []).length, 2);
});

Deno.test("legend of the evidence helpers: error bars, a band's line, a dashed baseline", () => {
  const ys = [summarize([0.6, 0.7, 0.65]), summarize([0.8, 0.84, 0.82])];
  const svg = figureToSvg({
    data: [
      errorBarTrace("scratch", [16, 64], ys),
      ...bandTraces("pre-trained", [16, 64], ys, "#2ca02c"),
      baselineTrace("majority", [16, 64], 0.5),
    ],
  });
  // The band's edges (showlegend: false) stay out; each entry draws as its trace does.
  assertEquals(legendSamples(svg).map((e) => e.name), ["scratch", "pre-trained", "majority"]);
  assertEquals(count(sampleOf(svg, "scratch"), "circle"), 1);
  assertStringIncludes(sampleOf(svg, "pre-trained"), `stroke="#2ca02c"`);
  const base = sampleOf(svg, "majority");
  assertEquals([count(base, "line"), count(base, "circle")], [1, 0]);
  assertStringIncludes(base, `stroke="#7f7f7f"`);
  assertStringIncludes(base, `stroke-dasharray="9,9"`);
  // A filled band that is in the legend shows as a square in its translucent fill.
  const band = bandTraces("band", [0, 1], ys, "#2ca02c").map((t) => ({ ...t, showlegend: true }));
  const banded = figureToSvg({ data: band });
  const upper = sampleOf(banded, "band (upper)");
  assert(/^<rect [^>]*fill="rgba\(44,160,44,0\.2\)"/.test(upper), upper);
});

Deno.test("legend: shown as plotly shows it (two entries, or showlegend), named 'trace N'", () => {
  // One trace: no legend, and the plot keeps the 30 px right margin.
  const one = figureToSvg({ data: [{ y: [1, 2], name: "loss" }] });
  assertEquals(legendSamples(one), []);
  assertStringIncludes(one, `width="540" height="304" fill="#f4f6fa"`);
  // One trace asked for explicitly, or layout.showlegend: true.
  assertEquals(
    legendSamples(figureToSvg({ data: [{ y: [1, 2], name: "loss", showlegend: true }] }))
      .map((e) => e.name),
    ["loss"],
  );
  assertEquals(
    legendSamples(figureToSvg({ data: [{ y: [1, 2] }], layout: { showlegend: true } }))
      .map((e) => e.name),
    ["trace 0"],
  );
  // Two traces, one unnamed; layout.showlegend: false hides them both.
  const two: Figure = { data: [{ y: [1, 2], name: "train" }, { y: [2, 1] }] };
  assertEquals(legendSamples(figureToSvg(two)).map((e) => e.name), ["train", "trace 1"]);
  const hidden = figureToSvg({ ...two, layout: { showlegend: false } });
  assertEquals(legendSamples(hidden), []);
  // showlegend: false and visible: false traces are left out.
  const some = figureToSvg({
    data: [
      { y: [1], name: "a" },
      { y: [2], name: "b", showlegend: false },
      { y: [3], name: "c", visible: false },
      { y: [4], name: "d" },
    ],
  });
  assertEquals(legendSamples(some).map((e) => e.name), ["a", "d"]);
});

Deno.test("legend: 3-D scatter entries show their markers; text-only traces show 'Aa'", () => {
  const scene = figureToSvg({
    data: [
      {
        type: "scatter3d",
        x: [0, 1],
        y: [0, 1],
        z: [0, 1],
        name: "p",
        marker: { color: "#123456" },
      },
      { type: "scatter3d", x: [1, 0], y: [0, 1], z: [1, 0], name: "q", mode: "lines" },
    ],
  });
  assertStringIncludes(sampleOf(scene, "p"), `<circle`);
  assertEquals(count(sampleOf(scene, "q"), "line"), 1);
  const text = figureToSvg({
    data: [{ y: [1, 2], mode: "text", text: ["a", "b"], name: "t" }, { y: [2, 1], name: "u" }],
  });
  assertStringIncludes(sampleOf(text, "t"), ">Aa</text>");
});
