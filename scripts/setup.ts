/**
 * `deno task setup`: run first by `train`, `generate`, `perplexity`, `test` and `notebooks`.
 *
 * 1. The `tensorflow` backend (scripts/tensorflow_backend.ts): built from PyPI's TensorFlow wheel
 *    where it can be (Linux x86-64, Python >= 3.9 with pip, g++; about 2 minutes the first time,
 *    a fraction of a second once built). Where it cannot, one line says why and everything runs
 *    on wasm. `LLM_BACKEND=wasm` (or any other backend) skips it.
 * 2. Unless `--backend-only`: what the notebook tests need, a Python with Debian's nbclient and
 *    nbformat (the Jupyter client the tests drive the Deno kernel with; as root on Debian or
 *    Ubuntu installed with apt-get, otherwise the command to run is printed), and the Deno
 *    kernelspec.
 *
 * @module
 */
import { findPython } from "./jupyter.ts";
import { installKernel, kernelSpecPath } from "./kernel.ts";
import { ensureTensorflowBackend } from "./tensorflow_backend.ts";
import { TENSORFLOW_BUILDS } from "../lib/backend/build_status.ts";

const backendOnly = Deno.args.includes("--backend-only");
const forced = Deno.env.get("LLM_BACKEND")?.trim().toLowerCase();
if (forced && !forced.startsWith("tensorflow")) {
  (backendOnly ? console.error : console.log)(
    `tensorflow backend: not built (LLM_BACKEND=${forced} chooses another backend)`,
  );
} else {
  // The GPU package is built only when asked for (`setup:tfjs-node --gpu`), then kept current.
  let gpuBuilt = false;
  try {
    gpuBuilt = Deno.statSync(TENSORFLOW_BUILDS["tensorflow-gpu"].libDir).isDirectory;
  } catch { /* never built */ }
  const builds = forced === "tensorflow-gpu" || gpuBuilt ? [false, true] : [false];
  for (const gpu of builds) {
    const r = await ensureTensorflowBackend({
      gpu,
      log: (line) => {
        if (line.startsWith("1. downloading")) {
          (backendOnly ? console.error : console.log)(
            `tensorflow backend: building (about 2 minutes, once; ${line.slice(3)})`,
          );
        }
      },
    });
    // Before a run (--backend-only), a failure is left to the run's backend report, which says
    // why it fell back; said here too, it would be said twice. The line goes to stderr there, so
    // that what `generate` and `perplexity` print on stdout is only their result.
    if (!backendOnly) console.log(r.message);
    else if (r.ok) console.error(r.message);
  }
}
if (backendOnly) Deno.exit(0);

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
