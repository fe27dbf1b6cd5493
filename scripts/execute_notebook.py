"""Execute one notebook with the Deno kernel through the Jupyter protocol (nbclient).

Usage: execute_notebook.py NOTEBOOK OUTPUT [--timeout S]
Writes the executed notebook to OUTPUT and prints one JSON line:
{"ok": bool, "seconds": float, "errors": [..], "cells": n}.
The kernel is found by name ("deno") on JUPYTER_PATH, which the caller sets.
"""
import json
import sys
import time

import nbclient
import nbformat


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 1200
    cwd = sys.argv[sys.argv.index("--cwd") + 1] if "--cwd" in sys.argv else "."
    nb = nbformat.read(src, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="deno", timeout=timeout, allow_errors=True, iopub_timeout=30,
        resources={"metadata": {"path": cwd}},
    )
    start = time.time()
    errors = []
    try:
        client.execute()
    except Exception as e:  # kernel death, timeout: report, keep what ran
        errors.append(f"{type(e).__name__}: {e}")
    seconds = time.time() - start
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
    nbformat.write(nb, dst)
    print(json.dumps({"ok": not errors, "seconds": round(seconds, 1), "errors": errors,
                      "cells": len(nb.cells)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
