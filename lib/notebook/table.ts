/**
 * The `text/plain` form of markdown: pipe tables with their columns lined up (front ends that
 * ignore `text/markdown`, such as an untrusted classic Notebook, show this), emphasis markers
 * and inline-code backticks removed.
 *
 * @module
 */

const ROW = /^\s*\|.*\|\s*$/;
const RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/; // GFM: one hyphen is enough (`:-:`)

function cells(line: string): string[] {
  // Split on pipes that are not escaped as \|, then drop the empty edges of | a | b |.
  const parts = line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/);
  return parts.map((c) => plainInline(c.trim().replace(/\\\|/g, "|")));
}

function plainInline(s: string): string {
  return s.replace(/\*\*(.+?)\*\*/g, "$1").replace(/(?<![\w*])\*(?!\s)(.+?)\*/g, "$1")
    .replace(/`([^`]*)`/g, "$1");
}

function alignRight(col: string[]): boolean {
  const body = col.filter((c) => c !== "");
  return body.length > 0 && body.every((c) => /^[-+~≈]?[\d.,]+\s*[%×xsmkKMGB/a-z]*$/.test(c));
}

function renderTable(lines: string[]): string[] {
  const rows = lines.filter((l) => !RULE.test(l)).map(cells);
  const n = Math.max(...rows.map((r) => r.length));
  const widths = Array.from(
    { length: n },
    (_, j) => Math.max(...rows.map((r) => [...(r[j] ?? "")].length)),
  );
  const right = Array.from(
    { length: n },
    (_, j) => alignRight(rows.slice(1).map((r) => r[j] ?? "")),
  );
  const fmt = (r: string[]) =>
    r.length === 0 ? "" : Array.from({ length: n }, (_, j) => {
      const c = r[j] ?? "", pad = " ".repeat(widths[j] - [...c].length);
      return right[j] ? pad + c : c + pad;
    }).join("  ").trimEnd();
  const out = [fmt(rows[0])];
  if (RULE.test(lines[1] ?? "")) out.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows.slice(1)) out.push(fmt(r));
  return out;
}

/**
 * Markdown as plain text: tables aligned in columns (numbers right-aligned), `**bold**`,
 * `*italic*` and backticks dropped; other lines kept.
 *
 * @example
 * ```ts
 * import { markdownToText } from "./table.ts";
 * console.log(markdownToText("| model | loss |\n|---|---|\n| **GPT** | 1.5 |\n| bigram | 2.48 |"));
 * // model   loss
 * // ------  ----
 * // GPT      1.5
 * // bigram  2.48
 * ```
 */
export function markdownToText(md: string): string {
  const lines = md.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    if (ROW.test(lines[i]) && RULE.test(lines[i + 1] ?? "")) {
      let j = i + 2;
      while (j < lines.length && ROW.test(lines[j])) j++;
      out.push(...renderTable(lines.slice(i, j)));
      i = j;
    } else {
      out.push(plainInline(lines[i]));
      i++;
    }
  }
  return out.join("\n");
}
