/**
 * The static site (`deno task site`): built into a temporary folder from the committed
 * notebooks and checked as files. The browser checks are `deno task test:site`.
 */
import { assert, assertEquals } from "@std/assert";
import { dirname, join, normalize, relative } from "node:path";
import { ROOT } from "../scripts/jupyter.ts";
import { buildSite, plotlyPath, type SiteSummary } from "../scripts/site/build.ts";
import { renderMarkdown } from "../scripts/site/markdown.ts";
import { PLOTLY_MIME, terminalText } from "../scripts/site/notebook.ts";

const NOTEBOOKS = [...Deno.readDirSync(join(ROOT, "notebooks"))]
  .map((e) => e.name).filter((n) => n.endsWith(".ipynb")).sort();
/** The worked solutions, as paths under notebooks/ (`solutions/00_solutions.ipynb`). */
const SOLUTIONS = (() => {
  try {
    return [...Deno.readDirSync(join(ROOT, "notebooks", "solutions"))]
      .map((e) => `solutions/${e.name}`).filter((n) => n.endsWith(".ipynb")).sort();
  } catch {
    return [];
  }
})();

let built: { dir: string; site: SiteSummary } | undefined;
async function site() {
  if (!built) {
    const dir = Deno.makeTempDirSync({ prefix: "llm-site-test-" });
    built = { dir, site: await buildSite({ root: ROOT, outDir: dir }) };
  }
  return built;
}

function htmlFiles(dir: string, under = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(join(dir, under))) {
    const rel = under ? `${under}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...htmlFiles(dir, rel));
    else if (e.name.endsWith(".html")) out.push(rel);
  }
  return out;
}

/** The values of href= and src= attributes, outside the plots' JSON. */
function references(html: string): string[] {
  const markup = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/g, "")
    .replace(/<pre[\s\S]*?<\/pre>/g, "");
  return [...markup.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));
}

function ids(html: string): Set<string> {
  return new Set([...html.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]));
}

Deno.test("site: every notebook has a page titled by its first heading, linked from the index", async () => {
  const { dir, site: s } = await site();
  assertEquals(s.pages.map((p) => p.notebook), NOTEBOOKS);
  const index = Deno.readTextFileSync(join(dir, "index.html"));
  for (const p of s.pages) {
    const nb = JSON.parse(Deno.readTextFileSync(join(ROOT, "notebooks", p.notebook)));
    const firstMd = nb.cells.find((c: { cell_type: string }) => c.cell_type === "markdown");
    const heading = [].concat(firstMd.source).join("").match(/^#+\s+(.*)$/m)![1];
    assertEquals(p.title, heading.trim());
    const html = Deno.readTextFileSync(join(dir, p.file));
    assert(html.includes(`<title>${p.title.replace(/&/g, "&amp;")} ·`), `${p.file}: <title>`);
    assert(index.includes(`href="${p.file}"`), `index links ${p.file}`);
  }
  // Sections: the index lists each notebook's second-level headings with their anchors.
  assert(/href="01_llms_from_dummies\.html#1-a-literal-translator"/.test(index));
});

Deno.test("site: pages link to their neighbours and every internal link resolves", async () => {
  const { dir, site: s } = await site();
  for (const [i, p] of s.pages.entries()) {
    const html = Deno.readTextFileSync(join(dir, p.file));
    if (i > 0) assert(html.includes(`rel="prev" class="prev" href="${s.pages[i - 1].file}"`));
    if (i + 1 < s.pages.length) {
      assert(html.includes(`rel="next" class="next" href="${s.pages[i + 1].file}"`), p.file);
    }
    assert(!/href="[^"]*\.ipynb/.test(html), `${p.file} still links an .ipynb`);
    assert(!/href="\.\.\/lib\//.test(html), `${p.file} still links ../lib/`);
  }
  const files = htmlFiles(dir);
  let checked = 0;
  for (const file of files) {
    const html = Deno.readTextFileSync(join(dir, file));
    for (const ref of references(html)) {
      if (/^[a-z]+:/i.test(ref)) {
        assert(/^(https?|mailto|data):/.test(ref), `${file}: odd link ${ref}`);
        continue;
      }
      const [path, frag] = ref.split("#");
      const target = path === "" ? join(dir, file) : normalize(join(dir, dirname(file), path));
      assert(!relative(dir, target).startsWith(".."), `${file}: ${ref} leaves the site`);
      let isFile = false;
      try {
        isFile = Deno.statSync(target).isFile;
      } catch { /* asserted below */ }
      assert(isFile, `${file}: ${ref} does not resolve to a file of the site`);
      if (frag) {
        assert(ids(Deno.readTextFileSync(target)).has(frag), `${file}: no #${frag} in ${path}`);
      }
      checked++;
    }
  }
  assert(checked > 500, `only ${checked} internal links checked`);
  // Links to the library become its source pages.
  assert(s.sourceFiles.includes("lib/backend/select.ts"));
  const src = Deno.readTextFileSync(join(dir, "lib/backend/select.ts.html"));
  assert(src.includes("export function"), "the source page shows the file");
});

