// The notebook checker (tools/checks/check_notebooks.ts): it places a type error and a lint error in a
// deliberately broken notebook at the right cell and line, passes a clean one, and finds the
// project's notebooks clean.
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import {
  checkNotebooks,
  extractModule,
  formatDiagnostic,
  listAllNotebookFiles,
} from "../tools/checks/check_notebooks.ts";

function notebook(cells: [string, string][]): string {
  return JSON.stringify({
    cells: cells.map(([cell_type, source], i) => ({
      cell_type,
      id: `t${i}`,
      metadata: {},
      source: source.split(/(?<=\n)/),
      ...(cell_type === "code" ? { execution_count: null, outputs: [] } : {}),
    })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test("extractModule keeps cell order, maps lines back and rewrites relative imports", () => {
  const nb = JSON.parse(notebook([
    ["markdown", "# title"],
    ["code", 'import { Rng } from "../lib/random.ts";\nconst r = new Rng(1);'],
    ["code", "await Promise.resolve(r)"],
  ]));
  const m = extractModule(nb, "/repo/notebooks", "/repo/.nbcheck-x");
  const lines = m.source.split("\n");
  const i = lines.indexOf("await Promise.resolve(r)");
  assert(i > lines.indexOf("const r = new Rng(1);"), "cells must stay in order");
  assertEquals(m.lines[i], { cell: 2, id: "t2", line: 1 });
  assert(m.source.includes('from "../lib/random.ts"'), m.source);
  const deeper = extractModule(nb, "/repo/notebooks", "/repo/a/b");
  assert(deeper.source.includes('from "../../lib/random.ts"'), deeper.source);
});

Deno.test({
  name: "checkNotebooks reports a type error and a lint error at their cell and line",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "nbcheck-test-" });
    try {
      const broken = join(dir, "broken.ipynb");
      Deno.writeTextFileSync(
        broken,
        notebook([
          ["markdown", "# A broken notebook"],
          [
            "code",
            'import * as tf from "@tensorflow/tfjs";\nconst rank = tf.scalar(1).rank;\nrank',
          ],
          ["markdown", "Two errors below."],
          ["code", "// a comment line\nconst name: string = rank;\nlet unused = 3;"],
        ]),
      );
      const clean = join(dir, "clean.ipynb");
      Deno.writeTextFileSync(
        clean,
        notebook([["code", "const x = await Promise.resolve(2);\nDeno.jupyter.md`${x}`"]]),
      );
      const problems = await checkNotebooks([broken, clean]);
      const text = problems.map(formatDiagnostic).join("\n");
      const typeError = problems.find((p) => p.kind === "type");
      assert(typeError, `no type error found:\n${text}`);
      assertEquals(typeError.code, "TS2322");
      assertEquals(typeError.at, { cell: 3, id: "t3", line: 2 });
      const unused = problems.find((p) =>
        p.code === "no-unused-vars" && p.message.includes("`unused`")
      );
      assert(unused, `no lint error found:\n${text}`);
      assertEquals(unused.at?.line, 3);
      assert(problems.every((p) => p.notebook === broken), `clean notebook flagged:\n${text}`);
      assert(formatDiagnostic(typeError).includes("cell 3 (t3) line 2"));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the project's notebooks and worked solutions type-check and lint clean",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const problems = await checkNotebooks(listAllNotebookFiles());
    assertEquals(problems.map(formatDiagnostic), []);
  },
});
