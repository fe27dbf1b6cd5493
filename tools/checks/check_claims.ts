/**
 * `deno task check` for the prose of notebooks: every number a markdown cell states must come
 * from the notebook's own outputs, or be marked as quoted from a source.
 *
 * **A number is supported** when the same value, at the precision the prose writes it, appears
 * in an output of any cell of the same notebook (stream text, `text/plain`, `text/markdown`,
 * `text/html`). "The same value at the claim's precision" means the output rounds to it: the
 * claim `81.2` matches outputs `81.2`, `81.23` or `81.15`, not `81.3`; `1,902` matches `1902`;
 * `810k` matches `809856` (k, M and B scale the claim and its precision). A claim with `%` also
 * matches a fraction: `81.2%` matches `0.8123`. Signs are ignored (`−0.3` matches `-0.30`).
 *
 * **A number is quoted** (not checked) when its sentence carries a source: a markdown link to
 * `http(s)://…`, a bare URL, a citation in parentheses such as `(Radford et al., 2018)`,
 * `(GPT-2 paper, Table 3)` or `(Vaswani, 2017)`, or a bracketed `[source: …]`.
 *
 * **Not claims** (skipped): numbers in inline code, fenced code and `$…$`/`$$…$$` maths; link
 * targets and HTML tags; a heading's section number (`## 3 · …`, `### 2.1 …`) and list
 * ordinals (`1. …`); years (1900–2099 written alone); dates and clock times; numbers that are
 * part of an identifier or a name (`gpt2`, `C128`, `L4`, `06_`, `GPT-2`, `#3`, `v1.2`, version
 * strings `4.22.0`, `2D`) and ordinals (`1st`, `3rd`); and whole numbers from 0 to 12 without
 * `%` or decimals, which are almost always counts the reader can see (3 seeds, 4 heads, 2
 * layers). Units after a number (`317 ms`, `317ms`, `1.5 GB`) do not make it an identifier.
 *
 * **Exemptions**: a cell's or the notebook's `metadata.claims_exempt` lists strings; an entry
 * equal to a number as written (`"27.1"`) exempts that number, any other entry exempts every
 * sentence containing it. Keep these for the rare number that is neither measured nor quoted.
 *
 * Usage: `deno run -A tools/checks/check_claims.ts [--report-only] [--notebooks a,b] [nb.ipynb ...]`.
 * Without notebooks it checks all of `notebooks/` and `notebooks/solutions/`: findings in the
 * notebooks listed in {@link ENFORCED} and in every worked solution fail the check (exit 1), the
 * others are counted as warnings. Notebooks named
 * on the command line are all checked strictly; `--report-only` lists findings and exits 0.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { listNotebooks as courseNotebooks, listSolutions } from "../../scripts/jupyter.ts";

/** The repository root. */

/**
 * Notebooks whose claims are enforced by `deno task check` (file names under `notebooks/`).
 * The others were written before this rule; add each here once its findings are fixed.
 */
export const ENFORCED: string[] = [
  "00_setup.ipynb",
  "07_llms_are_trained_cpus.ipynb",
  "02_zero_to_llm.ipynb",
  "04_attention.ipynb",
  "06_gpt1_bert_gpt2.ipynb",
  "01_llms_from_dummies.ipynb",
  "05_transformer.ipynb",
  "03_seq2seq_lstm.ipynb",
];

/** The parts of a notebook this check reads. */
export interface NotebookJson {
  cells: {
    cell_type: string;
    id?: string;
    source: string | string[];
    metadata?: { claims_exempt?: string[]; [k: string]: unknown };
    outputs?: {
      output_type?: string;
      text?: string | string[];
      data?: Record<string, unknown>;
    }[];
  }[];
  metadata?: { claims_exempt?: string[]; [k: string]: unknown };
}

