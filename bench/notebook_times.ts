/**
 * `deno task bench:notebooks`: where each notebook's last full run spent its time, read from the
 * per-cell timestamps Jupyter records in the notebook (`metadata.execution`: when the kernel
 * took the cell and when it went idle). Nothing is executed; run `deno task notebooks <name>`
 * first to time a fresh run.
 *
 *     deno task bench:notebooks                         # every course notebook, top 5 cells each
 *     deno task bench:notebooks --top 10 notebooks/03_seq2seq_lstm.ipynb
 *     deno task bench:notebooks --markdown              # one table row per notebook
 *     deno task bench:notebooks --git HEAD~3            # the notebooks as committed 3 commits ago
 *
 * @module
 */
import { basename } from "node:path";
import { flagUsage, parseFlags } from "../scripts/flags.ts";
import { listNotebooks } from "../scripts/jupyter.ts";

/** One cell's run as the notebook recorded it. */
export interface CellTime {
  /** Index of the cell in the notebook (markdown cells counted). */
  index: number;
  /** Seconds from the kernel taking the cell to its going idle. */
  seconds: number;
  /** The cell's first line of source. */
  first: string;
}

/** A notebook's recorded run: every timed code cell, and the wall time from first to last. */
export interface NotebookTimes {
  /** Timed code cells, in notebook order. */
  cells: CellTime[];
  /** Seconds from the first cell's start to the last cell's end (0 when none is timed). */
  wall: number;
  /** When the run started (ISO time), or "" when no cell is timed. */
  started: string;
}

/**
 * Per-cell times of a notebook from its JSON text. Cells without both timestamps (never run, or
 * run by a client that does not record them) are left out.
 *
 * @example
 * ```ts
 * import { notebookTimes } from "./notebook_times.ts";
 * const cell = (s: string, a: string, b: string) => ({
 *   cell_type: "code", source: [s],
 *   metadata: { execution: { "iopub.execute_input": a, "iopub.status.idle": b } },
 * });
 * const nb = JSON.stringify({ cells: [
 *   cell("train()", "2026-12-07T10:00:00Z", "2026-12-07T10:01:30Z"),
 *   { cell_type: "markdown", source: ["# notes"], metadata: {} },
 *   cell("plot()", "2026-12-07T10:01:31Z", "2026-12-07T10:01:33Z"),
 * ] });
 * const t = notebookTimes(nb);
 * console.log(t.cells.map((c) => [c.index, c.seconds]), t.wall); // [[0, 90], [2, 2]] 93
 * ```
 */
export function notebookTimes(json: string): NotebookTimes {
  const nb = JSON.parse(json) as {
    cells: { cell_type: string; source: string | string[]; metadata?: Record<string, unknown> }[];
  };
  const cells: CellTime[] = [];
  let first = Infinity, last = -Infinity, started = "";
  nb.cells.forEach((c, index) => {
    const e = c.metadata?.execution as Record<string, string> | undefined;
    const a = e?.["iopub.execute_input"], b = e?.["iopub.status.idle"];
    if (c.cell_type !== "code" || !a || !b) return;
    const [ta, tb] = [Date.parse(a), Date.parse(b)];
    if (!Number.isFinite(ta) || !Number.isFinite(tb)) return;
    const source = Array.isArray(c.source) ? c.source.join("") : c.source;
    cells.push({ index, seconds: (tb - ta) / 1000, first: source.split("\n")[0] });
    if (ta < first) [first, started] = [ta, a];
    last = Math.max(last, tb);
  });
  return { cells, wall: cells.length ? (last - first) / 1000 : 0, started };
}

/** A file's text as committed at `rev` (`git show rev:path`), with git's error on failure. */
function gitShow(rev: string, file: string): string {
  const root = new URL("../", import.meta.url).pathname;
  const path = file.startsWith(root) ? file.slice(root.length) : file;
  const out = new Deno.Command("git", { args: ["show", `${rev}:${path}`], cwd: root }).outputSync();
  if (!out.success) {
    throw new Error(
      `git show ${rev}:${path} failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** Seconds as "42 s", "3.5 min" or "1.2 h". */
function human(s: number): string {
  return s < 120
    ? `${s.toFixed(0)} s`
    : s < 7200
    ? `${(s / 60).toFixed(1)} min`
    : `${(s / 3600).toFixed(1)} h`;
}

if (import.meta.main) {
  const FLAGS = {
    top: { kind: "int", description: "slowest cells listed per notebook", default: 5 },
    markdown: { kind: "bool", description: "one markdown table row per notebook", default: false },
    git: { kind: "string", description: "read the notebooks as committed at this git revision" },
  } as const;
  const args = Deno.args.filter((a) => !a.endsWith(".ipynb"));
  const flags = parseFlags(args, FLAGS);
  if (flags.help) {
    console.log(flagUsage("Usage: deno task bench:notebooks [flags] [notebook.ipynb ...]", FLAGS));
    Deno.exit(0);
  }
  const named = Deno.args.filter((a) => a.endsWith(".ipynb"));
  const files = named.length ? named : listNotebooks();
  if (flags.markdown) {
    console.log("| notebook | run started | wall | slowest cell |\n|---|---|---:|---|");
  }
  for (const f of files) {
    const t = notebookTimes(flags.git ? gitShow(flags.git, f) : Deno.readTextFileSync(f));
    const slow = [...t.cells].sort((a, b) => b.seconds - a.seconds);
    if (flags.markdown) {
      const s = slow[0];
      console.log(
        `| ${basename(f)} | ${t.started.slice(0, 16).replace("T", " ") || "never"} | ${
          human(t.wall)
        } | ${
          s
            ? `cell ${s.index}, ${human(s.seconds)} (${(100 * s.seconds / t.wall).toFixed(0)}%)`
            : ""
        } |`,
      );
      continue;
    }
    console.log(
      `${basename(f)}: ${human(t.wall)} wall, ${t.cells.length} timed cells` +
        (t.started ? `, run started ${t.started}` : ""),
    );
    for (const c of slow.slice(0, flags.top)) {
      console.log(
        `  ${human(c.seconds).padStart(9)} ${(100 * c.seconds / t.wall).toFixed(0).padStart(3)}%` +
          `  cell ${c.index}: ${c.first.slice(0, 70)}`,
      );
    }
  }
}
