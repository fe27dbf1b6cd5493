/**
 * One committed notebook as the body of a web page: markdown cells as HTML, code cells with
 * their source and their saved outputs (never executed here).
 *
 * Output bundles show their richest form the page can draw: a plotly figure (drawn by the local
 * plotly.js, its PNG inside `<noscript>` and used when plotly fails), HTML, Markdown, LaTeX (as
 * TeX), a PNG, then plain text.
 *
 * @module
 */
import { escapeHtml, type Heading, mathSpan, renderMarkdown, Slugger } from "./markdown.ts";

/** The parts of an .ipynb file the site reads. */
export interface Notebook {
  cells: Cell[];
}

/** A notebook cell as nbformat 4 stores it. */
export interface Cell {
  cell_type: "markdown" | "code" | "raw";
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

/** A saved output of a code cell. */
export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** A picture the page refers to by file name: the caller writes it under the site. */
export interface PageImage {
  /** Path relative to the site root, e.g. `assets/img/04_attention/3.png`. */
  path: string;
  bytes: Uint8Array;
}

/** A notebook rendered: its title, headings, page body and the pictures it uses. */
export interface RenderedNotebook {
  /** The text of the first heading. */
  title: string;
  /** Every heading of the markdown cells, in order (outputs' headings are not listed). */
  headings: Heading[];
  body: string;
  images: PageImage[];
  /** How many plotly figures the page draws. */
  plotCount: number;
}

/** The plotly MIME type that lib/notebook/plot.ts writes. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Joins nbformat's multiline strings (a string or a list of lines). */
export function joinSource(s: string | string[] | undefined): string {
  return Array.isArray(s) ? s.join("") : s ?? "";
}

/**
 * Terminal text as a page shows it: ANSI colour codes removed and each `\r` overwriting its
 * line, as a progress bar looks when it is done.
 *
 * @example
 * ```ts
 * import { terminalText } from "./notebook.ts";
 * console.assert(terminalText("10%\r100%\n\u001b[31mred\u001b[0m") === "100%\nred");
 * ```
 */
export function terminalText(text: string): string {
  // ANSI colour codes begin with the ESC control character, which is what this must match.
  // deno-lint-ignore no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").split("\n")
    .map((line) => line.split("\r").filter((part) => part !== "").at(-1) ?? "").join("\n");
}

/**
 * Renders a notebook. `stem` is its file name without `.ipynb` (it names the picture folder);
 * `rewriteLink` maps a link target in its Markdown to the page's; `root` is the path from the
 * page to the site root ("" at the top, "../" for a page in a folder), which the pictures'
 * `src` begins with.
 */
export function renderNotebook(
  nb: Notebook,
  stem: string,
  rewriteLink: (href: string) => string,
  root = "",
): RenderedNotebook {
  const slugger = new Slugger();
  const headings: Heading[] = [];
  const images: PageImage[] = [];
  let plotCount = 0;
  const md = (text: string, record: boolean) =>
    renderMarkdown(text, {
      rewriteLink,
      slugger,
      onHeading: record ? (h) => headings.push(h) : undefined,
    });
  const png = (data: unknown, alt: string, cls = "") => {
    const path = `assets/img/${stem}/${images.length + 1}.png`;
    images.push({ path, bytes: decodeBase64(joinSource(data as string | string[])) });
    return `<img${cls ? ` class="${cls}"` : ""} src="${root}${path}" alt="${escapeHtml(alt)}">`;
  };

  const output = (o: Output): string => {
    if (o.output_type === "stream") {
      const cls = o.name === "stderr" ? "stream stderr" : "stream";
      return `<pre class="${cls}">${escapeHtml(terminalText(joinSource(o.text)))}</pre>`;
    }
    if (o.output_type === "error") {
      const tb = (o.traceback ?? []).join("\n") || `${o.ename}: ${o.evalue}`;
      return `<pre class="error">${escapeHtml(terminalText(tb))}</pre>`;
    }
    const data = o.data ?? {};
    const plain = joinSource(data["text/plain"] as string | string[]);
    if (data[PLOTLY_MIME]) {
      plotCount++;
      // `<` escaped so that no string in the figure can close the script element.
      const json = JSON.stringify(data[PLOTLY_MIME]).replace(/</g, "\\u003c");
      const fallback = data["image/png"]
        ? png(data["image/png"], plain.split("\n")[0] || "plot", "plot-png")
        : `<pre>${escapeHtml(plain)}</pre>`;
      return `<figure class="plotly-output"><div class="plotly-target"></div>` +
        `<script type="application/json" class="plotly-figure">${json}</script>` +
        `<noscript>${fallback}</noscript></figure>`;
    }
    if (data["text/html"]) {
      return `<div class="html">${joinSource(data["text/html"] as string)}</div>`;
    }
    if (data["text/markdown"]) {
      return `<div class="markdown">${
        md(joinSource(data["text/markdown"] as string), false)
      }</div>`;
    }
    if (data["text/latex"]) {
      const tex = joinSource(data["text/latex"] as string).trim().replace(/^\$\$?|\$\$?$/g, "");
      return `<div class="latex">${mathSpan(tex, true)}</div>`;
    }
    if (data["image/png"]) return png(data["image/png"], plain || "image");
    if (data["text/plain"] !== undefined) return `<pre class="plain">${escapeHtml(plain)}</pre>`;
    return "";
  };

  const parts: string[] = [];
  for (const cell of nb.cells) {
    const source = joinSource(cell.source);
    if (cell.cell_type === "markdown") {
      parts.push(`<section class="cell markdown">${md(source, true)}</section>`);
    } else if (cell.cell_type === "code") {
      const count = cell.execution_count ?? " ";
      const outs = (cell.outputs ?? []).map(output).filter((h) => h !== "");
      parts.push(
        `<section class="cell code"><div class="prompt">[${count}]</div>` +
          `<pre class="source"><code class="language-typescript">${
            escapeHtml(source)
          }</code></pre>` +
          (outs.length ? `<div class="outputs">${outs.join("\n")}</div>` : "") + `</section>`,
      );
    } else {
      parts.push(`<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`);
    }
  }
  const title = headings[0]?.text ?? stem;
  return { title, headings, body: parts.join("\n"), images, plotCount };
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64.replace(/\s+/g, ""));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
