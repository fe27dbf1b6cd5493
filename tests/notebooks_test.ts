// Executes every notebook top to bottom with the Deno kernel through the real Jupyter protocol
// (nbclient), in smoke mode, on a temporary copy; any error output fails the test.
import { assert } from "@std/assert";
import { basename, join } from "node:path";
import { executeNotebook, findPython, listNotebooks, makeKernelDir } from "../scripts/jupyter.ts";

const python = findPython();
const kernelDir = python ? makeKernelDir() : "";
const outDir = Deno.makeTempDirSync({ prefix: "llm-notebooks-" });

for (const path of listNotebooks()) {
  Deno.test({
    name: `notebook ${basename(path)} executes in smoke mode`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      assert(
        python,
        "No Python with nbclient found. Run `deno task setup` (installs Debian's python3-nbclient " +
          "with apt-get) or set LLM_PYTHON to a python3 that has nbclient and nbformat.",
      );
      const dst = join(outDir, basename(path));
      const run = await executeNotebook(path, dst, {
        smoke: true,
        python,
        kernelDir,
      });
      console.log(
        `${basename(path)}: ${run.cells} cells in ${run.seconds}s (executed copy: ${dst})`,
      );
      assert(run.ok, `${basename(path)} failed:\n${run.errors.join("\n")}`);
    },
  });
}
