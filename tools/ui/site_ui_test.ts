/**
 * `deno task test:site`: the built course site in headless Chromium.
 *
 * Builds the site into a temporary folder, serves it on 127.0.0.1 and opens every page (the
 * course notebooks', the worked solutions' under solutions/, and the index):
 *  - no console error and no uncaught exception while it loads;
 *  - every plotly output became a live plotly figure (`.js-plotly-plot svg.main-svg`), as many
 *    as the notebook has plotly outputs, and no PNG fallback was needed;
 *  - every internal link, image, script and stylesheet answers 200, and every `#anchor` exists;
 *  - no request goes anywhere but the test server (all others are aborted and reported).
 * Then, with JavaScript disabled, every plot shows its PNG (loaded and visible).
 * `--self-test` plants one fault of each kind in a page and fails unless all are reported.
 * Screenshots go to .ui-screenshots/site-*.png (git-ignored). The whole run is bounded: it
 * stops itself after five minutes.
 *
 * @module
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { join } from "node:path";
import { ROOT } from "../../scripts/jupyter.ts";
import { ensureChromium } from "../../scripts/ui_env.ts";
import { buildSite, type SiteSummary } from "../../scripts/site/build.ts";
import { PLOTLY_MIME } from "../../scripts/site/notebook.ts";
import { serveSite } from "../../scripts/site/serve.ts";

const SHOTS = join(ROOT, ".ui-screenshots");
const LIMIT_MS = 5 * 60_000;
/** Per page: a loaded 2-core machine needed 25 s for the page with a 3-D (WebGL) plot. */
const PAGE_TIMEOUT_MS = 90_000;

// deno-lint-ignore no-explicit-any
type Any = any;

/** Plotly outputs in a committed notebook, counted from its JSON (not from the site). */
function plotlyOutputs(notebookPath: string): number {
  const nb = JSON.parse(Deno.readTextFileSync(notebookPath));
  let n = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) if (o.data?.[PLOTLY_MIME]) n++;
  }
  return n;
}

/** Records every request of a context, aborting those that would leave the test server. */
function guardRequests(ctx: BrowserContext, origin: string, offsite: string[]) {
  const host = new URL(origin).host;
  ctx.on("request", (req) => {
    const url = new URL(req.url());
    if (url.protocol !== "data:" && url.protocol !== "blob:" && url.host !== host) {
      offsite.push(req.url());
    }
  });
  return ctx.route("**/*", (route) => {
    const url = new URL(route.request().url());
    return url.host === host ? route.continue() : route.abort("blockedbyclient");
  });
}

/** What a check of the served site found. */
interface CheckResult {
  problems: string[];
  /** Internal URLs requested, with their status. */
  checkedUrls: Map<string, number>;
}

