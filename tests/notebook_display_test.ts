import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  DISPLAY,
  figureBundle,
  figurePage,
  formatDuration,
  inJupyter,
  isSmoke,
  latexMatrix,
  latexSource,
  plot,
  ProgressBar,
} from "../lib/notebook/mod.ts";

Deno.test("plot returns plotly JSON, an SVG html fallback and a text summary", () => {
  const p = plot({
    data: [{ x: [1, 2, 3], y: [3, 2, NaN], name: "val" }],
    layout: { title: "loss" },
  });
  const b = p[DISPLAY]() as Record<string, unknown>;
  const fig = b["application/vnd.plotly.v1+json"] as {
    data: { y: unknown[] }[];
  };
  assertEquals(fig.data[0].y, [3, 2, null]); // NaN becomes a gap, valid JSON
  assertStringIncludes(b["text/html"] as string, "<svg");
  assertStringIncludes(b["text/html"] as string, "polyline");
  assertStringIncludes(b["text/plain"] as string, 'scatter "val": 3 points');
  const heat = figureBundle({
    data: [{ type: "heatmap", z: [[0, 1], [1, 0]] }],
  });
  assertStringIncludes(heat["text/html"] as string, "<rect");
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

Deno.test("large heatmaps fall back to one embedded PNG, not a rect per cell", () => {
  const z = Array.from(
    { length: 30 },
    (_, i) => Array.from({ length: 30 }, (_, j) => i * j),
  );
  const html = figureBundle({
    data: [{ type: "heatmap", z }],
  })["text/html"] as string;
  assertStringIncludes(html, "data:image/png;base64,iVBORw0KGgo"); // the PNG signature
  assert(
    html.length < 20_000,
    `fallback should be small, got ${html.length} characters`,
  );
});

Deno.test("histograms are drawn as bars in the fallback", () => {
  const html = figureBundle({
    data: [{ type: "histogram", x: [1, 2, 2, 3, 3, 3] }],
  })["text/html"] as string;
  assertEquals((html.match(/<rect x=/g) ?? []).length >= 3, true);
  assertStringIncludes(html, "<title>3</title>"); // the tallest bar holds three values
});
