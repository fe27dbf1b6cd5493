import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  DISPLAY,
  figurePage,
  figureToSvg,
  formatDuration,
  inJupyter,
  isSmoke,
  latexMatrix,
  latexSource,
  markdown,
  markdownToText,
  plot,
  ProgressBar,
  svgToPixels,
} from "../lib/notebook/mod.ts";
import { refreshNotebook } from "../tools/checks/refresh_fallbacks.ts";

Deno.test("plot returns plotly JSON, a PNG of the figure and a text summary, no text/html", () => {
  const p = plot({
    data: [{ x: [1, 2, 3], y: [3, 2, NaN], name: "val" }],
    layout: { title: "loss", width: 500, height: 300 },
  });
  const b = p[DISPLAY]() as Record<string, unknown>;
  const fig = b["application/vnd.plotly.v1+json"] as {
    data: { y: unknown[] }[];
  };
  assertEquals(fig.data[0].y, [3, 2, null]); // NaN becomes a gap, valid JSON
  assertEquals(Object.keys(b).sort(), [
    "application/vnd.plotly.v1+json",
    "image/png",
    "text/plain",
  ]);
  const png = Uint8Array.from(atob(b["image/png"] as string), (c) => c.charCodeAt(0));
  assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  const ihdr = new DataView(png.buffer, 16, 8);
  assertEquals([ihdr.getUint32(0), ihdr.getUint32(4)], [500, 300]); // the layout's size
  assertStringIncludes(b["text/plain"] as string, 'scatter "val": 3 points');
  assertThrows(() => plot({} as never), Error, "data must be an array");
});

Deno.test("latexMatrix writes bmatrix source, elides large matrices, refuses rank 3", () => {
  assertEquals(
    latexSource([[1, 0], [0, 1]], { name: "I" }),
    "I = \\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}",
  );
  const big = latexSource(tf.zeros([20, 20]), { maxRows: 5, maxCols: 5 });
  assertStringIncludes(big, "\\vdots");
  assertStringIncludes(big, "\\cdots");
  assertStringIncludes(big, "\\ddots");
  const b = latexMatrix(tf.tensor2d([[0.5, 1.25]]), { digits: 1 }).bundle;
  assertStringIncludes(b["text/latex"] as string, "0.5 & 1.3");
  assertThrows(() => latexMatrix(tf.zeros([2, 2, 2])), Error, "rank 3");
});

Deno.test("progress bar text shows fraction, time left and fields", async () => {
  const bar = new ProgressBar(10, { label: "train", mode: "silent" });
  await bar.update(5, { loss: 1.23456 });
  const t = bar.text();
  assertStringIncludes(t, "train  50%");
  assertStringIncludes(t, "5/10");
  assertStringIncludes(t, "loss=1.235");
  assertEquals(formatDuration(83), "01:23");
  assertEquals(formatDuration(3723), "1:02:03");
  assertThrows(() => new ProgressBar(0), Error, "positive total");
});

Deno.test("isSmoke reads LLM_SMOKE", () => {
  const before = Deno.env.get("LLM_SMOKE");
  Deno.env.set("LLM_SMOKE", "1");
  assert(isSmoke());
  Deno.env.set("LLM_SMOKE", "0");
  assert(!isSmoke());
  if (before === undefined) Deno.env.delete("LLM_SMOKE");
  else Deno.env.set("LLM_SMOKE", before);
});

Deno.test("figurePage inlines plotly.js and the figure", () => {
  const html = figurePage({
    data: [{ y: [1, 2] }],
    layout: { title: "</script> t" },
  });
  assertStringIncludes(html, "Plotly.newPlot");
  assertStringIncludes(html, "<title>&lt;/script&gt; t</title>");
  assert(html.length > 1_000_000, "plotly.js should be inlined");
});

Deno.test("outside Jupyter, inJupyter is false and a default progress bar does not throw", async () => {
  assert(!inJupyter());
  const bar = new ProgressBar(2, { minIntervalMs: 0 });
  await bar.update(1);
  await bar.finish();
});