/** A number in prose with no output and no citation behind it. */
export interface ClaimFinding {
  notebook: string;
  /** Index of the cell in the notebook's `cells` (code cells counted). */
  cell: number;
  id?: string;
  /** The sentence it stands in (markdown as written, whitespace collapsed). */
  sentence: string;
  /** The number as written, e.g. `27.1%`. */
  number: string;
}

/** A number stated in prose. */
export interface Claim {
  /** As written, with its `%` or k/M/B suffix. */
  text: string;
  /** Its magnitude (suffix applied, sign dropped). */
  value: number;
  /** Half a unit in the last written digit (suffix applied): outputs within it match. */
  tolerance: number;
  percent: boolean;
}

const join_ = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join("") : s ?? "");

const OUTPUT_MIME = ["text/plain", "text/markdown", "text/html"];

/**
 * The text of every output of every cell: streams and the text, markdown and HTML of results.
 *
 * @example
 * ```ts
 * import { outputTexts } from "./check_claims.ts";
 * const nb = { cells: [{ cell_type: "code", source: "", outputs: [{ output_type: "stream", text: "loss 1.9" }] }] };
 * console.log(outputTexts(nb)); // ["loss 1.9"]
 * ```
 */
export function outputTexts(nb: NotebookJson): string[] {
  const out: string[] = [];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (o.text !== undefined) out.push(join_(o.text));
      for (const mime of OUTPUT_MIME) {
        const d = o.data?.[mime];
        if (typeof d === "string" || Array.isArray(d)) out.push(join_(d as string | string[]));
      }
    }
  }
  return out;
}

const SCALE: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9 };

/**
 * Every number in output text, as sorted magnitudes (signs dropped). `1,902` gives both 1902
 * and the list reading 1 and 902; `810k` gives 810 and 810000.
 *
 * @example
 * ```ts
 * import { outputNumbers } from "./check_claims.ts";
 * console.log(outputNumbers(["acc 0.8123, 1,902 steps"])); // [1, 902, 0.8123, 1902] sorted
 * ```
 */
export function outputNumbers(texts: string[]): number[] {
  const values: number[] = [];
  const re = /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?([kKMB](?![A-Za-z]))?/g;
  for (const text of texts) {
    for (const m of text.matchAll(re)) {
      const [, int, frac = "", exp, suffix] = m;
      const v = Number(int.replace(/,/g, "") + frac) * 10 ** Number(exp ?? 0);
      values.push(v);
      if (suffix) values.push(v * SCALE[suffix]);
      if (int.includes(",")) {
        for (const part of int.split(",")) values.push(Number(part));
      }
    }
  }
  return values.filter(Number.isFinite).sort((a, b) => a - b);
}

function anyWithin(sorted: number[], lo: number, hi: number): boolean {
  let a = 0, b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (sorted[mid] < lo) a = mid + 1;
    else b = mid;
  }
  return a < sorted.length && sorted[a] <= hi;
}

/**
 * Whether an output number supports a claim (see the module docs for the rule).
 *
 * @example
 * ```ts
 * import { claimSupported, outputNumbers } from "./check_claims.ts";
 * const outs = outputNumbers(["accuracy 0.8123"]);
 * const claim = { text: "81.2%", value: 81.2, tolerance: 0.05, percent: true };
 * console.log(claimSupported(claim, outs)); // true
 * ```
 */
export function claimSupported(claim: Claim, sortedOutputs: number[]): boolean {
  const eps = 1e-9 * Math.max(1, claim.value);
  const lo = claim.value - claim.tolerance - eps, hi = claim.value + claim.tolerance + eps;
  if (anyWithin(sortedOutputs, lo, hi)) return true;
  return claim.percent && anyWithin(sortedOutputs, lo / 100, hi / 100);
}

