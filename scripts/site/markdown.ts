/**
 * A small Markdown-to-HTML renderer for the notebooks' prose: ATX headings (with anchors),
 * paragraphs, bullet and ordered lists (nested by indentation), GitHub tables, fenced code,
 * block quotes, rules, and inline code, emphasis, links, images and math.
 *
 * Why not `marked`: adding an npm package means installing it into node_modules, which this
 * checkout shares; the notebooks use only the subset above. Math stays TeX, shown in a styled
 * span (KaTeX would need its package, CSS and fonts copied in).
 *
 * @module
 */

/** A heading met while rendering: its level (1 to 6), its plain text and its anchor id. */
export interface Heading {
  level: number;
  text: string;
  id: string;
}

/** How links are rewritten and headings recorded while rendering. */
export interface MarkdownOptions {
  /** Maps a link or image target as written to the one the page should use. */
  rewriteLink?: (href: string) => string;
  /** Hands out unique anchor ids; share one per page so that ids never repeat. */
  slugger?: Slugger;
  /** Called for every heading, in document order. */
  onHeading?: (heading: Heading) => void;
}

/** Hands out anchor ids from heading text, unique within one page. */
export class Slugger {
  #seen = new Map<string, number>();

  /**
   * The id for `text`: lower case, letters, digits and dashes; `-2`, `-3` on repeats.
   *
   * @example
   * ```ts
   * import { Slugger } from "./markdown.ts";
   * const s = new Slugger();
   * console.assert(s.slug("1 · A literal translator") === "1-a-literal-translator");
   * console.assert(s.slug("Exercises") === "exercises" && s.slug("Exercises") === "exercises-2");
   * ```
   */
  slug(text: string): string {
    const base = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "") || "section";
    const n = (this.#seen.get(base) ?? 0) + 1;
    this.#seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  }
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./markdown.ts";
 * console.assert(escapeHtml(`a<b & "c"`) === "a&lt;b &amp; &quot;c&quot;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * The TeX of a formula kept visible in a styled span (the site has no math renderer).
 *
 * @example
 * ```ts
 * import { mathSpan } from "./markdown.ts";
 * console.assert(mathSpan("x^2", false) === '<span class="math inline">x^2</span>');
 * ```
 */
export function mathSpan(tex: string, display: boolean): string {
  return `<span class="math ${display ? "display" : "inline"}">${escapeHtml(tex.trim())}</span>`;
}

/**
 * Renders Markdown to HTML.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * const html = renderMarkdown("## Hi *there*\n\n- see [04](04_attention.ipynb)\n- `a<b`", {
 *   rewriteLink: (h) => h.replace(/\.ipynb$/, ".html"),
 * });
 * console.assert(html.includes('<h2 id="hi-there">'));
 * console.assert(html.includes('<a href="04_attention.html">04</a>'));
 * console.assert(html.includes("<code>a&lt;b</code>"));
 * ```
 */
export function renderMarkdown(source: string, options: MarkdownOptions = {}): string {
  const ctx: Ctx = {
    rewrite: options.rewriteLink ?? ((h) => h),
    slugger: options.slugger ?? new Slugger(),
    onHeading: options.onHeading ?? (() => {}),
  };
  return blocks(source.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n"), ctx);
}

interface Ctx {
  rewrite: (href: string) => string;
  slugger: Slugger;
  onHeading: (heading: Heading) => void;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}((\*\s*){3,}|(-\s*){3,}|(_\s*){3,})$/;
const LIST_ITEM = /^( *)([*+-]|\d{1,9}[.)])( +)(.*)$/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;

function isBlank(line: string): boolean {
  return line.trim() === "";
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i];
  if (FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line)) return true;
  const item = LIST_ITEM.exec(line);
  // An ordered list interrupts a paragraph only when it starts at 1 (as in CommonMark), so a
  // wrapped line that happens to begin "2019." stays prose.
  if (item && item[4] !== "" && (!/^\d/.test(item[2]) || /^1[.)]$/.test(item[2]))) return true;
  return isTableStart(lines, i);
}

