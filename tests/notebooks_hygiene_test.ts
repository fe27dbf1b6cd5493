// What a reader sees in the committed notebooks: no paths of the machine they ran on, no stderr
// warnings or TensorFlow start-up lines, no text or JSON output over 100 KB, code lines that fit
// JupyterLab's width (100 characters, as in lib). The worked solutions (notebooks/solutions/) too.
import { assertEquals } from "@std/assert";
import { basename } from "node:path";
import { listNotebooks, listSolutions } from "../scripts/jupyter.ts";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

const join = (t: string | string[] | undefined) => Array.isArray(t) ? t.join("") : t ?? "";
const MACHINE_PATH = /(?:^|[\s"'(=:])(\/(?:work|root|home|tmp|usr\/local)\/[^\s"')]+)/;
const TF_LOG = /absl::InitializeLog|oneDNN custom operations|^[IWE]\d{4} \d\d:\d\d/m;
const MAX_BYTES = 100_000;

/** Everything wrong with one notebook's outputs and code, one line each. */
export function hygieneProblems(cells: Cell[]): string[] {
  const problems: string[] = [];
  cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    join(cell.source).split("\n").forEach((line, j) => {
      if (line.length > 100) problems.push(`cell ${i} line ${j + 1}: ${line.length} characters`);
    });
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "stream" && out.name === "stderr") {
        problems.push(`cell ${i}: stderr output: ${join(out.text).slice(0, 80)}`);
      }
      const texts = [join(out.text)];
      for (const [mime, v] of Object.entries(out.data ?? {})) {
        if (mime.startsWith("image/")) continue;
        texts.push(
          typeof v === "string" || Array.isArray(v) ? join(v as string[]) : JSON.stringify(v),
        );
      }
      for (const t of texts) {
        if (t.length > MAX_BYTES) problems.push(`cell ${i}: an output of ${t.length} characters`);
        const path = t.match(MACHINE_PATH);
        if (path) problems.push(`cell ${i}: a machine path in an output: ${path[1].slice(0, 60)}`);
        if (TF_LOG.test(t)) problems.push(`cell ${i}: TensorFlow's C++ logging in an output`);
      }
    }
  });
  return problems;
}

for (const path of [...listNotebooks(), ...listSolutions()]) {
  Deno.test(`notebook ${basename(path)}: no machine paths, stderr, huge outputs or long lines`, () => {
    const nb = JSON.parse(Deno.readTextFileSync(path)) as { cells: Cell[] };
    assertEquals(hygieneProblems(nb.cells), []);
  });
}

Deno.test("hygiene: each kind of problem is found", () => {
  const cells: Cell[] = [{
    cell_type: "code",
    source: "x".repeat(101),
    outputs: [
      { output_type: "stream", name: "stderr", text: "Warning: slow" },
      { output_type: "stream", name: "stdout", text: "saved to /work/main/data/x.json\n" },
      { output_type: "display_data", data: { "application/json": { v: "y".repeat(MAX_BYTES) } } },
      { output_type: "stream", name: "stdout", text: "I0000 00:00:1.0 port.cc:153] oneDNN ..." },
    ],
  }];
  assertEquals(hygieneProblems(cells).map((p) => p.split(":")[0] + ":" + p.split(":")[1]), [
    "cell 0 line 1: 101 characters",
    "cell 0: stderr output",
    "cell 0: a machine path in an output",
    "cell 0: an output of 100008 characters",
    "cell 0: TensorFlow's C++ logging in an output",
  ]);
  assertEquals(hygieneProblems([{ cell_type: "code", source: "ok", outputs: [] }]), []);
});
