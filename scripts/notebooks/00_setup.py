"""Generates notebooks/00_setup.ipynb (run from the repository root:
`python3 scripts/notebooks/00_setup.py`), then `deno task notebooks 00` fills the outputs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbgen import nb  # noqa: E402
cells = [
("markdown", r"""
# 00 · Check your install

This notebook answers three questions before the course starts: which TensorFlow.js backend runs
here, how fast it multiplies matrices, and whether plots and LaTeX render in your front end.
Every later notebook starts with the same `initBackend()` call.
"""),
("code", r"""
import * as tf from "@tensorflow/tfjs";
import { describeBackend, initBackend, matmulTable, probeBackends, timeMatmuls } from "../lib/backend/mod.ts";
import { isSmoke, latexMatrix, markdown, plot, show } from "../lib/notebook/mod.ts";

const info = await initBackend();
await show(describeBackend(info));
"""),
("markdown", r"""
## What is available

The order of preference is `tensorflow-gpu`, `tensorflow` (both opt-in: they need libtensorflow,
which their install script downloads), `webgpu` with a hardware adapter, `wasm`, then `cpu`.
`LLM_BACKEND=<name>` forces one.
"""),
("code", r"""
const probes = await probeBackends();
markdown([
  "| backend | available | picked automatically | detail |",
  "|---|---|---|---|",
  ...probes.map((p) => `| ${p.name} | ${p.available ? "yes" : "no"} | ${p.auto ? "yes" : "no"} | ${p.detail.replaceAll("|", "\\|")} |`),
].join("\n"));
"""),
("markdown", r"""
## Matrix multiplication speed

A square product of size n costs 2n³ floating-point operations. We time the median of a few
products per size on every available backend, reading the result back so that asynchronous
backends (WebGPU) are not flattered.
"""),
("code", r"""
const sizes = isSmoke() ? [64, 128] : [128, 256, 512, 1024];
const timings = await timeMatmuls(sizes, { reps: isSmoke() ? 2 : 5 });
await initBackend({ backend: info.name, report: false }); // back to the automatic choice
markdown(matmulTable(timings));
"""),
("code", r"""
const backends = [...new Set(timings.map((t) => t.backend))];
plot({
  data: backends.map((b) => ({
    type: "bar",
    name: b,
    x: timings.filter((t) => t.backend === b).map((t) => `n=${t.n}`),
    y: timings.filter((t) => t.backend === b).map((t) => t.gflops),
  })),
  layout: { title: "Square matmul throughput", yaxis: { title: "GFLOP/s" }, barmode: "group" },
});
"""),
("markdown", r"""
## LaTeX

The course writes small tensors as matrices, the way the source notes do. If you see a bracketed
matrix below (not raw `\begin{bmatrix}`), LaTeX rendering works.
"""),
("code", r"""
const A = tf.tensor2d([[1, 2], [3, 4]]);
const B = tf.tensor2d([[0, 1], [1, 0]]);
const AB = tf.matMul(A, B);
// Swapping the columns of A is the same as multiplying by the permutation B.
const swapped = tf.reverse(A, 1);
tf.util.assert(tf.equal(AB, swapped).all().dataSync()[0] === 1, () => "A·B should swap A's columns");
latexMatrix(AB, { name: "A B" });
"""),
]
nb(cells, "notebooks/00_setup.ipynb")
