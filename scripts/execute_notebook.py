"""Execute one notebook with the Deno kernel through the Jupyter protocol (nbclient).

Usage: execute_notebook.py NOTEBOOK OUTPUT [--timeout S] [--cwd DIR] [--twice]
Writes the executed notebook to OUTPUT and prints one JSON line:
{"ok": bool, "seconds": float, "errors": [..], "late": [..], "cells": n, "tensors": [..]}.

--twice runs every code cell a second time in the same kernel, as a reader who presses Run All
twice does, and counts the live tfjs tensors after each pass ("tensors": [after 1, after 2]):
a cell that rebuilds a model without freeing the old one shows up as growth.
The kernel is found by name ("deno") on JUPYTER_PATH, which the caller sets.

Besides error outputs, a run fails when an output arrives after its cell reported idle (it
then carries an earlier cell's parent id while a later cell runs). Front ends drop or misplace
such output (issue 9; tools/ui/kernel_output_race.py reproduces it), and plain nbclient ignores
it silently. A short sentinel cell after the last one catches late output of the last cell.
"""
import json
import sys
import time

import nbclient
import nbformat

OUTPUT_TYPES = {"stream", "display_data", "execute_result", "update_display_data", "error",
                "clear_output"}
# Runs after the last cell, so that output the last cell sends late is still read (and caught).
SENTINEL = "await new Promise((r) => setTimeout(r, 1500));"
# Counts live tensors (the kernel shares one tfjs instance with the notebook's imports). It writes
# through the kernel's own IOPub API, awaited, then pauses, as lib/notebook does: a plain
# console.log here arrived after the probe's idle under load (the kernel race above), and the run
# failed with the count missing.
PROBE = ('const { memory: __llmMemory } = await import("@tensorflow/tfjs");\n'
         'await Deno.jupyter.broadcast("stream", '
         '{ name: "stdout", text: `__llm_tensors__ ${__llmMemory().numTensors}\\n` });\n'
         'await new Promise((r) => setTimeout(r, 50));')


class CheckedClient(nbclient.NotebookClient):
    """An nbclient that records outputs arriving under another cell's parent id."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell_of = {}  # parent msg id -> cell index
        self.late = []

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cell_of[parent_msg_id] = cell_index
        while True:
            msg = await nbclient.util.ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except nbclient.exceptions.CellExecutionComplete:
                    return
            elif msg["msg_type"] in OUTPUT_TYPES:
                content = msg["content"]
                text = content.get("text") or json.dumps(content.get("data", {}))[:80]
                origin = self.cell_of.get(parent)
                self.late.append(
                    f"cell {origin if origin is not None else '?'}: a {msg['msg_type']} output "
                    f"arrived after the cell finished (read while cell {cell_index} ran): "
                    f"{text[:80]!r}")


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 1200
    cwd = sys.argv[sys.argv.index("--cwd") + 1] if "--cwd" in sys.argv else "."
    nb = nbformat.read(src, as_version=4)
    if "--twice" in sys.argv:
        code = [c for c in nb.cells if c.cell_type == "code"]
        again = [nbformat.v4.new_code_cell(c.source) for c in code]
        nb.cells += [nbformat.v4.new_code_cell(PROBE)] + again + [nbformat.v4.new_code_cell(PROBE)]
    nb.cells.append(nbformat.v4.new_code_cell(SENTINEL))
    client = CheckedClient(
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
    nb.cells.pop()  # the sentinel
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
    tensors = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source == PROBE:
            for out in cell.get("outputs", []):
                for line in out.get("text", "").splitlines():
                    if line.startswith("__llm_tensors__ "):
                        tensors.append(int(line.split()[1]))
    nbformat.write(nb, dst)
    print(json.dumps({"ok": not errors and not client.late, "seconds": round(seconds, 1),
                      "errors": errors + client.late, "late": client.late,
                      "cells": len(nb.cells), "tensors": tensors}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
