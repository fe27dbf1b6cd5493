/**
 * The Python the PyTorch cross-checks run: `LLM_TORCH_PYTHON` when set (any Python with torch,
 * e.g. a venv with `pip install torch==2.13.0`), else Debian's `/usr/bin/python3` with
 * `python3-torch`. Undefined when that Python cannot `import torch`, and the tests are skipped.
 *
 * @module
 */

/** The torch Python's path, or undefined when it has no torch. */
export function findTorchPython(): string | undefined {
  const python = Deno.env.get("LLM_TORCH_PYTHON") || "/usr/bin/python3";
  try {
    const ok = new Deno.Command(python, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
    return ok ? python : undefined;
  } catch {
    return undefined; // not installed
  }
}
