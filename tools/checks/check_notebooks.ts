/**
 * `deno task check` for notebooks: type-checks and lints the code cells of every notebook.
 *
 * A notebook's code cells run, in order, as one Deno kernel session, so they are checked as one
 * TypeScript module: the cells are concatenated (top-level `await` is legal in a module, and a
 * bare last expression is a legal expression statement), relative imports are rewritten for the
 * module's location, and `deno check` and `deno lint` run on it. Each error is reported at its
 * notebook, cell (index in the notebook's cell list, markdown included, and the cell id) and line
 * within the cell, so it can be fixed in Jupyter.
 *
 * Usage: `deno run -A tools/checks/check_notebooks.ts [notebook.ipynb ...]` (default: notebooks/*
 * and the worked solutions, notebooks/solutions/*).
 *
 * @module
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listNotebooks, listSolutions, ROOT } from "../../scripts/jupyter.ts";

/** Where a line of the extracted module came from. */
export interface CellLine {
  /** Index of the cell in the notebook's `cells` array (markdown cells counted). */
  cell: number;
  /** The cell's `id`, if the notebook has one. */
  id?: string;
  /** 1-based line within the cell. */
  line: number;
}

/** One notebook turned into a module: its text and, per module line, its source. */
export interface ExtractedModule {
  source: string;
  /** `lines[i]` is where module line i + 1 came from; undefined for lines the extractor added. */
  lines: (CellLine | undefined)[];
}

/** A type or lint error found in a notebook, at its cell and line. */
export interface NotebookDiagnostic {
  notebook: string;
  kind: "type" | "lint";
  /** Undefined when the error points at a line the extractor added (should not happen). */
  at?: CellLine;
  column?: number;
  /** TypeScript error code (TS2322) or lint rule name (no-unused-vars). */
  code: string;
  message: string;
}

interface NotebookJson {
  cells: { cell_type: string; id?: string; source: string | string[] }[];
}