/** Opens `pages` (and the index) of the site built in `outDir` and lists what is wrong. */
async function checkSite(outDir: string, site: SiteSummary): Promise<CheckResult> {
  const server = serveSite(outDir);
  const executablePath = ensureChromium();
  Deno.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      // Software WebGL, for plotly's 3-D scatter.
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
    ],
  });
  const problems: string[] = [];
  const offsite: string[] = [];
  const checkedUrls = new Map<string, number>();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await guardRequests(ctx, server.origin, offsite);
    const notebookPages = [...site.pages, ...site.solutions];
    const urls = ["index.html", ...notebookPages.map((p) => p.file)];
    for (const file of urls) {
      const t0 = performance.now();
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console error: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
      const sitePage = notebookPages.find((p) => p.file === file);
      let plots = 0;
      try {
        const res = await page.goto(`${server.origin}/${file}`, {
          waitUntil: "load",
          timeout: PAGE_TIMEOUT_MS,
        });
        if (res?.status() !== 200) problems.push(`${file}: answered ${res?.status()}`);
      } catch (e) {
        problems.push(`${file}: did not load: ${(e as Error).message.split("\n")[0]}`);
      }
      if (sitePage) {
        const expected = plotlyOutputs(join(ROOT, "notebooks", sitePage.notebook));
        plots = await livePlots(page, expected);
        if (plots !== expected) {
          problems.push(`${file}: ${plots} live plotly figures, the notebook has ${expected}`);
        }
        const fallbacks = await page.locator("figure.plotly-output .plot-fallback").count();
        if (fallbacks) problems.push(`${file}: ${fallbacks} plots fell back to their PNG`);
      }
      problems.push(...errors.map((e) => `${file}: ${e}`));
      problems.push(
        ...(await linkProblems(page, server.origin, checkedUrls)).map((p) => `${file}: ${p}`),
      );
      if (
        file === "04_attention.html" || file === "index.html" || file === site.solutions[0]?.file
      ) {
        await screenshot(page, file, "js");
      }
      await page.close();
      console.log(`${file}: ${plots} plots, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await ctx.close();

    // Without JavaScript: the PNG inside each plot's <noscript> is what shows.
    const noJs = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      javaScriptEnabled: false,
    });
    await guardRequests(noJs, server.origin, offsite);
    for (const p of notebookPages) {
      const page = await noJs.newPage();
      await page.goto(`${server.origin}/${p.file}`, {
        waitUntil: "load",
        timeout: PAGE_TIMEOUT_MS,
      });
      const expected = plotlyOutputs(join(ROOT, "notebooks", p.notebook));
      const imgs = page.locator("figure.plotly-output img.plot-png");
      const shown = await imgs.evaluateAll((els: Any[]) =>
        els.filter((i) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 0)
          .length
      );
      if (shown !== expected) {
        problems.push(`${p.file} without JavaScript: ${shown} PNG plots shown of ${expected}`);
      }
      if (p.file === "04_attention.html") await screenshot(page, p.file, "nojs");
      await page.close();
    }
    await noJs.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  for (const url of new Set(offsite)) problems.push(`request left 127.0.0.1: ${url}`);
  return { problems, checkedUrls };
}

async function main(): Promise<number> {
  const outDir = Deno.makeTempDirSync({ prefix: "llm-site-" });
  const site = await buildSite({ root: ROOT, outDir });
  const { problems, checkedUrls } = await checkSite(outDir, site).finally(() =>
    Deno.removeSync(outDir, { recursive: true })
  );
  const pages = site.pages.length + site.solutions.length + 1;
  if (problems.length) {
    console.error(`Site test: ${problems.length} problems on ${pages} pages:`);
    for (const p of problems) console.error(`  - ${p}`);
    return 1;
  }
  console.log(
    `Site test passed: ${pages} pages, ${checkedUrls.size} internal URLs answered 200, ` +
      `every plot live with JavaScript and a PNG without, no request left 127.0.0.1.`,
  );
  return 0;
}

/**
 * `--self-test`: plants one fault of each kind the test looks for in the page of
 * notebook 00 and fails unless every one is reported.
 */
async function selfTest(): Promise<number> {
  const outDir = Deno.makeTempDirSync({ prefix: "llm-site-self-" });
  const built = await buildSite({ root: ROOT, outDir });
  const site = {
    ...built,
    pages: built.pages.filter((p) => p.notebook === "00_setup.ipynb"),
    solutions: [],
  };
  const file = join(outDir, "00_setup.html");
  const faults: [string, string][] = [
    // plotly.js missing: no live figure, the PNG fallback shows instead
    ['<script src="assets/plotly.min.js" defer></script>', ""],
    // the plot's PNG missing: nothing shows without JavaScript, and a link answers 404
    ['src="assets/img/00_setup/1.png"', 'src="assets/img/00_setup/gone.png"'],
    // a request off the machine, a broken link and a console error
    [
      "</main>",
      '<img src="http://198.51.100.7/pixel.png" alt=""><a href="missing_page.html">x</a>' +
      '<script>console.error("planted")</script></main>',
    ],
  ];
  let planted = Deno.readTextFileSync(file);
  for (const [from, to] of faults) {
    if (!planted.includes(from)) {
      throw new Error(`self-test: the page of 00_setup has no ${from} to plant a fault in`);
    }
    planted = planted.replace(from, to);
  }
  Deno.writeTextFileSync(file, planted);
  const { problems } = await checkSite(outDir, site).finally(() =>
    Deno.removeSync(outDir, { recursive: true })
  );
  const expected = [
    "request left 127.0.0.1: http://198.51.100.7/pixel.png",
    "/missing_page.html answered 404",
    "0 live plotly figures, the notebook has 1",
    "without JavaScript: 0 PNG plots shown of 1",
    "console error: planted",
  ];
  const missed = expected.filter((e) => !problems.some((p) => p.includes(e)));
  if (missed.length) {
    console.error(`Site self-test: the test missed planted faults:\n  ${missed.join("\n  ")}`);
    console.error(`It reported:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  console.log(`Site self-test passed: all ${expected.length} planted faults reported.`);
  return 0;
}

/** Waits for the plots to draw (one after another), then counts the live plotly figures. */
async function livePlots(page: Page, expected: number): Promise<number> {
  // A figure is settled once plotly drew it or the page fell back to its PNG.
  const count = () =>
    page.evaluate(() => {
      const figs: Any[] = [
        ...(globalThis as Any).document.querySelectorAll("figure.plotly-output"),
      ];
      const live = figs.filter((f) => f.querySelector(".js-plotly-plot svg.main-svg")).length;
      return { live, settled: live + figs.filter((f) => f.querySelector(".plot-fallback")).length };
    });
  const deadline = Date.now() + PAGE_TIMEOUT_MS;
  let n = await count();
  while (n.settled < expected && Date.now() < deadline) {
    await page.waitForTimeout(250);
    n = await count();
  }
  return n.live;
}

/** Every same-origin link, image, script and stylesheet must answer 200; anchors must exist. */
async function linkProblems(
  page: Page,
  origin: string,
  checked: Map<string, number>,
): Promise<string[]> {
  const refs: { url: string; ownAnchor: boolean }[] = await page.evaluate(() => {
    const doc = (globalThis as Any).document;
    const here = String((globalThis as Any).location.href).split("#")[0];
    const out: { url: string; ownAnchor: boolean }[] = [];
    for (const el of doc.querySelectorAll("a[href], img[src], script[src], link[href]")) {
      const url = String(el.href ?? el.src);
      out.push({ url, ownAnchor: url.split("#")[0] === here && url.includes("#") });
    }
    return out;
  });
  const problems: string[] = [];
  for (const { url, ownAnchor } of refs) {
    const u = new URL(url);
    if (u.origin !== origin) continue; // external links (arXiv) are not followed
    if (ownAnchor) {
      const id = decodeURIComponent(u.hash.slice(1));
      const found = await page.evaluate(
        (i) => (globalThis as Any).document.getElementById(i) !== null,
        id,
      );
      if (!found) problems.push(`anchor #${id} is not on the page`);
      continue;
    }
    const key = u.origin + u.pathname;
    if (!checked.has(key)) {
      const res = await page.request.get(key);
      checked.set(key, res.status());
      await res.dispose();
    }
    if (checked.get(key) !== 200) problems.push(`${u.pathname} answered ${checked.get(key)}`);
  }
  return problems;
}

async function screenshot(page: Page, file: string, mode: string) {
  const plot = page.locator("figure.plotly-output").first();
  if (await plot.count()) {
    await plot.evaluate((el: Any) => el.scrollIntoView({ block: "center" }));
  }
  const stem = file.replace(/\.html$/, "").replaceAll("/", "-");
  await page.screenshot({ path: join(SHOTS, `site-${stem}.${mode}.png`) });
}

if (import.meta.main) {
  const timer = setTimeout(() => {
    console.error(`Site test: still running after ${LIMIT_MS / 60_000} min; stopped.`);
    Deno.exit(1);
  }, LIMIT_MS);
  const code = Deno.args.includes("--self-test") ? await selfTest() : await main();
  clearTimeout(timer);
  Deno.exit(code);
}
