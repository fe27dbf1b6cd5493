"""Writes a Deno-kernel notebook from a list of (kind, source) cells. Outputs start empty;
`deno task notebooks <name>` fills them by executing the notebook."""
import json


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