const RELATIVE_SPECIFIER = /((?:from|import)\s*\(?\s*)(["'])(\.\.?\/[^"']+)\2/g;

/**
 * Concatenates a notebook's code cells into one module that `deno check` can read.
 *
 * `fromDir` is the notebook's folder and `toDir` the folder the module will be written to;
 * relative import specifiers are rewritten so they name the same files from there.
 *
 * @example
 * ```ts
 * const nb = { cells: [{ cell_type: "code", source: ["const x = 1;\n", "x"] }] };
 * const m = extractModule(nb, "notebooks", ".nbcheck");
 * console.log(m.lines[1]); // { cell: 0, id: undefined, line: 1 }
 * ```
 */
export function extractModule(nb: NotebookJson, fromDir: string, toDir: string): ExtractedModule {
  const out: string[] = [];
  const lines: (CellLine | undefined)[] = [];
  const add = (text: string, at?: CellLine) => {
    out.push(text);
    lines.push(at);
  };
  // The cells share one scope in the kernel, and so do they here; `export {}` makes the text a
  // module even without imports (top-level await needs a module).
  add("export {};");
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    add(`// notebook cell ${index}${cell.id ? ` (${cell.id})` : ""}`);
    text.split("\n").forEach((line, i) => {
      const rewritten = line.replace(RELATIVE_SPECIFIER, (_m, head, quote, spec) => {
        let target = relative(toDir, resolve(fromDir, spec)).replaceAll("\\", "/");
        if (!target.startsWith(".")) target = `./${target}`;
        return `${head}${quote}${target}${quote}`;
      });
      add(rewritten, { cell: index, id: cell.id, line: i + 1 });
    });
    // A cell may end without a semicolon; a newline-terminated statement keeps the next cell's
    // first line from continuing it (ASI would not split `x\n(y)`).
    add(";");
  });
  return { source: out.join("\n") + "\n", lines };
}

/** Formats a diagnostic as `notebook cell N (id) line L:C: [code] message`. */
export function formatDiagnostic(d: NotebookDiagnostic): string {
  const where = d.at
    ? `cell ${d.at.cell}${d.at.id ? ` (${d.at.id})` : ""} line ${d.at.line}` +
      (d.column ? `:${d.column}` : "")
    : "(extractor line)";
  return `${d.notebook} ${where}: ${d.kind} ${d.code}: ${d.message}`;
}

/** `deno check` output: a `TSxxxx [ERROR]: message` line, then the code, then `at file:L:C`. */
function parseCheckOutput(
  text: string,
): { file: string; line: number; col: number; code: string; message: string }[] {
  // deno prints paths as file URLs; strip colour codes in case NO_COLOR is ignored.
  const clean = text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
  const found = [];
  const re = /(TS\d+) \[ERROR\]: ([\s\S]*?)\n\s+at (file:\/\/\S+?):(\d+):(\d+)/g;
  for (const m of clean.matchAll(re)) {
    const message = m[2].split("\n")[0].trim();
    found.push({
      code: m[1],
      message,
      file: fileURLToPath(m[3]),
      line: Number(m[4]),
      col: Number(m[5]),
    });
  }
  return found;
}

interface LintJson {
  diagnostics: {
    filename: string;
    range: { start: { line: number; col: number } };
    code: string;
    message: string;
    hint?: string;
  }[];
  errors: { file_path: string; message: string }[];
}

/**
 * Type-checks and lints notebooks; returns every error found (empty when clean).
 *
 * Throws if `deno check` fails without an error it can place (for example a missing import map
 * entry reported in another form), so a broken check never passes silently.
 *
 * @example
 * ```ts
 * const problems = await checkNotebooks(["notebooks/00_setup.ipynb"]);
 * console.log(problems.map(formatDiagnostic).join("\n") || "clean");
 * ```
 */
export async function checkNotebooks(paths: string[]): Promise<NotebookDiagnostic[]> {
  // Inside the repository and at the same depth as notebooks/, so the project's deno.json (import
  // map, compiler options) applies and `../lib/...` names the same files.
  const workDir = Deno.makeTempDirSync({ dir: ROOT, prefix: ".nbcheck-" });
  try {
    const modules = new Map<string, { notebook: string; extracted: ExtractedModule }>();
    paths.forEach((path, i) => {
      const nb = JSON.parse(Deno.readTextFileSync(path)) as NotebookJson;
      const extracted = extractModule(nb, dirname(resolve(path)), workDir);
      const file = join(workDir, `${String(i).padStart(2, "0")}_${basename(path, ".ipynb")}.ts`);
      Deno.writeTextFileSync(file, extracted.source);
      const shown = relative(Deno.cwd(), path);
      modules.set(file, { notebook: shown.startsWith("..") ? path : shown, extracted });
    });
    const files = [...modules.keys()];
    if (files.length === 0) return [];
    const place = (file: string, line: number) => modules.get(file)?.extracted.lines[line - 1];
    const diagnostics: NotebookDiagnostic[] = [];

    const check = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", ...files],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const checkText = new TextDecoder().decode(check.stdout) +
      new TextDecoder().decode(check.stderr);
    const typeErrors = parseCheckOutput(checkText);
    for (const e of typeErrors) {
      const mod = modules.get(e.file);
      diagnostics.push({
        notebook: mod?.notebook ?? e.file,
        kind: "type",
        at: place(e.file, e.line),
        column: e.col,
        code: e.code,
        message: e.message,
      });
    }
    if (!check.success && typeErrors.length === 0) {
      throw new Error(`deno check failed without a TS error this script can place:\n${checkText}`);
    }

    const lint = await new Deno.Command(Deno.execPath(), {
      args: ["lint", "--json", ...files],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = JSON.parse(new TextDecoder().decode(lint.stdout)) as LintJson;
    for (const d of report.diagnostics) {
      const file = d.filename.startsWith("file:") ? fileURLToPath(d.filename) : d.filename;
      diagnostics.push({
        notebook: modules.get(file)?.notebook ?? file,
        kind: "lint",
        at: place(file, d.range.start.line),
        column: d.range.start.col + 1,
        code: d.code,
        message: d.hint ? `${d.message} (${d.hint})` : d.message,
      });
    }
    for (const e of report.errors) {
      diagnostics.push({ notebook: e.file_path, kind: "lint", code: "parse", message: e.message });
    }
    return diagnostics;
  } finally {
    Deno.removeSync(workDir, { recursive: true });
  }
}

/** What `deno task check` checks: the course notebooks, then the worked solutions. */
export function listAllNotebookFiles(): string[] {
  return [...listNotebooks(), ...listSolutions()];
}

if (import.meta.main) {
  const paths = Deno.args.length ? Deno.args : listAllNotebookFiles();
  const problems = await checkNotebooks(paths);
  for (const p of problems) console.error(formatDiagnostic(p));
  if (problems.length) {
    console.error(`${problems.length} problem(s) in notebook code cells.`);
    Deno.exit(1);
  }
  console.log(`notebooks: ${paths.length} checked (deno check + deno lint), clean.`);
}