Deno.test("site: plots are drawn by a local plotly.js, with their PNG inside <noscript>", async () => {
  const { dir, site: s } = await site();
  const local = Deno.statSync(join(dir, "assets", "plotly.min.js")).size;
  assertEquals(local, Deno.statSync(plotlyPath(ROOT)).size);
  for (const p of [...s.pages, ...s.solutions]) {
    const nb = JSON.parse(Deno.readTextFileSync(join(ROOT, "notebooks", p.notebook)));
    const root = "../".repeat(p.file.split("/").length - 1);
    let expected = 0;
    for (const c of nb.cells) {
      for (const o of c.outputs ?? []) if (o.data?.[PLOTLY_MIME]) expected++;
    }
    const html = Deno.readTextFileSync(join(dir, p.file));
    const figures = html.match(/<figure class="plotly-output">[\s\S]*?<\/figure>/g) ?? [];
    assertEquals(figures.length, expected, `${p.file}: plotly figures`);
    assertEquals(p.plotCount, expected);
    for (const f of figures) {
      assert(f.includes(`<noscript><img class="plot-png" src="${root}assets/img/`), p.file);
      JSON.parse(
        f.match(/<script type="application\/json" class="plotly-figure">([\s\S]*?)<\/script>/)![1],
      );
    }
    if (expected) {
      assert(html.includes(`<script src="${root}assets/plotly.min.js" defer></script>`));
    }
    // Nothing is fetched from elsewhere: no remote script, stylesheet, image or font.
    const markup = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/g, "");
    assert(!/<(script|img|link|iframe)\b[^>]*\b(src|href)="(https?:)?\/\//.test(markup), p.file);
    assert(!/@import|url\(\s*["']?(https?:)?\/\//.test(markup), p.file);
  }
  const css = Deno.readTextFileSync(join(dir, "assets", "style.css"));
  assert(!/url\(|@import|@font-face/.test(css), "the stylesheet loads nothing");
});

Deno.test("site: each worked solution has a page under solutions/, linked both ways", async () => {
  const { dir, site: s } = await site();
  assertEquals(s.solutions.map((p) => p.notebook), SOLUTIONS);
  const index = Deno.readTextFileSync(join(dir, "index.html"));
  if (SOLUTIONS.length) assert(index.includes('<h2 id="worked-solutions">'), "index section");
  for (const sol of s.solutions) {
    assertEquals(sol.file, sol.notebook.replace(/\.ipynb$/, ".html"));
    assert(index.includes(`href="${sol.file}"`), `index links ${sol.file}`);
    const html = Deno.readTextFileSync(join(dir, sol.file));
    assert(html.includes('<link rel="stylesheet" href="../assets/style.css">'), sol.file);
    assert(!/href="[^"]*\.ipynb/.test(html), `${sol.file} still links an .ipynb`);
    assert(!/href="(\.\.\/)*lib\/[^"]*\.ts"/.test(html), `${sol.file} links a raw .ts file`);
    // It answers the course notebook with its number, and leads back to it (not to a neighbour).
    const course = s.pages.find((p) =>
      p.notebook.startsWith(sol.notebook.split("/")[1].slice(0, 3))
    );
    if (!course) continue;
    assertEquals(sol.answers, course.file);
    assertEquals(course.solution, sol.file);
    assert(html.includes(`rel="prev" class="prev" href="../${course.file}"`), sol.file);
    assert(!html.includes('rel="next"'), `${sol.file}: the course's next link is for its pages`);
    const coursePage = Deno.readTextFileSync(join(dir, course.file));
    assert(coursePage.includes(`href="${sol.file}"`), `${course.file} links ${sol.file}`);
  }
});

Deno.test("site: a solution's links to its notebook, the library and pictures resolve from solutions/", async () => {
  const root = Deno.makeTempDirSync({ prefix: "llm-site-sol-" });
  Deno.mkdirSync(join(root, "notebooks", "solutions"), { recursive: true });
  Deno.mkdirSync(join(root, "lib"));
  Deno.writeTextFileSync(join(root, "lib", "x.ts"), "export const x = 1;\n");
  Deno.writeTextFileSync(join(root, "deno.json"), "{}");
  const nb = (cells: unknown[]) => JSON.stringify({ cells });
  Deno.writeTextFileSync(
    join(root, "notebooks", "01_a.ipynb"),
    nb([{ cell_type: "markdown", source: "# A\n\n[Solutions](solutions/01_solutions.ipynb)" }]),
  );
  Deno.writeTextFileSync(
    join(root, "notebooks", "02_b.ipynb"),
    nb([{ cell_type: "markdown", source: "# B" }]),
  );
  // A one-pixel PNG, as an output of the solution's code cell.
  const pixel =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  Deno.writeTextFileSync(
    join(root, "notebooks", "solutions", "01_solutions.ipynb"),
    nb([
      {
        cell_type: "markdown",
        source:
          "# Solutions to A\n\n[A](../01_a.ipynb#a), [x](../../lib/x.ts), [me](01_solutions.ipynb)",
      },
      {
        cell_type: "code",
        source: "1",
        outputs: [{ output_type: "display_data", data: { "image/png": pixel } }],
      },
    ]),
  );
  // A solution with no course notebook of its number still gets a page.
  Deno.writeTextFileSync(
    join(root, "notebooks", "solutions", "09_solutions.ipynb"),
    nb([{ cell_type: "markdown", source: "# Solutions to nine" }]),
  );
  const out = join(root, "site");
  try {
    // plotly.js is copied from the project's node_modules; the temporary root has none.
    Deno.symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
    const s = await buildSite({ root, outDir: out });
    assertEquals(s.pages.map((p) => p.file), ["01_a.html", "02_b.html"]);
    assertEquals(s.solutions.map((p) => p.file), [
      "solutions/01_solutions.html",
      "solutions/09_solutions.html",
    ]);
    const sol = Deno.readTextFileSync(join(out, "solutions", "01_solutions.html"));
    assert(sol.includes('<a href="../01_a.html#a">A</a>'), sol);
    assert(sol.includes('<a href="../lib/x.ts.html">x</a>'), sol);
    assert(sol.includes('<a href="../solutions/01_solutions.html">me</a>'), sol);
    assert(sol.includes('<img src="../assets/img/solutions/01_solutions/1.png"'), sol);
    assert(Deno.statSync(join(out, "assets/img/solutions/01_solutions/1.png")).isFile);
    assert(sol.includes('rel="prev" class="prev" href="../01_a.html"'), sol);
    const a = Deno.readTextFileSync(join(out, "01_a.html"));
    assert(a.includes('<a href="solutions/01_solutions.html">Solutions</a>'), a);
    assert(a.includes('rel="next" class="next" href="02_b.html"'), "course pages keep their order");
    const b = Deno.readTextFileSync(join(out, "02_b.html"));
    assert(!b.includes("solutions/"), "a notebook without solutions links none");
    const nine = Deno.readTextFileSync(join(out, "solutions", "09_solutions.html"));
    assert(!nine.includes('rel="prev"'), "no notebook 09 to lead back to");
    const index = Deno.readTextFileSync(join(out, "index.html"));
    assert(index.includes('href="solutions/09_solutions.html">Solutions to nine</a>'), index);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("site: markdown renders headings, lists, tables, links, code, emphasis and math", () => {
  const html = renderMarkdown(
    [
      "# Title",
      "",
      "Some *em*, **strong**, `a|b<c>`, $x_t$ and a [link](02_zero_to_llm.ipynb#sec).",
      "",
      "| a | b |",
      "|---|--:|",
      "| `x\\|y` | 2 |",
      "",
      "1. one",
      "   continued",
      "2. two",
      "   - nested",
      "",
      "$$A = B$$",
      "",
      "$$M = \\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}$$ and `a\\*b`, \\$5, \\*not em\\*.",
    ].join("\n"),
    { rewriteLink: (h) => h.replace(".ipynb", ".html") },
  );
  assert(html.includes('<h1 id="title">Title <a class="anchor" href="#title"'));
  assert(html.includes("<em>em</em>") && html.includes("<strong>strong</strong>"));
  assert(html.includes("<code>a|b&lt;c&gt;</code>"));
  assert(html.includes('<span class="math inline">x_t</span>'));
  assert(html.includes('<a href="02_zero_to_llm.html#sec">link</a>'));
  assert(html.includes('<td style="text-align:right">2</td>'));
  assert(html.includes("<td><code>x|y</code></td>"));
  assert(
    /<ol>\n<li>one\ncontinued<\/li>\n<li>two\n<ul>\n<li>nested<\/li>\n<\/ul><\/li>/.test(html),
    html,
  );
  assert(html.includes('<span class="math display">A = B</span>'));
  // TeX keeps its backslashes (`\\` is a matrix row); a code span keeps its backslash too.
  assert(html.includes(String.raw`M = \begin{bmatrix} 1 \\ 2 \end{bmatrix}</span>`), html);
  assert(html.includes(String.raw`<code>a\*b</code>, $5, *not em*.`), html);
});

Deno.test("site: stream text drops ANSI codes and keeps what a carriage return left", () => {
  assertEquals(terminalText("a 10%\ra 100%\n\u001b[1mdone\u001b[0m\n"), "a 100%\ndone\n");
});

Deno.test("site: a link to a missing notebook fails the build with the notebook named", async () => {
  const root = Deno.makeTempDirSync({ prefix: "llm-site-bad-" });
  Deno.mkdirSync(join(root, "notebooks"));
  Deno.writeTextFileSync(
    join(root, "notebooks", "01_a.ipynb"),
    JSON.stringify({ cells: [{ cell_type: "markdown", source: "# A\n\nSee [B](09_b.ipynb)." }] }),
  );
  let message = "";
  try {
    await buildSite({ root, outDir: join(root, "site") });
  } catch (e) {
    message = (e as Error).message;
  }
  Deno.removeSync(root, { recursive: true });
  assert(message.includes("01_a.ipynb: link to a missing notebook 09_b.ipynb"), message);
});

Deno.test("site: a solution's link to a missing notebook fails the build with the solution named", async () => {
  const root = Deno.makeTempDirSync({ prefix: "llm-site-bad-" });
  Deno.mkdirSync(join(root, "notebooks", "solutions"), { recursive: true });
  Deno.writeTextFileSync(
    join(root, "notebooks", "01_a.ipynb"),
    JSON.stringify({ cells: [{ cell_type: "markdown", source: "# A" }] }),
  );
  Deno.writeTextFileSync(
    join(root, "notebooks", "solutions", "01_solutions.ipynb"),
    JSON.stringify({ cells: [{ cell_type: "markdown", source: "# S\n\n[A](../01_b.ipynb)" }] }),
  );
  let message = "";
  try {
    await buildSite({ root, outDir: join(root, "site") });
  } catch (e) {
    message = (e as Error).message;
  }
  Deno.removeSync(root, { recursive: true });
  assert(
    message.includes("solutions/01_solutions.ipynb: link to a missing notebook ../01_b.ipynb"),
    message,
  );
});

Deno.test("site: clean up", () => {
  if (built) Deno.removeSync(built.dir, { recursive: true });
});
