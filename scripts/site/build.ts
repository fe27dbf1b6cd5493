/**
 * Builds the static site: index.html (contents), one page per committed notebook, a source page
 * per project file the notebooks link to, and assets/ (stylesheet, page script, plotly.js, the
 * plots' PNGs). Nothing is executed; the notebooks' saved outputs are shown as they are.
 *
 * Links to project files (`../lib/backend/select.ts`) become pages that show the file
 * (`lib/backend/select.ts.html`) rather than copies of the file: a static server sends `.ts` as
 * video/mp2t (MPEG transport stream), which browsers download instead of showing.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join, normalize, relative } from "node:path";
import { escapeHtml } from "./markdown.ts";
import { type Notebook, type RenderedNotebook, renderNotebook } from "./notebook.ts";
import { page, SITE_JS, SITE_TITLE, STYLE_CSS } from "./layout.ts";

/** One notebook's page in the built site. */
export interface SitePage {
  /** The notebook's file name, e.g. `04_attention.ipynb`. */
  notebook: string;
  /** The page's path relative to the site root, e.g. `04_attention.html`. */
  file: string;
  title: string;
  /** How many plotly figures the page draws (each has a PNG fallback). */
  plotCount: number;
}

/** What was built. */
export interface SiteSummary {
  outDir: string;
  pages: SitePage[];
  /** Project files shown as source pages, relative to the project root. */
  sourceFiles: string[];
}

/** Where to read the project and write the site. */
export interface BuildOptions {
  /** The project root (holds notebooks/). */
  root: string;
  /** The folder to write; emptied first. */
  outDir: string;
}

/** Finds plotly.min.js of the `plotly.js-dist-min` package the project already imports. */
export function plotlyPath(root: string): string {
  try {
    return createRequire(join(root, "deno.json")).resolve("plotly.js-dist-min");
  } catch {
    throw new Error(
      "plotly.js-dist-min is not in node_modules: run `deno task setup` (or `deno install`) " +
        "in the project root, then build the site again.",
    );
  }
}

function isExternal(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("//");
}

/** Builds the site into `outDir` and says what it holds. */
export async function buildSite(options: BuildOptions): Promise<SiteSummary> {
  const { root, outDir } = options;
  const nbDir = join(root, "notebooks");
  const notebooks = [...Deno.readDirSync(nbDir)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name).sort();
  if (notebooks.length === 0) throw new Error(`No notebooks in ${nbDir}: nothing to build.`);

  await Deno.remove(outDir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(join(outDir, "assets"), { recursive: true });

  const sourceFiles = new Set<string>();
  const problems: string[] = [];
  const rendered: { name: string; nb: RenderedNotebook }[] = [];
  for (const name of notebooks) {
    const rewrite = (href: string): string => {
      if (isExternal(href) || href.startsWith("#")) return href;
      const [path, frag] = href.split(/(?=#)/);
      if (path.endsWith(".ipynb") && !path.includes("/")) {
        if (!notebooks.includes(path)) problems.push(`${name}: link to a missing notebook ${href}`);
        return path.replace(/\.ipynb$/, ".html") + (frag ?? "");
      }
      const target = normalize(join(nbDir, decodeURIComponent(path)));
      const rel = relative(root, target);
      let isFile = false;
      try {
        isFile = Deno.statSync(target).isFile;
      } catch { /* reported below */ }
      if (rel.startsWith("..") || !isFile) {
        problems.push(`${name}: link ${href} is not a file of the project`);
        return href;
      }
      sourceFiles.add(rel.split("\\").join("/"));
      return `${rel.split("\\").join("/")}.html${frag ?? ""}`;
    };
    const nb = JSON.parse(await Deno.readTextFile(join(nbDir, name))) as Notebook;
    rendered.push({ name, nb: renderNotebook(nb, name.replace(/\.ipynb$/, ""), rewrite) });
  }
  if (problems.length) {
    throw new Error(`The notebooks have broken links; fix them:\n  ${problems.join("\n  ")}`);
  }

  const pages: SitePage[] = rendered.map(({ name, nb }) => ({
    notebook: name,
    file: name.replace(/\.ipynb$/, ".html"),
    title: nb.title,
    plotCount: nb.plotCount,
  }));
  for (const [i, { nb }] of rendered.entries()) {
    for (const img of nb.images) {
      await Deno.mkdir(dirname(join(outDir, img.path)), { recursive: true });
      await Deno.writeFile(join(outDir, img.path), img.bytes);
    }
    const link = (p: SitePage | undefined) => p && { href: p.file, title: p.title };
    const html = page({
      title: `${nb.title} · ${SITE_TITLE}`,
      root: "",
      previous: link(pages[i - 1]),
      next: link(pages[i + 1]),
      plots: nb.plotCount > 0,
    }, `<article class="notebook">\n${nb.body}\n</article>`);
    await Deno.writeTextFile(join(outDir, pages[i].file), html);
  }

  await Deno.writeTextFile(join(outDir, "index.html"), indexPage(rendered, pages));
  for (const rel of [...sourceFiles].sort()) {
    const out = join(outDir, `${rel}.html`);
    await Deno.mkdir(dirname(out), { recursive: true });
    await Deno.writeTextFile(out, sourcePage(rel, await Deno.readTextFile(join(root, rel))));
  }
  await Deno.writeTextFile(join(outDir, "assets", "style.css"), STYLE_CSS);
  await Deno.writeTextFile(join(outDir, "assets", "site.js"), SITE_JS);
  await Deno.copyFile(plotlyPath(root), join(outDir, "assets", "plotly.min.js"));
  return { outDir, pages, sourceFiles: [...sourceFiles].sort() };
}

function indexPage(rendered: { nb: RenderedNotebook }[], pages: SitePage[]): string {
  const items = rendered.map(({ nb }, i) => {
    const sections = nb.headings.filter((h) => h.level === 2)
      .map((h) => `<li><a href="${pages[i].file}#${h.id}">${escapeHtml(h.text)}</a></li>`);
    return `<li><a href="${pages[i].file}">${escapeHtml(nb.title)}</a>` +
      (sections.length ? `\n<ul>${sections.join("")}</ul>` : "") + `</li>`;
  });
  const body = `<h1>${escapeHtml(SITE_TITLE)}</h1>
<p>The course's notebooks with the outputs of their committed runs. Plots are interactive
(plotly.js, served from this site); without JavaScript they show as pictures. Formulas are shown
as TeX.</p>
<h2 id="contents">Contents</h2>
<ul class="toc">
${items.join("\n")}
</ul>`;
  return page({ title: SITE_TITLE, root: "" }, body);
}

function sourcePage(rel: string, text: string): string {
  const depth = rel.split("/").length - 1;
  const root = "../".repeat(depth);
  const body = `<div class="source-page"><h1><code>${escapeHtml(rel)}</code></h1>
<p class="muted">The project file as it was when this site was built.</p>
<pre><code class="language-typescript">${escapeHtml(text)}</code></pre></div>`;
  return page({ title: `${rel} · ${SITE_TITLE}`, root }, body);
}
