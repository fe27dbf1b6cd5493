/**
 * `deno task notebooks [name...]`: executes notebooks in full (not smoke) mode and writes the
 * outputs back in place, so the committed notebooks show real results.
 *
 * @module
 */
import { basename } from "node:path";
import { executeNotebook, findPython, listNotebooks, makeKernelDir } from "./jupyter.ts";

const python = findPython();
if (!python) {
  console.error("No Python with nbclient. Run `deno task setup` first.");
  Deno.exit(1);
}
const wanted = Deno.args;
const kernelDir = makeKernelDir();
let failed = 0;
for (const path of listNotebooks()) {
  if (wanted.length && !wanted.some((w) => basename(path).includes(w))) {
    continue;
  }
  const tmp = `${path}.tmp`;
  const run = await executeNotebook(path, tmp, {
    smoke: false,
    python,
    kernelDir,
    timeout: 3600,
  });
  if (run.ok) {
    Deno.renameSync(tmp, path); // replace only after a clean run
    console.log(`${basename(path)}: ${run.cells} cells in ${run.seconds}s`);
  } else {
    failed++;
    console.error(
      `${basename(path)} FAILED (outputs left in ${tmp}):\n  ${run.errors.join("\n  ")}`,
    );
  }
}
Deno.exit(failed ? 1 : 0);
