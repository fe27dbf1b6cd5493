/**
 * `deno task setup`: makes sure the notebook test can run. It needs a Python with Debian's
 * nbclient and nbformat (the Jupyter client the tests drive the Deno kernel with). As root on
 * Debian or Ubuntu it installs them with apt-get; otherwise it prints the command to run.
 *
 * @module
 */
import { findPython } from "./jupyter.ts";
import { installKernel, kernelSpecPath } from "./kernel.ts";

const PACKAGES = [
  "python3-nbclient",
  "python3-nbformat",
  "jupyter-client",
  "python3-ipykernel",
];

function run(cmd: string, args: string[]): boolean {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const r = new Deno.Command(cmd, {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  }).outputSync();
  return r.success;
}

let python = findPython();
if (!python) {
  const isRoot = Deno.uid() === 0;
  let hasApt = false;
  try {
    hasApt = new Deno.Command("apt-get", { args: ["--version"], stdout: "null" })
      .outputSync()
      .success;
  } catch { /* no apt */ }
  if (isRoot && hasApt) {
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", ...PACKAGES]);
    python = findPython();
  }
  if (!python) {
    console.error(
      "Missing: a Python 3 with nbclient and nbformat, used to run the notebooks through Jupyter.\n" +
        `On Debian/Ubuntu: sudo apt-get install -y ${PACKAGES.join(" ")}\n` +
        "Elsewhere: pip install nbclient nbformat ipykernel, then set LLM_PYTHON=/path/to/python3.",
    );
    Deno.exit(1);
  }
}
console.log(`Jupyter client: ${python} (nbclient found)`);

// The kernelspec lets JupyterLab and VS Code find the Deno kernel; the tests bring their own.
let hasSpec = false;
try {
  hasSpec = Deno.statSync(kernelSpecPath()).isFile;
} catch { /* not installed yet */ }
if (!hasSpec) {
  try {
    installKernel(); // with a deno outside npx's cache (scripts/kernel.ts)
  } catch (e) {
    console.error(`Could not install the Deno kernelspec: ${(e as Error).message}`);
  }
}
