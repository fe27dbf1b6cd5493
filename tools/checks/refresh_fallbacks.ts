/**
 * `deno task refresh-outputs [notebook.ipynb ...]` (default: every notebook in notebooks/):
 * rewrites the committed outputs' static forms from what they store, without re-running
 * anything. Each plot's bundle becomes plotly JSON + `image/png` (rendered from that JSON) +
 * `text/plain`, dropping the old `text/html` SVG fallback; each markdown output gets a
 * `text/plain` with its tables lined up. Running it twice changes nothing the second time.
 *
 * @module
 */
import { figureBundle, markdownToText } from "../../lib/notebook/mod.ts";
import type { Figure } from "../../lib/notebook/mod.ts";
import { listNotebooks } from "../../scripts/jupyter.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Joins nbformat's list-of-lines form of a string. */
function joined(v: unknown): string {
  return Array.isArray(v) ? v.join("") : String(v ?? "");
}

/** nbformat's on-disk form of a text value: a list of lines that keep their "\n". */
function lines(s: string): string[] {
  return s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** JSON as nbformat writes it (keys sorted, one-space indent), so diffs stay small. */
export function nbJson(v: Json, indent = ""): string {
  const inner = indent + " ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => inner + nbJson(x, inner)).join(",\n")}\n${indent}]`;
  }
  if (v && typeof v === "object") {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return "{}";
    return `{\n${
      keys.map((k) => `${inner}${JSON.stringify(k)}: ${nbJson(v[k], inner)}`).join(",\n")
    }\n${indent}}`;
  }
  return JSON.stringify(v);
}

/** Refreshes one notebook's outputs in memory; returns how many plots and markdown outputs. */
export function refreshNotebook(
  nb: { cells: { outputs?: { data?: Record<string, unknown> }[] }[] },
) {
  let plots = 0, tables = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const data = out.data;
      if (!data) continue;
      const fig = data["application/vnd.plotly.v1+json"] as Figure | undefined;
      if (fig) {
        const b = figureBundle(fig);
        delete data["text/html"];
        // The JSON too: figureBundle writes titles as { text } for plotly.js 3 and later.
        data["application/vnd.plotly.v1+json"] = b["application/vnd.plotly.v1+json"];
        data["image/png"] = b["image/png"];
        data["text/plain"] = lines(b["text/plain"] as string);
        plots++;
      } else if (data["text/markdown"] !== undefined) {
        data["text/plain"] = lines(markdownToText(joined(data["text/markdown"])));
        tables++;
      }
    }
  }
  return { plots, markdown: tables };
}

if (import.meta.main) {
  const paths = Deno.args.length ? Deno.args : listNotebooks();
  for (const path of paths) {
    const nb = JSON.parse(Deno.readTextFileSync(path));
    const n = refreshNotebook(nb);
    const text = nbJson(nb) + "\n";
    Deno.writeTextFileSync(path, text);
    console.log(
      `${path}: ${n.plots} plots, ${n.markdown} markdown outputs refreshed; ${
        (text.length / 1024).toFixed(0)
      } KiB`,
    );
  }
}