const CITATION = [
  /\[[^\]]*\]\(\s*https?:\/\/[^)]*\)/, // [text](http…)
  /(^|[\s(<])https?:\/\/\S+/, // bare URL
  /\([^()]*\bet al\.?[^()]*\)/, // (Radford et al., 2018)
  /\([^()]*\b(paper|Table\s+\d+|Fig(ure|\.)\s*\d+|§\s*\d+)[^()]*\)/i, // (GPT-2 paper, Table 3)
  /\([A-Z][^()]*,\s*(19|20)\d\d[a-z]?\)/, // (Vaswani, 2017)
  /\[source:[^\]]*\]/i, // [source: …]
];

/**
 * Whether a sentence marks its numbers as quoted from a source (see the module docs).
 *
 * @example
 * ```ts
 * import { isCited } from "./check_claims.ts";
 * console.log(isCited("GPT-1 reached 72.8 (Radford et al., 2018).")); // true
 * ```
 */
export function isCited(sentence: string): boolean {
  return CITATION.some((re) => re.test(sentence));
}

/** Splits markdown into sentences: blocks (paragraph, list item, heading, table row), then `. `. */
export function sentences(markdown: string): string[] {
  const text = markdown.replace(/^\s*(```|~~~)[\s\S]*?^\s*\1[^\n]*$/gm, "\n");
  const blocks: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length) blocks.push(cur.join(" "));
    cur = [];
  };
  for (const line of text.split("\n")) {
    if (/^\s*$/.test(line)) {
      flush();
      continue;
    }
    if (/^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\||>)/.test(line)) flush();
    cur.push(line.trim());
    if (/^\s*(#{1,6}\s|\|)/.test(line)) flush(); // headings and table rows stand alone
  }
  flush();
  const out: string[] = [];
  for (const block of blocks) {
    const parts = block.split(
      /(?<!\b(?:al|e\.g|i\.e|vs|cf|Fig|approx|Eq|No))(?<=[.!?])\s+(?=[A-Z"“(*_[`$])/,
    );
    out.push(...parts.map((s) => s.replace(/\s+/g, " ").trim()).filter(Boolean));
  }
  return out;
}

/**
 * The numbers a sentence claims, after the exemptions of the module docs.
 *
 * @example
 * ```ts
 * import { claimsIn } from "./check_claims.ts";
 * console.log(claimsIn("## 3 · Results: 81.2% with `lr=3e-4` on 4 heads of gpt2 in 2018").map((c) => c.text)); // ["81.2%"]
 * ```
 */