/** The RGB of the pixel at (x, y) of a figure's rendering. */
function pixel(fig: Parameters<typeof figureToSvg>[0], x: number, y: number): number[] {
  const img = svgToPixels(figureToSvg(fig));
  const i = 4 * (y * img.width + x);
  return [...img.rgba.subarray(i, i + 3)];
}

// The default frame: 640x400, plot area from (70, 44), 110 px right margin for a colorbar.
const CX = 70 + (640 - 70 - 110) / 2, CY = 44 + (400 - 44 - 52) / 2;

Deno.test("heatmap PNG honours zmin/zmax, the colorscale and reversescale", () => {
  const grey = (zmin: number, zmax: number) =>
    pixel({ data: [{ type: "heatmap", z: [[0.5]], zmin, zmax, colorscale: "Greys" }] }, CX, CY);
  assertEquals(grey(0, 1), [128, 128, 128]);
  assertEquals(grey(0.5, 1.5), [0, 0, 0]); // 0.5 is now the low end
  assertEquals(grey(-0.5, 0.5), [255, 255, 255]);
  const rdbu = pixel(
    { data: [{ type: "heatmap", z: [[-1]], zmin: -1, zmax: 1, colorscale: "RdBu" }] },
    CX,
    CY,
  );
  assertEquals(rdbu, [5, 10, 172]); // plotly's RdBu starts blue
  const rev = pixel(
    {
      data: [{
        type: "heatmap",
        z: [[-1]],
        zmin: -1,
        zmax: 1,
        colorscale: "RdBu",
        reversescale: true,
      }],
    },
    CX,
    CY,
  );
  assertEquals(rev, [178, 10, 28]);
  assertThrows(
    () => figureToSvg({ data: [{ type: "heatmap", z: [[1]], colorscale: "Nope" }] }),
    Error,
    "Unknown colorscale",
  );
});

Deno.test("heatmap rows run bottom-up unless the y axis is reversed, as in plotly", () => {
  const fig = (reversed: boolean) => ({
    data: [{ type: "heatmap", z: [[0], [1]], zmin: 0, zmax: 1, colorscale: "Greys" }],
    layout: reversed ? { yaxis: { autorange: "reversed" } } : {},
  });
  assertEquals(pixel(fig(false), CX, 60), [255, 255, 255]); // row 1 (high) on top
  assertEquals(pixel(fig(true), CX, 60), [0, 0, 0]); // row 0 (low) on top
});

Deno.test("line PNG uses the trace's colour; titles and axis titles are drawn as text", () => {
  const fig = {
    data: [{ x: [0, 1], y: [0.5, 0.5], mode: "lines", line: { color: "#ff0000", width: 4 } }],
    layout: { title: "T", xaxis: { title: "step" }, yaxis: { title: "loss" } },
  };
  assertEquals(pixel(fig, 300, CY), [255, 0, 0]);
  const img = svgToPixels(figureToSvg(fig));
  let dark = 0; // glyph pixels of the title "T", centred at the top
  for (let y = 10; y < 30; y++) {
    for (let x = 300; x < 340; x++) if (img.rgba[4 * (y * img.width + x)] < 100) dark++;
  }
  assert(dark > 10, `the title should be drawn with the bundled font (${dark} dark pixels)`);
  const svg = figureToSvg(fig);
  assertStringIncludes(svg, ">step</text>");
  assertStringIncludes(svg, ">loss</text>");
});

