// bench:notebooks reads each cell's recorded run from the notebook's metadata.
import { assertEquals } from "@std/assert";
import { notebookTimes } from "../bench/notebook_times.ts";

const timed = (source: string, a: string, b: string) => ({
  cell_type: "code",
  source: [source, "\nmore"],
  metadata: { execution: { "iopub.execute_input": a, "iopub.status.idle": b } },
});

Deno.test("notebookTimes: per-cell seconds, wall from first start to last end, untimed cells left out", () => {
  const t = notebookTimes(JSON.stringify({
    cells: [
      { cell_type: "markdown", source: "# title", metadata: {} },
      timed("const a = 1;", "2026-12-07T10:00:00.500Z", "2026-12-07T10:00:02Z"),
      { cell_type: "code", source: "never run", metadata: {} },
      { cell_type: "code", source: "bad", metadata: { execution: { "iopub.execute_input": "x" } } },
      timed("train()", "2026-12-07T10:00:03Z", "2026-12-07T10:10:03Z"),
    ],
  }));
  assertEquals(t.cells, [
    { index: 1, seconds: 1.5, first: "const a = 1;" },
    { index: 4, seconds: 600, first: "train()" },
  ]);
  assertEquals(t.wall, 602.5);
  assertEquals(t.started, "2026-12-07T10:00:00.500Z");
});

Deno.test("notebookTimes: a notebook never run has no cells and no wall time", () => {
  const t = notebookTimes(
    JSON.stringify({ cells: [{ cell_type: "code", source: [], metadata: {} }] }),
  );
  assertEquals(t, { cells: [], wall: 0, started: "" });
});
