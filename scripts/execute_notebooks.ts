/**
 * `deno task notebooks [name...] [--solutions]`: executes notebooks in full (not smoke) mode and
 * writes the outputs back in place, so the committed notebooks show real results.
 *
 * - no arguments: every course notebook (notebooks/*.ipynb);
 * - `01 05`: the course notebooks whose file names contain `01` or `05`;
 * - `solutions/01`: the worked solutions (notebooks/solutions/*.ipynb) whose file names contain
 *   `01`, e.g. `01_solutions.ipynb`;
 * - `--solutions`: every worked solution.
 *
 * Solutions are not run without being named: they are not needed to refresh the course.
 *
 * @module
 */
import { basename } from "node:path";
import {
  executeNotebook,
  findPython,
  listNotebooks,
  listSolutions,
  makeKernelDir,
} from "./jupyter.ts";

const SOLUTIONS_PREFIX = "solutions/";

/**
 * The notebooks a command line names, in run order: course notebooks first, then solutions.
 *
 * @example
 * ```ts
 * import { pickNotebooks } from "./execute_notebooks.ts";
 * const course = ["/r/notebooks/00_setup.ipynb", "/r/notebooks/01_llms.ipynb"];
 * const solutions = ["/r/notebooks/solutions/01_solutions.ipynb"];
 * console.log(pickNotebooks(["solutions/01"], course, solutions));
 * // ["/r/notebooks/solutions/01_solutions.ipynb"]
 * ```
 */
export function pickNotebooks(args: string[], course: string[], solutions: string[]): string[] {
  const all = args.includes("--solutions");
  const names = args.filter((a) => a !== "--solutions");
  const unknown = names.filter((a) => a.startsWith("--"));
  if (unknown.length) {
    throw new Error(
      `unknown flag ${unknown[0]}: use names (01), solutions/NN (solutions/01) or --solutions`,
    );
  }
  const courseNames = names.filter((n) => !n.startsWith(SOLUTIONS_PREFIX));
  const solutionNames = names.filter((n) => n.startsWith(SOLUTIONS_PREFIX))
    .map((n) => n.slice(SOLUTIONS_PREFIX.length));
  const matches = (path: string, wanted: string[]) =>
    wanted.some((w) => basename(path).includes(w));
  const picked = [
    ...course.filter((p) => names.length === 0 && !all || matches(p, courseNames)),
    ...solutions.filter((p) => all || matches(p, solutionNames)),
  ];
  if (names.length && picked.length === 0) {
    throw new Error(`no notebook matches ${names.join(" ")}`);
  }
  return picked;
}

if (import.meta.main) {
  const python = findPython();
  if (!python) {
    console.error("No Python with nbclient. Run `deno task setup` first.");
    Deno.exit(1);
  }
  const kernelDir = makeKernelDir();
  let failed = 0;
  for (const path of pickNotebooks(Deno.args, listNotebooks(), listSolutions())) {
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
}