Deno.test("axes: log ticks at powers of ten and layout ranges", () => {
  const log = figureToSvg({
    data: [{ x: [1, 10, 1000], y: [1, 2, 3] }],
    layout: { xaxis: { type: "log" } },
  });
  for (const t of [">1<", ">10<", ">100<", ">1000<"]) assertStringIncludes(log, t);
  // y range [0, 10]: a point at y = 5 sits mid-height of the plot area.
  const mid = pixel(
    {
      data: [{ x: [0, 1], y: [5, 5], mode: "lines", line: { color: "#00ff00", width: 4 } }],
      layout: { yaxis: { range: [0, 10] } },
    },
    300,
    Math.round(CY),
  );
  assertEquals(mid, [0, 255, 0]);
  const ranged = figureToSvg({ data: [{ y: [1, 2] }], layout: { yaxis: { range: [0, 10] } } });
  assertStringIncludes(ranged, ">10</text>");
});

Deno.test("3-D scatter is a projection: z moves the points; histograms honour xbins", () => {
  const flat = figureToSvg({
    data: [{ type: "scatter3d", x: [0, 1], y: [0, 1], z: [0, 0], mode: "markers" }],
  });
  const tall = figureToSvg({
    data: [{ type: "scatter3d", x: [0, 1], y: [0, 1], z: [0, 5], mode: "markers" }],
  });
  const circles = (s: string) => s.match(/<circle[^>]*>/g) ?? [];
  assertEquals(circles(flat).length, 2);
  assert(circles(flat).join() !== circles(tall).join(), "z must change where points land");
  const hist = figureToSvg({
    data: [{ type: "histogram", x: [1, 2, 2, 3, 3, 3], xbins: { start: 0.5, end: 3.5, size: 1 } }],
  });
  assertEquals(
    (hist.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#1f77b4"/g) ?? [])
      .length,
    3,
  );
});

Deno.test("markdown tables get an aligned text/plain", () => {
  const b = markdown("| model | loss |\n|---|---|\n| **GPT** | 1.5 |\n| bigram | 2.48 |").bundle;
  assertEquals(
    b["text/plain"],
    "model   loss\n------  ----\nGPT      1.5\nbigram  2.48",
  );
  assertEquals(markdownToText("plain *text* and `code`"), "plain text and code");
  // GFM allows one-hyphen delimiter cells such as `:-:` (notebook 07's tokenizer table).
  assertEquals(
    markdownToText("| a | ok |\n|-|:-:|\n| `1 2` | yes |"),
    "a    ok\n---  ---\n1 2  yes",
  );
});

Deno.test("refresh-outputs replaces SVG fallbacks with PNGs and is idempotent", () => {
  const nb = {
    cells: [{
      outputs: [
        {
          data: {
            "application/vnd.plotly.v1+json": { data: [{ y: [1, 2, 3] }] },
            "text/html": "<div><svg></svg></div>",
            "text/plain": "old",
          } as Record<string, unknown>,
        },
        {
          data: { "text/markdown": ["| a | b |\n", "|---|---|\n", "| 1 | 22 |"] } as Record<
            string,
            unknown
          >,
        },
      ],
    }],
  };
  assertEquals(refreshNotebook(nb), { plots: 1, markdown: 1 });
  const plotData = nb.cells[0].outputs[0].data;
  assert(!("text/html" in plotData));
  assertStringIncludes(plotData["image/png"] as string, "iVBORw0KGgo");
  assertEquals(nb.cells[0].outputs[1].data["text/plain"], ["a   b\n", "-  --\n", "1  22"]);
  const once = JSON.stringify(nb);
  refreshNotebook(nb);
  assertEquals(JSON.stringify(nb), once);
});

Deno.test("plotly JSON carries every title as { text } (plotly.js 3 drops bare strings)", () => {
  const fig = plot({
    data: [{ y: [1, 2] }],
    layout: { title: "T", xaxis: { title: "step" }, yaxis: { title: { text: "loss" } } },
  }).bundle["application/vnd.plotly.v1+json"] as {
    layout: { title: unknown; xaxis: { title: unknown }; yaxis: { title: unknown } };
  };
  assertEquals(fig.layout.title, { text: "T" });
  assertEquals(fig.layout.xaxis.title, { text: "step" });
  assertEquals(fig.layout.yaxis.title, { text: "loss" });
});