function isTableStart(lines: string[], i: number): boolean {
  return lines[i].includes("|") && i + 1 < lines.length && lines[i + 1].includes("-") &&
    TABLE_DELIMITER.test(lines[i + 1]);
}

function blocks(lines: string[], ctx: Ctx): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      const cls = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${cls}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push(headingHtml(heading[1].length, heading[2], ctx));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const q = QUOTE.exec(lines[i]);
        body.push(q ? q[1] : lines[i]);
        i++;
      }
      out.push(`<blockquote>${blocks(body, ctx)}</blockquote>`);
      continue;
    }
    if (isTableStart(lines, i)) {
      i = table(lines, i, ctx, out);
      continue;
    }
    if (LIST_ITEM.test(line) && LIST_ITEM.exec(line)![4] !== "") {
      i = list(lines, i, ctx, out);
      continue;
    }
    const para: string[] = [line];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines, i)) para.push(lines[i++]);
    out.push(`<p>${inline(para.map((l) => l.trim()).join("\n"), ctx)}</p>`);
  }
  return out.join("\n");
}

function headingHtml(level: number, raw: string, ctx: Ctx): string {
  const html = inline(raw, ctx);
  const text = html.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"').replace(/&amp;/g, "&");
  const id = ctx.slugger.slug(text);
  ctx.onHeading({ level, text, id });
  return `<h${level} id="${id}">${html} <a class="anchor" href="#${id}" ` +
    `aria-label="Link to this section">#</a></h${level}>`;
}

/** Splits a table row on its unescaped pipes, outside code spans. */
function tableCells(row: string): string[] {
  let s = row.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = "";
  let inCode = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === "\\" && s[k + 1] === "|") {
      cur += "|";
      k++;
    } else if (c === "`") {
      inCode = !inCode;
      cur += c;
    } else if (c === "|" && !inCode) {
      cells.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

function table(lines: string[], i: number, ctx: Ctx, out: string[]): number {
  const head = tableCells(lines[i]);
  const aligns = tableCells(lines[i + 1]).map((d) =>
    d.startsWith(":") && d.endsWith(":")
      ? "center"
      : d.endsWith(":")
      ? "right"
      : d.startsWith(":")
      ? "left"
      : ""
  );
  const cell = (tag: string, text: string, k: number) =>
    `<${tag}${aligns[k] ? ` style="text-align:${aligns[k]}"` : ""}>${inline(text, ctx)}</${tag}>`;
  const rows: string[] = [];
  i += 2;
  while (i < lines.length && !isBlank(lines[i]) && lines[i].includes("|")) {
    const cells = tableCells(lines[i++]);
    rows.push(`<tr>${head.map((_, k) => cell("td", cells[k] ?? "", k)).join("")}</tr>`);
  }
  out.push(
    `<div class="table-wrap"><table><thead><tr>${
      head.map((h, k) => cell("th", h, k)).join("")
    }</tr></thead><tbody>${rows.join("")}</tbody></table></div>`,
  );
  return i;
}

function list(lines: string[], i: number, ctx: Ctx, out: string[]): number {
  const first = LIST_ITEM.exec(lines[i])!;
  const indent = first[1].length;
  const ordered = /^\d/.test(first[2]);
  const start = ordered ? parseInt(first[2]) : 1;
  const items: string[][] = [];
  let loose = false;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /^\d/.test(m[2]) !== ordered) break;
    const contentIndent = m[1].length + m[2].length + Math.min(m[3].length, 4);
    const body = [m[4]];
    i++;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        // A blank line ends the item unless an indented line follows it.
        let j = i;
        while (j < lines.length && isBlank(lines[j])) j++;
        if (j < lines.length && lines[j].search(/\S/) >= contentIndent) {
          loose = true;
          for (; i < j; i++) body.push("");
          continue;
        }
        if (j < lines.length && LIST_ITEM.exec(lines[j])?.[1].length === indent) loose = true;
        i = j;
        break;
      }
      const lead = line.search(/\S/);
      if (lead >= contentIndent) body.push(line.slice(contentIndent));
      else if (LIST_ITEM.test(line) || startsBlock(lines, i)) break;
      else body.push(line.trim()); // a lazy continuation line
      i++;
    }
    items.push(body);
    if (i < lines.length && isBlank(lines[i])) break;
  }
  const tag = ordered ? "ol" : "ul";
  const startAttr = ordered && start !== 1 ? ` start="${start}"` : "";
  const lis = items.map((body) => {
    let html = blocks(body, ctx);
    // A tight list shows its items without paragraph spacing.
    if (!loose) html = html.replace(/^<p>([\s\S]*?)<\/p>/, "$1");
    return `<li>${html}</li>`;
  });
  out.push(`<${tag}${startAttr}>\n${lis.join("\n")}\n</${tag}>`);
  return i;
}

