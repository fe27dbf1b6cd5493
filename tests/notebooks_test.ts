// Executes every notebook, and every worked solution in notebooks/solutions/, top to bottom with the Deno kernel through the real Jupyter protocol
// (nbclient), in smoke mode, on a temporary copy; any error output fails the test.
import { assert, assertEquals } from "@std/assert";
import { basename, join } from "node:path";
import {
  executeNotebook,
  findPython,
  listNotebooks,
  listSolutions,
  makeKernelDir,
} from "../scripts/jupyter.ts";

const python = findPython();
const kernelDir = python ? makeKernelDir() : "";
const outDir = Deno.makeTempDirSync({ prefix: "llm-notebooks-" });

// Every notebook runs on the default backend (tensorflow where `deno task setup` built it), twice
// in one kernel, as a reader who presses Run All twice: the second pass must not hold more
// tensors than the first (cells own what they build with lib/notebook's `keep`). One notebook
// also runs on wasm, the backend of machines where tensorflow cannot be built. The solutions run
// the same way, so they break here, not in a reader's hands, when lib changes under them.
const runs = [
  ...[...listNotebooks(), ...listSolutions()].map((path) => ({
    path,
    env: {} as Record<string, string>,
    twice: true,
  })),
  ...listNotebooks().filter((p) => basename(p).startsWith("01_"))
    .map((path) => ({ path, env: { LLM_BACKEND: "wasm" }, twice: false })),
];
for (const { path, env, twice } of runs) {
  const on = env.LLM_BACKEND ? ` on ${env.LLM_BACKEND}` : "";
  Deno.test({
    name: `notebook ${basename(path)} executes in smoke mode${on}${
      twice ? ", twice in one kernel" : ""
    }`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      assert(
        python,
        "No Python with nbclient found. Run `deno task setup` (installs Debian's python3-nbclient " +
          "with apt-get) or set LLM_PYTHON to a python3 that has nbclient and nbformat.",
      );
      const dst = join(
        outDir,
        basename(path).replace(".ipynb", `${on.replace(" on ", "-")}.ipynb`),
      );
      const run = await executeNotebook(path, dst, {
        smoke: true,
        python,
        kernelDir,
        env,
        twice,
      });
      // The first code cell reports the backend: check the run used the one asked for.
      if (env.LLM_BACKEND) {
        assert(
          Deno.readTextFileSync(dst).includes(`tfjs backend: ${env.LLM_BACKEND}`),
          `${basename(path)} did not run on ${env.LLM_BACKEND}`,
        );
      }
      console.log(
        `${basename(path)}: ${run.cells} cells in ${run.seconds}s (executed copy: ${dst})`,
      );
      assert(run.ok, `${basename(path)} failed:\n${run.errors.join("\n")}`);
      if (twice) {
        const [first, second] = run.tensors ?? [];
        assert(first !== undefined && second !== undefined, "the tensor probes did not report");
        console.log(`${basename(path)}: ${first} tensors after one pass, ${second} after two`);
        assertEquals(second, first, `${basename(path)}: running every cell again grew the tensors`);
      }
    },
  });
}
