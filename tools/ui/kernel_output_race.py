"""Minimal reproduction of the Deno kernel's late / misaddressed output (issue 9).

Starts the Deno kernel through jupyter_client and runs a few one-line cells back to back, the
way a front end's "Run All" does, then reads every IOPub message and reports, for each cell,
the outputs that arrived after that cell's `status: idle` or carrying another cell's parent id.

Usage: python3 tools/ui/kernel_output_race.py [--deno PATH] [--rounds N]
Exit status 1 when any output was late or misaddressed (the bug shows), 0 otherwise.

Seen with Deno 2.9.6 (a late line's text often names an earlier cell than the one it is
addressed to: console text is stamped when the kernel sends it, not when it was written):
console bursts, bare values and unawaited displays arrive late; one batched, awaited
`Deno.jupyter.broadcast` followed by a 20 ms pause (what lib/notebook does) arrived in time in
every run. Output of the last cell submitted may show late for any case (nothing follows it).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from jupyter_client.manager import start_new_kernel

CELLS = {
    # Many console lines: the kernel forwards stdout from a pipe it reads on its own schedule.
    "console_burst": "for (let i = 0; i < 300; i++) console.log(`cb ${i}`);",
    # The last expression's value: sent as execute_result by the kernel itself.
    "bare_value": "({ answer: 42 })",
    # A display call that is not awaited.
    "display_no_await": 'Deno.jupyter.display({ "text/plain": "shown" }, { raw: true }); 1',
    # The same, awaited, as lib/notebook's show() does.
    "display_await": 'await Deno.jupyter.display({ "text/plain": "shown" }, { raw: true });',
    # console.log, then the cell ends at once.
    "console_last": 'console.log("last line")',
    # What lib/notebook does instead of console.log: stream messages through the kernel's own
    # IOPub API, which stamps them with the running cell's parent id.
    "broadcast_burst": "for (let i = 0; i < 300; i++) "
    'Deno.jupyter.broadcast("stream", { name: "stdout", text: `bb ${i}\\n` });',
    # The same, each message awaited: the kernel has sent it before the cell goes on.
    "broadcast_await": "for (let i = 0; i < 300; i++) "
    'await Deno.jupyter.broadcast("stream", { name: "stdout", text: `ba ${i}\\n` });',
    # One batched stream message, awaited, then a short sleep: what lib/notebook does.
    "batched_await_sleep": "await Deno.jupyter.broadcast(\"stream\", { name: \"stdout\", text: "
    "Array.from({ length: 300 }, (_, i) => `bt ${i}\\n`).join(\"\") }); "
    "await new Promise((r) => setTimeout(r, 20));",
    # console.log, then a short sleep before the cell ends: what lib/notebook's show() and
    # flush() do. The kernel forwards the pipe and its queue in the meantime.
    "console_then_sleep": "for (let i = 0; i < 300; i++) console.log(`cs ${i}`); "
    "await new Promise((r) => setTimeout(r, 20));",
}


# The text each case's own output starts with, to tell who wrote an output that arrives
# under another cell's parent id.
PREFIX = {"console_burst": "cb ", "broadcast_burst": "bb ", "broadcast_await": "ba ",
          "batched_await_sleep": "bt ", "console_then_sleep": "cs ", "console_last": "last line",
          "display_no_await": "shown", "display_await": "shown"}


def writer_of(text: str, addressed: str) -> str:
    for name, prefix in PREFIX.items():
        if text.startswith(prefix) and not prefix == "shown":
            return name
    return addressed


def text_of(msg) -> str:
    c = msg["content"]
    t = c.get("text") or c.get("data", {}).get("text/plain") or c.get("evalue") or ""
    return t[:40]


def kernel_dir(deno: str) -> str:
    d = tempfile.mkdtemp(prefix="deno-race-")
    spec = os.path.join(d, "kernels", "deno")
    os.makedirs(spec)
    with open(os.path.join(spec, "kernel.json"), "w") as f:
        json.dump({"argv": [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
                   "display_name": "Deno", "language": "typescript"}, f)
    return d


def run(deno: str, rounds: int) -> int:
    os.environ["JUPYTER_PATH"] = kernel_dir(deno)
    km, kc = start_new_kernel(kernel_name="deno")
    try:
        # Submit every cell without waiting, like "Run All" in a front end.
        ids = {}
        for r in range(rounds):
            for name, code in CELLS.items():
                ids[kc.execute(code)] = f"{name}#{r}"
        idle_at = {}
        late, foreign = [], []
        order = list(ids)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=3)
            except Exception:
                if len(idle_at) == len(ids):
                    break
                continue
            parent = msg["parent_header"].get("msg_id")
            kind = msg["msg_type"]
            if kind == "status":
                if msg["content"]["execution_state"] == "idle" and parent in ids:
                    idle_at[parent] = time.time()
                continue
            if kind not in ("stream", "display_data", "execute_result", "update_display_data",
                            "error"):
                continue
            if parent in ids:
                addressed = ids[parent].split("#")[0]
                writer = writer_of(text_of(msg), addressed)
                if parent in idle_at or writer != addressed:
                    late.append((writer, addressed, parent in idle_at, text_of(msg)))
            # An output under cell k while a later cell already started means misaddressed
            # output is possible; an output under a parent that is not a cell is foreign.
            if parent not in ids:
                foreign.append((parent, kind))
        # Per case (by who wrote the output, told by its text): outputs that arrived after the
        # idle of the cell they are addressed to, and outputs addressed to another cell.
        print(f"{'case':22} {'after idle':>10} {'under another cell':>18}")
        for name in CELLS:
            mine = [x for x in late if x[0] == name]
            after = sum(1 for x in mine if x[2])
            moved = sum(1 for x in mine if x[1] != name)
            print(f"{name:22} {after:10} {moved:18}")
        print(json.dumps({"late": len(late), "foreign": len(foreign), "cells": len(order)}))
        return 1 if late or foreign else 0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deno", default=shutil.which("deno") or "deno")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    return run(a.deno, a.rounds)


if __name__ == "__main__":
    sys.exit(main())