/** Inline Markdown: code spans, math, links, images, autolinks, emphasis, escapes. */
function inline(text: string, ctx: Ctx): string {
  // Finished pieces wait behind private-use placeholders, out of reach of later rules.
  const held: string[] = [];
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE000`;
  let s = text;
  // Code spans first: nothing inside them is Markdown, not even a backslash.
  s = s.replace(/(?<!\\)(`+)([\s\S]*?[^`])\1(?!`)/g, (_, _t, code) => {
    const trimmed = /^ .* $/.test(code) ? code.slice(1, -1) : code;
    return hold(`<code>${escapeHtml(trimmed.replace(/\n/g, " "))}</code>`);
  });
  // Math next, before backslash escapes, so that TeX keeps its `\\` and `\{` (as Jupyter does);
  // an escaped `\$` opens nothing.
  s = s.replace(/(?<!\\)\$\$([\s\S]+?)\$\$/g, (_, tex) => hold(mathSpan(tex, true)));
  // Inline math: `$` hugging its formula on both sides, not followed by a digit (a price).
  s = s.replace(
    /(?<![\\$])\$(?=\S)([^$\n]*?[^\s\\])\$(?!\d)/g,
    (_, tex) => hold(mathSpan(tex, false)),
  );
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!|$<>~])/g, (_, c) => hold(escapeHtml(c)));
  s = s.replace(/<(https?:\/\/[^\s<>]+)>/g, (_, url) => {
    const href = escapeHtml(ctx.rewrite(url));
    return hold(`<a href="${href}">${escapeHtml(url)}</a>`);
  });
  s = escapeHtml(s);
  s = s.replace(
    /!\[([^\]]*)\]\(([^)\s]+)(?:\s+&quot;([^"]*?)&quot;)?\)/g,
    (_, alt, src, title) =>
      hold(
        `<img src="${escapeHtml(ctx.rewrite(unescapeAttr(src)))}" alt="${alt}"${
          title ? ` title="${title}"` : ""
        }>`,
      ),
  );
  s = s.replace(
    /\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)(?:\s+&quot;([^"]*?)&quot;)?\)/g,
    (_, label, href, title) =>
      hold(
        `<a href="${escapeHtml(ctx.rewrite(unescapeAttr(href)))}"${
          title ? ` title="${title}"` : ""
        }>${emphasis(label)}</a>`,
      ),
  );
  s = emphasis(s);
  s = s.replace(/ {2,}\n/g, "<br>\n");
  // Restore held pieces; a held piece may itself hold others (a code span in a link label).
  while (/\uE000\d+\uE000/.test(s)) s = s.replace(/\uE000(\d+)\uE000/g, (_, n) => held[+n]);
  return s;
}

function unescapeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function emphasis(s: string): string {
  return s
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, "$1<strong>$2</strong>")
    .replace(/\*(?=[^\s*])([^*]*?[^\s*])\*/g, "<em>$1</em>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, "$1<em>$2</em>");
}
