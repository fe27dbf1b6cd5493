"""Writes a Deno-kernel notebook from a list of (kind, source) cells. Outputs start empty;
`deno task notebooks <name>` fills them by executing the notebook."""
import json
import re


STATEMENT_STARTS = (
    "const ", "let ", "var ", "for ", "for(", "if ", "if(", "await ", "function ", "async function ",
    "class ", "assert", "console.", "try ", "try{", "type ", "import ", "export ", "return ", "while ",
    "/", "*", "}", ")", "]",
)


def auto_show(src):
    """Rewrites a cell whose last statement is a bare expression to `await show(expr);`.

    The Deno kernel can report a cell finished before its result message, and nbclient then
    drops that result; `show` (from lib/notebook, imported in the first cell) displays the value and
    yields once so it is sent while the cell is still running.
    """
    lines = src.rstrip().split("\n")
    start = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        inside_template = len(re.findall(r"(?<!\\)`", "\n".join(lines[:i]))) % 2 == 1
        if line and not line[0].isspace() and not line.startswith(("}", ")", "]", "//")) and not inside_template:
            start = i
            break
    if start is None or lines[start].startswith(STATEMENT_STARTS):
        return src
    expr = "\n".join(lines[start:]).rstrip().rstrip(";")
    return "\n".join(lines[:start] + [f"await show({expr});"])


def nb(cells, path):
    out = {
        "cells": [],
        "metadata": {
            "kernelspec": {"display_name": "Deno", "language": "typescript", "name": "deno"},
            "language_info": {
                "codemirror_mode": "typescript",
                "file_extension": ".ts",
                "mimetype": "text/x.typescript",
                "name": "typescript",
                "nbconvert_exporter": "script",
                "pygments_lexer": "typescript",
                "version": "5",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        if kind == "code":
            src = auto_show(src)
        lines = [line + "\n" for line in src.split("\n")]
        lines[-1] = lines[-1][:-1]
        cell = {"cell_type": kind, "id": f"c{i:02d}", "metadata": {}, "source": lines}
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        out["cells"].append(cell)
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


def md(s):
    return ("markdown", s)


def code(s):
    return ("code", s)
