/**
 * `deno task site [--out DIR]`: the course as a static web page. Renders the committed notebooks
 * (with their saved outputs; nothing is executed) into `site/` (or DIR): an index with the
 * contents, one page per notebook and per worked solution (`site/solutions/`), source pages for
 * the project files they link to, and a local copy of plotly.js. Open `site/index.html`, or
 * serve the folder with any static file server.
 *
 * @module
 */
import { join } from "node:path";
import { ROOT } from "./jupyter.ts";
import { buildSite } from "./site/build.ts";

if (import.meta.main) {
  const args = [...Deno.args];
  let outDir = join(ROOT, "site");
  const i = args.indexOf("--out");
  if (i >= 0) {
    if (!args[i + 1]) throw new Error("--out needs a folder: deno task site --out /tmp/site");
    outDir = args[i + 1];
    args.splice(i, 2);
  }
  if (args.length) {
    console.error(`Unknown arguments: ${args.join(" ")}. Usage: deno task site [--out DIR]`);
    Deno.exit(2);
  }
  const t0 = performance.now();
  const site = await buildSite({ root: ROOT, outDir });
  const plots = [...site.pages, ...site.solutions].reduce((n, p) => n + p.plotCount, 0);
  console.log(
    `Built ${site.pages.length} notebook pages, ${site.solutions.length} solution pages ` +
      `(${plots} plots) and ` +
      `${site.sourceFiles.length} source pages into ${outDir} in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s. Open ${join(outDir, "index.html")}.`,
  );
}