export function claimsIn(sentence: string): Claim[] {
  let s = sentence
    .replace(/\$\$[\s\S]*?\$\$/g, " ")
    .replace(/(?<![\\\w])\$[^$\n]+\$/g, " ")
    .replace(/(`+)[\s\S]*?\1/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, " ")
    .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, " ");
  s = s.replace(/^#{1,6}\s+\d+(\.\d+)*[.):·—–-]?\s/, "# ") // section number
    .replace(/^\d+[.)]\s/, "") // list ordinal
    .replace(/^[-*+]\s+\d+[.)]\s/, "- ");
  const claims: Claim[] = [];
  const re = /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?/g;
  for (const m of s.matchAll(re)) {
    const start = m.index!, end = start + m[0].length;
    const before = s.slice(Math.max(0, start - 2), start), after = s.slice(end);
    if (/[\w.#]$/.test(before) || /[A-Za-z]-$/.test(before)) continue; // gpt2, GPT-2, #3, .5
    // x86-64, UTF-8 after a digit: a name whose word starts with a letter (not a range like 5-10)
    if (/(?:^|[^\w])[A-Za-z]\w*-$/.test(s.slice(Math.max(0, start - 24), start))) continue;
    if (/^\.\d/.test(after) || /^_/.test(after)) continue; // 4.22.0, 06_
    const [, int, frac = "", exp] = m;
    let text = m[0], scale = 1, percent = false;
    const suffix = /^([kKMB])(?![A-Za-z])/.exec(after);
    const unit = /^\s?(ms|µs|us|ns|s|sec|min|h|GB|MB|KB|GiB|MiB|KiB|TB|px|x|×|tok|it)(?![A-Za-z])/
      .exec(after);
    if (after.startsWith("%")) {
      percent = true;
      text += "%";
    } else if (suffix) {
      scale = SCALE[suffix[1]];
      text += suffix[1];
    } else if (/^[A-Za-z]/.test(after) && !(unit && !/^\s/.test(unit[0]))) {
      continue; // 2D, 1st, 3rd, C128's tail: part of a word
    }
    const decimals = frac.length ? frac.length - 1 : 0;
    const e = Number(exp ?? 0);
    const value = Number(int.replace(/,/g, "") + frac) * 10 ** e * scale;
    const whole = !frac && exp === undefined && scale === 1 && !percent;
    if (whole && !int.includes(",") && value <= 12) continue; // a count
    if (whole && !int.includes(",") && value >= 1900 && value <= 2099) continue; // a year
    claims.push({ text, value, tolerance: 0.5 * 10 ** (e - decimals) * scale, percent });
  }
  return claims;
}

/**
 * The unsupported numbers of one notebook.
 *
 * @example
 * ```ts
 * import { checkNotebook } from "./check_claims.ts";
 * const nb = {
 *   cells: [
 *     { cell_type: "markdown", source: "Accuracy reached 81.2% and loss 27.1." },
 *     { cell_type: "code", source: "", outputs: [{ output_type: "stream", text: "acc 0.8123" }] },
 *   ],
 * };
 * console.log(checkNotebook(nb, "demo.ipynb").map((f) => f.number)); // ["27.1"]
 * ```
 */
export function checkNotebook(nb: NotebookJson, name: string): ClaimFinding[] {
  if (!nb || !Array.isArray(nb.cells)) {
    throw new Error(`${name}: not a notebook (no "cells" array); pass .ipynb files`);
  }
  const outputs = outputNumbers(outputTexts(nb));
  const findings: ClaimFinding[] = [];
  const global = nb.metadata?.claims_exempt ?? [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "markdown") return;
    const exempt = [...global, ...(cell.metadata?.claims_exempt ?? [])];
    for (const sentence of sentences(join_(cell.source))) {
      if (isCited(sentence)) continue;
      if (exempt.some((e) => !/^[\d.,]+[%kKMB]?$/.test(e) && sentence.includes(e))) continue;
      for (const claim of claimsIn(sentence)) {
        if (exempt.includes(claim.text)) continue;
        if (claimSupported(claim, outputs)) continue;
        findings.push({ notebook: name, cell: index, id: cell.id, sentence, number: claim.text });
      }
    }
  });
  return findings;
}

/**
 * One line per finding: `notebook, cell N (id), "sentence…": 27.1 not found in any output and
 * not cited`.
 *
 * @example
 * ```ts
 * import { formatFinding } from "./check_claims.ts";
 * console.log(formatFinding({ notebook: "06.ipynb", cell: 4, id: "ab", sentence: "Loss 27.1.", number: "27.1" }));
 * ```
 */
export function formatFinding(f: ClaimFinding): string {
  const s = f.sentence.length > 100 ? f.sentence.slice(0, 99) + "…" : f.sentence;
  return `${f.notebook}, cell ${f.cell}${f.id ? ` (${f.id})` : ""}, "${s}": ${f.number} ` +
    `not found in any output and not cited`;
}

/**
 * Reads and checks notebook files; findings by path.
 *
 * @example
 * ```ts
 * import { checkClaimFiles } from "./check_claims.ts";
 * const results = await checkClaimFiles(["notebooks/00_setup.ipynb"]);
 * ```
 */
export async function checkClaimFiles(paths: string[]): Promise<Map<string, ClaimFinding[]>> {
  const out = new Map<string, ClaimFinding[]>();
  for (const p of paths) {
    let nb: NotebookJson;
    try {
      nb = JSON.parse(await Deno.readTextFile(p));
    } catch (e) {
      throw new Error(`${p}: cannot read it as notebook JSON (${(e as Error).message})`);
    }
    out.set(p, checkNotebook(nb, basename(p)));
  }
  return out;
}

/** The `.ipynb` files of `notebooks/`, then those of `notebooks/solutions/`, each sorted. */
export function listNotebooks(): string[] {
  return [...courseNotebooks(), ...listSolutions()];
}

/**
 * Whether a path is a worked solution (a notebook in a folder named `solutions`). Solutions are
 * always enforced: they were written under this rule.
 *
 * @example
 * ```ts
 * import { isSolution } from "./check_claims.ts";
 * console.log(isSolution("notebooks/solutions/01_solutions.ipynb")); // true
 * console.log(isSolution("notebooks/01_llms_from_dummies.ipynb")); // false
 * ```
 */
export function isSolution(path: string): boolean {
  return basename(dirname(path)) === "solutions";
}

function resolveNotebook(name: string): string {
  if (name.includes("/") || name.endsWith(".ipynb")) {
    try {
      Deno.statSync(name);
      return name;
    } catch { /* try notebooks/ below */ }
  }
  // `solutions/01` names a solution by prefix; a bare prefix names a course notebook.
  const solution = name.startsWith("solutions/");
  const prefix = solution ? name.slice("solutions/".length) : name;
  const match = listNotebooks().filter((p) =>
    isSolution(p) === solution && basename(p).startsWith(prefix)
  );
  if (match.length === 1) return match[0];
  throw new Error(
    `no single notebook matches "${name}"; give a path or a prefix of one of: ` +
      listNotebooks().map((p) => basename(p)).join(", "),
  );
}

const HELP =
  `Usage: deno run -A tools/checks/check_claims.ts [--report-only] [--notebooks a,b] [nb.ipynb ...]
Every number in a notebook's markdown must appear in its outputs or be cited (see the module docs).
  (no notebooks)   check notebooks/* and notebooks/solutions/*: ENFORCED ones and every
                   solution fail on findings, others are warnings
  --notebooks a,b  check these (paths, or prefixes such as 06 or solutions/06) strictly
  --report-only    list every finding and exit 0`;

/** The command line (returns the exit code). */
export async function main(args: string[]): Promise<number> {
  let reportOnly = false;
  const named: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      return 0;
    } else if (a === "--report-only") reportOnly = true;
    else if (a === "--notebooks" || a.startsWith("--notebooks=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
      if (!v) throw new Error("--notebooks needs a comma-separated list, e.g. --notebooks 00,06");
      named.push(...v.split(",").filter(Boolean));
    } else if (a.startsWith("--")) throw new Error(`unknown flag ${a}\n${HELP}`);
    else named.push(a);
  }
  const paths = named.length ? named.map(resolveNotebook) : listNotebooks();
  const results = await checkClaimFiles(paths);
  const strict = (p: string) =>
    !reportOnly && (named.length > 0 || isSolution(p) || ENFORCED.includes(basename(p)));
  let failed = 0;
  for (const [p, findings] of results) {
    if (strict(p) || reportOnly) { for (const f of findings) console.error(formatFinding(f)); }
    if (strict(p)) failed += findings.length;
    else if (reportOnly) console.error(`${basename(p)}: ${findings.length} finding(s)`);
    else if (findings.length) {
      console.error(
        `warning: ${basename(p)}: ${findings.length} unsupported number(s) in prose (not ` +
          `enforced yet; list them with: deno run -A tools/checks/check_claims.ts ${basename(p)})`,
      );
    }
  }
  if (failed) {
    console.error(`${failed} number(s) in notebook prose neither measured nor cited.`);
    return 1;
  }
  const enforced = paths.filter(strict).length;
  console.log(`claims: ${paths.length} notebook(s) read, ${enforced} enforced, clean.`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
