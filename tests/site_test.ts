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
  for (const p of s.pages) {
    const nb = JSON.parse(Deno.readTextFileSync(join(ROOT, "notebooks", p.notebook)));
    let expected = 0;
    for (const c of nb.cells) {
      for (const o of c.outputs ?? []) if (o.data?.[PLOTLY_MIME]) expected++;
    }
    const html = Deno.readTextFileSync(join(dir, p.file));
    const figures = html.match(/<figure class="plotly-output">[\s\S]*?<\/figure>/g) ?? [];
    assertEquals(figures.length, expected, `${p.file}: plotly figures`);
    assertEquals(p.plotCount, expected);
    for (const f of figures) {
      assert(/<noscript><img class="plot-png" src="assets\/img\/[^"]+\.png"/.test(f), p.file);
      JSON.parse(
        f.match(/<script type="application\/json" class="plotly-figure">([\s\S]*?)<\/script>/)![1],
      );
    }
    if (expected) assert(html.includes('<script src="assets/plotly.min.js" defer></script>'));
    // Nothing is fetched from elsewhere: no remote script, stylesheet, image or font.
    const markup = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/g, "");
    assert(!/<(script|img|link|iframe)\b[^>]*\b(src|href)="(https?:)?\/\//.test(markup), p.file);
    assert(!/@import|url\(\s*["']?(https?:)?\/\//.test(markup), p.file);
  }
  const css = Deno.readTextFileSync(join(dir, "assets", "style.css"));
  assert(!/url\(|@import|@font-face/.test(css), "the stylesheet loads nothing");
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

Deno.test("site: clean up", () => {
  if (built) Deno.removeSync(built.dir, { recursive: true });
});
