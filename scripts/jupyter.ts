/**
 * Runs notebooks through the real Jupyter protocol: Debian's nbclient drives the Deno kernel.
 * Used by the notebook test (smoke mode, temporary copies) and by `deno task notebooks`
 * (full runs written back in place).
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A Python interpreter that imports nbclient and nbformat, or undefined. */
export function findPython(): string | undefined {
  const candidates = [Deno.env.get("LLM_PYTHON"), "/usr/bin/python3", "python3"]
    .filter(
      (p): p is string => !!p,
    );
  for (const py of candidates) {
    try {
      const r = new Deno.Command(py, {
        args: ["-c", "import nbclient, nbformat"],
        stdout: "null",
        stderr: "null",
      }).outputSync();
      if (r.success) return py;
    } catch { /* not installed */ }
  }
  return undefined;
}

/**
 * Writes a kernelspec named `deno` that runs this very Deno binary, in a fresh directory to put
 * on JUPYTER_PATH, so the notebooks run on the same Deno as the tests.
 */
export function makeKernelDir(): string {
  const dir = Deno.makeTempDirSync({ prefix: "llm-kernels-" });
  const spec = join(dir, "kernels", "deno");
  Deno.mkdirSync(spec, { recursive: true });
  Deno.writeTextFileSync(
    join(spec, "kernel.json"),
    JSON.stringify({
      argv: [
        Deno.execPath(),
        "jupyter",
        "--kernel",
        "--conn",
        "{connection_file}",
      ],
      display_name: "Deno",
      language: "typescript",
    }),
  );
  return dir;
}

/** What one execution produced. */
export interface NotebookRun {
  ok: boolean;
  seconds: number;
  errors: string[];
  cells: number;
  /** With `twice`: live tfjs tensors after the first and after the second pass. */
  tensors?: number[];
}

/** Executes `src` into `dst`; `smoke` sets LLM_SMOKE=1 for the kernel. */
export async function executeNotebook(
  src: string,
  dst: string,
  opts: {
    smoke: boolean;
    python: string;
    kernelDir: string;
    timeout?: number;
    /** More environment for the kernel, e.g. `{ LLM_BACKEND: "wasm" }`. */
    env?: Record<string, string>;
    /** Run every code cell twice in one kernel and count the tensors after each pass. */
    twice?: boolean;
    /**
     * The kernel's working directory, which relative imports (`../lib/...`) resolve from.
     * Default: the notebook's own folder when it lies under notebooks/ (so a solution in
     * notebooks/solutions/ finds `../../lib/...`), else notebooks/.
     */
    cwd?: string;
  },
): Promise<NotebookRun> {
  const env: Record<string, string> = {
    ...opts.env,
    JUPYTER_PATH: opts.kernelDir,
    LLM_SMOKE: opts.smoke ? "1" : "0",
    // Quiets a warning from the software Vulkan driver when WebGPU is probed.
    XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? Deno.makeTempDirSync(),
    NO_COLOR: "1",
  };
  const out = await new Deno.Command(opts.python, {
    args: [
      join(ROOT, "scripts", "execute_notebook.py"),
      src,
      dst,
      "--timeout",
      String(opts.timeout ?? 1200),
      "--cwd",
      opts.cwd ?? notebookCwd(src),
      ...(opts.twice ? ["--twice"] : []),
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(stdout) as NotebookRun;
  } catch {
    return {
      ok: false,
      seconds: 0,
      cells: 0,
      errors: [
        `nbclient failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`,
      ],
    };
  }
}

/** The folder a notebook runs in: its own when under notebooks/, else notebooks/ (temp copies). */
function notebookCwd(src: string): string {
  const notebooks = join(ROOT, "notebooks");
  const folder = dirname(resolve(src));
  const rel = relative(notebooks, folder);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/")) ? folder : notebooks;
}

/** The course notebooks (notebooks/*.ipynb), sorted by name. */
export function listNotebooks(): string[] {
  return [...Deno.readDirSync(join(ROOT, "notebooks"))]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => join(ROOT, "notebooks", e.name))
    .sort();
}

/**
 * The worked solutions to the course notebooks' exercises (notebooks/solutions/*.ipynb, named
 * `NN_solutions.ipynb` after the notebook they answer), sorted by name; empty when the folder
 * does not exist.
 */
export function listSolutions(): string[] {
  const dir = join(ROOT, "notebooks", "solutions");
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => join(dir, e.name))
      .sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}
