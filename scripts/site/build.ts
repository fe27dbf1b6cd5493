/**
 * Builds the static site: index.html (contents), one page per committed notebook (the worked
 * solutions of notebooks/solutions/ go to solutions/), a source page per project file the
 * notebooks link to, and assets/ (stylesheet, page script, plotly.js, the plots' PNGs). Nothing
 * is executed; the notebooks' saved outputs are shown as they are.
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
  /** The notebook's path under notebooks/: `04_attention.ipynb`, `solutions/04_solutions.ipynb`. */
  notebook: string;
  /** The page's path relative to the site root, e.g. `04_attention.html`. */
  file: string;
  title: string;
  /** How many plotly figures the page draws (each has a PNG fallback). */
  plotCount: number;
  /** On a course page: the page of its worked solutions, when there are some. */
  solution?: string;
  /** On a solutions page: the course page whose exercises it answers, when there is one. */
  answers?: string;
}

/** What was built. */
export interface SiteSummary {
  outDir: string;
  /** The course notebooks' pages, in course order. */
  pages: SitePage[];
  /** The worked solutions' pages (`solutions/NN_solutions.html`), sorted by name. */
  solutions: SitePage[];
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

/** The folder under notebooks/ (and under the site) that holds the worked solutions. */
const SOLUTIONS_DIR = "solutions";

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

function ipynbIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * The course notebook a worked solution answers: `04_solutions.ipynb` answers the notebook whose
 * name begins with `04_`; undefined when there is none.
 *
 * @example
 * ```ts
 * import { answeredNotebook } from "./build.ts";
 * const course = ["00_setup.ipynb", "04_attention.ipynb"];
 * console.assert(answeredNotebook("04_solutions.ipynb", course) === "04_attention.ipynb");
 * console.assert(answeredNotebook("09_solutions.ipynb", course) === undefined);
 * ```
 */
export function answeredNotebook(solution: string, course: string[]): string | undefined {
  const prefix = solution.split("_")[0];
  return course.find((n) => n.startsWith(`${prefix}_`));
}

/** Builds the site into `outDir` and says what it holds. */
export async function buildSite(options: BuildOptions): Promise<SiteSummary> {
  const { root, outDir } = options;
  const nbDir = join(root, "notebooks");
  const notebooks = ipynbIn(nbDir);
  if (notebooks.length === 0) throw new Error(`No notebooks in ${nbDir}: nothing to build.`);
  const solutions = ipynbIn(join(nbDir, SOLUTIONS_DIR)).map((n) => `${SOLUTIONS_DIR}/${n}`);
  const known = new Set([...notebooks, ...solutions]);

  await Deno.remove(outDir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(join(outDir, "assets"), { recursive: true });

  const sourceFiles = new Set<string>();
  const problems: string[] = [];
  const rendered: { name: string; nb: RenderedNotebook }[] = [];
  for (const name of [...notebooks, ...solutions]) {
    // A page sits where its notebook sits under notebooks/, so `../` from solutions/ to the root.
    const folder = dirname(name) === "." ? "" : dirname(name);
    const pageRoot = folder ? "../".repeat(folder.split("/").length) : "";
    const rewrite = (href: string): string => {
      if (isExternal(href) || href.startsWith("#")) return href;
      const [path, frag] = href.split(/(?=#)/);
      const target = normalize(join(nbDir, folder, decodeURIComponent(path)));
      if (path.endsWith(".ipynb")) {
        const rel = relative(nbDir, target).split("\\").join("/");
        if (!known.has(rel)) {
          problems.push(`${name}: link to a missing notebook ${href}`);
          return href;
        }
        return pageRoot + rel.replace(/\.ipynb$/, ".html") + (frag ?? "");
      }
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
      return `${pageRoot}${rel.split("\\").join("/")}.html${frag ?? ""}`;
    };
    const nb = JSON.parse(await Deno.readTextFile(join(nbDir, name))) as Notebook;
    rendered.push({
      name,
      nb: renderNotebook(nb, name.replace(/\.ipynb$/, ""), rewrite, pageRoot),
    });
  }
  if (problems.length) {
    throw new Error(`The notebooks have broken links; fix them:\n  ${problems.join("\n  ")}`);
  }

  const htmlOf = (name: string) => name.replace(/\.ipynb$/, ".html");
  const all: SitePage[] = rendered.map(({ name, nb }) => ({
    notebook: name,
    file: htmlOf(name),
    title: nb.title,
    plotCount: nb.plotCount,
  }));
  const pages = all.slice(0, notebooks.length);
  const solutionPages = all.slice(notebooks.length);
  for (const s of solutionPages) {
    const course = answeredNotebook(s.notebook.slice(SOLUTIONS_DIR.length + 1), notebooks);
    const answered = pages.find((p) => p.notebook === course);
    if (answered) {
      s.answers = answered.file;
      answered.solution ??= s.file;
    }
  }
  for (const [i, { nb }] of rendered.entries()) {
    for (const img of nb.images) {
      await Deno.mkdir(dirname(join(outDir, img.path)), { recursive: true });
      await Deno.writeFile(join(outDir, img.path), img.bytes);
    }
    const p = all[i];
    const pageRoot = "../".repeat(p.file.split("/").length - 1);
    const link = (q: SitePage | undefined) => q && { href: pageRoot + q.file, title: q.title };
    // Previous and next walk the course; a solutions page leads back to the notebook it answers.
    const course = i < pages.length;
    const html = page({
      title: `${nb.title} · ${SITE_TITLE}`,
      root: pageRoot,
      previous: course ? link(pages[i - 1]) : link(pages.find((q) => q.file === p.answers)),
      next: course ? link(pages[i + 1]) : undefined,
      plots: nb.plotCount > 0,
    }, `<article class="notebook">\n${nb.body}\n</article>`);
    await Deno.mkdir(dirname(join(outDir, p.file)), { recursive: true });
    await Deno.writeTextFile(join(outDir, p.file), html);
  }

  await Deno.writeTextFile(
    join(outDir, "index.html"),
    indexPage(rendered.slice(0, notebooks.length), pages, solutionPages),
  );
  for (const rel of [...sourceFiles].sort()) {
    const out = join(outDir, `${rel}.html`);
    await Deno.mkdir(dirname(out), { recursive: true });
    await Deno.writeTextFile(out, sourcePage(rel, await Deno.readTextFile(join(root, rel))));
  }
  await Deno.writeTextFile(join(outDir, "assets", "style.css"), STYLE_CSS);
  await Deno.writeTextFile(join(outDir, "assets", "site.js"), SITE_JS);
  await Deno.copyFile(plotlyPath(root), join(outDir, "assets", "plotly.min.js"));
  return { outDir, pages, solutions: solutionPages, sourceFiles: [...sourceFiles].sort() };
}

function indexPage(
  rendered: { nb: RenderedNotebook }[],
  pages: SitePage[],
  solutions: SitePage[],
): string {
  const items = rendered.map(({ nb }, i) => {
    const sections = nb.headings.filter((h) => h.level === 2)
      .map((h) => `<li><a href="${pages[i].file}#${h.id}">${escapeHtml(h.text)}</a></li>`);
    const solution = pages[i].solution
      ? ` <span class="muted">·</span> <a class="solutions" href="${pages[i].solution}">` +
        `worked solutions</a>`
      : "";
    return `<li><a href="${pages[i].file}">${escapeHtml(nb.title)}</a>${solution}` +
      (sections.length ? `\n<ul>${sections.join("")}</ul>` : "") + `</li>`;
  });
  const solutionItems = solutions.map((s) =>
    `<li><a href="${s.file}">${escapeHtml(s.title)}</a></li>`
  );
  const solutionSection = solutions.length
    ? `
<h2 id="worked-solutions">Worked solutions</h2>
<p>The exercises at the end of each notebook, answered and run in full.</p>
<ul class="solutions">
${solutionItems.join("\n")}
</ul>`
    : "";
  const body = `<h1>${escapeHtml(SITE_TITLE)}</h1>
<p>The course's notebooks with the outputs of their committed runs. Plots are interactive
(plotly.js, served from this site); without JavaScript they show as pictures. Formulas are shown
as TeX.</p>
<h2 id="contents">Contents</h2>
<ul class="toc">
${items.join("\n")}
</ul>${solutionSection}`;
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
