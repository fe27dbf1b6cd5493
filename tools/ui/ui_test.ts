/**
 * `deno task test:ui [name...]`: the notebooks in JupyterLab 4, in headless Chromium.
 *
 * For every notebook in notebooks/ (or those whose names contain an argument):
 *  (a) the committed notebook, opened untrusted: every plot shows as an image, no output shows
 *      raw markup;
 *  (b) the same notebook run with "Run All" in the UI with LLM_SMOKE=1: no error output, no
 *      output arriving after its cell's idle (read from the browser's kernel connection),
 *      every cell that printed in nbclient's run shows output under its own cell, progress
 *      bars end at 100% in a single output;
 *  (c) in both, the first plot is a live plotly figure: with the mouse on it, plotly.js draws
 *      it (`svg.main-svg`, traces), and a data point under the mouse gets a hover label.
 * Screenshots go to .ui-screenshots/ (git-ignored).
 *
 * `deno task test:ui --self-test` runs the test on the notebooks in tests/fixtures/ui/ and
 * fails unless it catches a plot without an image, a cell whose output arrives late, and a
 * good plot on a server without plotly's renderer, and passes that plot with the renderer.
 *
 * @module
 */
import { chromium, type Locator, type Page } from "playwright-core";
import { basename, join } from "node:path";
import {
  executeNotebook,
  findPython,
  listNotebooks,
  makeKernelDir,
  ROOT,
} from "../../scripts/jupyter.ts";
import {
  ensureChromium,
  ensureJupyterLab,
  type LabServer,
  PLOTLY_EXTENSION,
  startLab,
} from "../../scripts/ui_env.ts";
import {
  countPlots,
  type KernelMessage,
  lateOutputs,
  livePlotProblems,
  type LiveView,
  type NotebookJson,
  runProblems,
  staticProblems,
  type StaticView,
} from "./ui_checks.ts";

const SHOTS = join(ROOT, ".ui-screenshots");
const RUN_TIMEOUT_MS = 15 * 60_000;

// deno-lint-ignore no-explicit-any
type Any = any;

/** Opens `notebooks/<name>` in a workspace of its own and waits until its cells are shown. */
export async function openNotebook(page: Page, lab: LabServer, name: string) {
  // A workspace of its own per notebook, so JupyterLab does not reopen (and restart kernels
  // for) the notebooks of earlier pages.
  const ws = `t${Date.now()}`;
  await page.goto(`${lab.url}/lab/workspaces/${ws}/tree/notebooks/${name}?token=${lab.token}`);
  await page.waitForFunction(
    (n) => {
      const app = (globalThis as Any).jupyterapp;
      const w = app?.shell?.currentWidget;
      return w?.context?.path?.endsWith(n) && w.context.isReady && w.content?.widgets?.length > 0;
    },
    name,
    { timeout: 120_000 },
  );
  // Let images decode and renderers settle.
  await page.waitForTimeout(1500);
}

async function staticView(page: Page): Promise<StaticView> {
  return await page.evaluate(() => {
    const panel = (globalThis as Any).jupyterapp.shell.currentWidget;
    // Runs in the page: the DOM is reached through globalThis (this file type-checks without it).
    const doc = (globalThis as Any).document;
    const imgs: Any[] = [...doc.querySelectorAll(".jp-OutputArea-output img")];
    const outputs: Any[] = [...doc.querySelectorAll(".jp-OutputArea-output")];
    let trusted = 0;
    for (const cell of panel.content.widgets) {
      if (cell.model.type === "code" && cell.model.outputs.length && cell.model.trusted) trusted++;
    }
    return {
      images: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
      brokenImages: imgs.filter((i) => i.complete && i.naturalWidth === 0).length,
      outputTexts: outputs.map((o) => String(o.innerText)),
      trustedCells: trusted,
    };
  });
}

/**
 * Moves the mouse onto the first plot (plotly's renderer shows the PNG until the mouse enters,
 * then draws the figure with plotly.js), waits for plotly.js's DOM, then onto a data point of
 * the first trace, and reads the hover label.
 */
async function liveView(page: Page): Promise<LiveView> {
  const plots = page.locator(".jp-OutputArea .jp-RenderedPlotly");
  const renderers = await plots.count();
  const view = { renderers, drawn: false, traces: 0, hoverText: "" };
  if (!renderers) return view;
  const plot = plots.first();
  await plot.scrollIntoViewIfNeeded();
  await plot.hover();
  try {
    await plot.locator("svg.main-svg").first().waitFor({ timeout: 30_000 });
  } catch {
    return view;
  }
  view.drawn = true;
  view.traces = await plot.locator(
    ".scatterlayer .trace, .heatmaplayer .hm, .barlayer .trace, .boxlayer .trace",
  ).count();
  view.hoverText = await hoverDataPoint(page, plot);
  return view;
}

/**
 * Moves the mouse onto a data point of the first trace of a drawn plotly figure (`plot`: the
 * `.js-plotly-plot` element), `at` of the way along the trace (0 to 1), and returns the text of
 * plotly's hover label ("" when none appears).
 */
export async function hoverDataPoint(page: Page, plot: Locator, at = 0.5): Promise<string> {
  // Where the point is on screen, from plotly.js's own axis maps.
  const point = await plot.evaluate((gd: Any, at: number) => {
    const t = gd._fullData?.find((t: Any) => t.visible !== false && (t.y || t.z));
    if (!t) return undefined;
    const xa = gd._fullLayout[`xaxis${(t.xaxis ?? "x").slice(1)}`];
    const ya = gd._fullLayout[`yaxis${(t.yaxis ?? "y").slice(1)}`];
    let xv, yv;
    if (t.type === "heatmap") {
      const i = Math.floor(t.z.length * at), j = Math.floor(t.z[0].length * at);
      xv = t.x?.[j] ?? j;
      yv = t.y?.[i] ?? i;
    } else {
      const ys: Any[] = Array.from(t.y);
      const from = Math.min(ys.length - 1, Math.floor(ys.length * at));
      const i = ys.findIndex((y, k) => k >= from && y !== null);
      xv = t.x ? t.x[i] : i;
      yv = ys[i];
    }
    const r = gd.getBoundingClientRect();
    return {
      x: r.left + xa._offset + xa.c2p(xa.d2c(xv)),
      y: r.top + ya._offset + ya.c2p(ya.d2c(yv)),
    };
  }, at);
  if (!point) return "";
  // Bars: aim at the bar itself. In a grouped bar chart a trace's bars sit beside the category's
  // centre, so the data coordinates above can land on another trace's bar or on empty space.
  const barType = await plot.evaluate((gd: Any) =>
    gd._fullData?.find((t: Any) => t.visible !== false && (t.y || t.z))?.type === "bar"
  );
  if (barType) {
    const bars = plot.locator(".barlayer .trace").first().locator(".point");
    const n = await bars.count();
    const box = n ? await bars.nth(Math.min(n - 1, Math.floor(n * at))).boundingBox() : null;
    if (box) {
      point.x = box.x + box.width / 2;
      point.y = box.y + box.height / 2;
    }
  }
  for (const dx of [0, 1, -1]) {
    await page.mouse.move(point.x + dx, point.y);
    await page.waitForTimeout(300);
    const text = (await plot.locator(".hoverlayer").first().textContent()) ?? "";
    if (text.trim()) return text;
  }
  return "";
}

async function runAll(page: Page): Promise<{ nb: NotebookJson; messages: KernelMessage[] }> {
  await page.evaluate(async () => {
    const panel = (globalThis as Any).jupyterapp.shell.currentWidget;
    await panel.sessionContext.ready;
    const log: Any[] = [];
    const requests: string[] = [];
    (globalThis as Any).__llm = { log, requests };
    panel.sessionContext.session.kernel.anyMessage.connect((_: unknown, a: Any) => {
      const m = a.msg;
      if (a.direction === "send" && m.header.msg_type === "execute_request") {
        requests.push(m.header.msg_id);
      }
      if (a.direction !== "recv" || m.channel !== "iopub") return;
      log.push({
        type: m.header.msg_type,
        parent: m.parent_header?.msg_id,
        state: m.content?.execution_state,
        text: m.content?.text ?? m.content?.data?.["text/plain"] ?? m.content?.evalue,
      });
    });
    await (globalThis as Any).jupyterapp.commands.execute("notebook:run-all-cells");
  });
  const start = Date.now();
  for (;;) {
    const done = await page.evaluate(() => {
      const panel = (globalThis as Any).jupyterapp.shell.currentWidget;
      const kernel = panel.sessionContext.session?.kernel;
      const pending = panel.content.widgets.filter((c: Any) =>
        c.model.type === "code" && (c.model.executionState === "running" ||
          c.promptNode?.textContent?.includes("*"))
      ).length;
      return { status: kernel?.status, pending };
    });
    if (done.status === "dead") throw new Error("the kernel died during Run All");
    if (done.pending === 0 && done.status === "idle") break;
    if (Date.now() - start > RUN_TIMEOUT_MS) {
      throw new Error(`Run All did not finish in ${RUN_TIMEOUT_MS / 60000} min`);
    }
    await page.waitForTimeout(1000);
  }
  // Late output of the last cell would arrive now.
  await page.waitForTimeout(2000);
  return await page.evaluate(() => {
    const app = (globalThis as Any).jupyterapp;
    const panel = app.shell.currentWidget;
    const state = (globalThis as Any).__llm;
    const messages = state.log.map((m: Any) => ({ ...m, cellRequests: undefined }));
    return { nb: panel.content.model.toJSON(), messages: messages, requests: state.requests };
  }).then((r: Any) => ({ nb: r.nb, messages: r.messages, requests: r.requests }));
}

async function shutdownKernels(lab: LabServer) {
  const r = await fetch(`${lab.url}/api/sessions?token=${lab.token}`);
  for (const s of (await r.json()) as { id: string }[]) {
    await (await fetch(`${lab.url}/api/sessions/${s.id}?token=${lab.token}`, {
      method: "DELETE",
    })).body?.cancel();
  }
}

/**
 * Runs both checks on each notebook, and checks that the first plot of the committed notebook
 * (untrusted) and of the UI's run is a live plotly figure; returns the problems found, per
 * notebook. `withoutPlotly` keeps the browser from loading plotly's renderer extension, as if
 * it were not installed (the self-test's case that must fail).
 */
export async function testNotebooks(
  paths: string[],
  opts: { withoutPlotly?: boolean } = {},
): Promise<Map<string, string[]>> {
  const python = findPython();
  if (!python) throw new Error("No Python with nbclient: run `deno task setup` first.");
  const jupyter = ensureJupyterLab();
  const executablePath = ensureChromium();
  Deno.mkdirSync(SHOTS, { recursive: true });
  const env: Record<string, string> = {
    LLM_SMOKE: "1",
    NO_COLOR: "1",
    XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? Deno.makeTempDirSync(),
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/tmp",
  };
  const lab = await startLab(jupyter, paths, env);
  const profile = Deno.makeTempDirSync({ prefix: "llm-chromium-" });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  if (opts.withoutPlotly) {
    await browser.route(`**/lab/extensions/${PLOTLY_EXTENSION}/**`, (r) => r.abort());
  }
  const results = new Map<string, string[]>();
  const kernelDir = makeKernelDir();
  try {
    for (const path of paths) {
      const name = basename(path), stem = name.replace(/\.ipynb$/, "");
      const problems: string[] = [];
      const t0 = performance.now();
      const committed = JSON.parse(Deno.readTextFileSync(path)) as NotebookJson;
      // nbclient's smoke run of the same notebook: the reference for which cells print.
      const refPath = join(lab.root, `${stem}.nbclient.ipynb`);
      const ref = await executeNotebook(path, refPath, { smoke: true, python, kernelDir });
      if (!ref.ok) problems.push(...ref.errors.map((e) => `nbclient run: ${e}`));
      const t1 = performance.now();
      const page = await browser.newPage();
      try {
        await openNotebook(page, lab, name);
        problems.push(...staticProblems(committed, await staticView(page)));
        await page.screenshot({ path: join(SHOTS, `${stem}.committed.png`), fullPage: false });
        const plotCell = page.locator(".jp-Cell:has(.jp-OutputArea-output img)").first();
        if (await plotCell.count()) {
          await plotCell.evaluate((el) => (el as Any).scrollIntoView({ block: "end" }));
          await page.screenshot({ path: join(SHOTS, `${stem}.first-plot.png`) });
        }
        if (countPlots(committed)) {
          // plotly's renderer is a "safe" one: it draws untrusted outputs too.
          const view = await liveView(page);
          problems.push(...livePlotProblems("committed notebook, first plot", view));
          await page.screenshot({ path: join(SHOTS, `${stem}.live-plot.png`) });
        }
        const run = await runAll(page) as Any;
        await page.screenshot({ path: join(SHOTS, `${stem}.smoke-run.png`), fullPage: false });
        problems.push(...lateOutputs(run.messages, run.requests));
        const reference = JSON.parse(Deno.readTextFileSync(refPath)) as NotebookJson;
        problems.push(...runProblems(run.nb, reference));
        if (countPlots(run.nb)) {
          problems.push(...livePlotProblems("after Run All, first plot", await liveView(page)));
        }
      } catch (e) {
        problems.push(`UI run failed: ${(e as Error).message.split("\n")[0]}`);
        await page.screenshot({ path: join(SHOTS, `${stem}.failure.png`) }).catch(() => {});
      } finally {
        await page.close();
        await shutdownKernels(lab);
      }
      const t2 = performance.now();
      console.log(
        `${name}: ${problems.length ? `${problems.length} problems` : "ok"} ` +
          `(nbclient ${((t1 - t0) / 1000).toFixed(0)} s, JupyterLab ${
            ((t2 - t1) / 1000).toFixed(0)
          } s)`,
      );
      for (const p of problems.slice(0, 20)) console.log(`  - ${p}`);
      if (problems.length > 20) console.log(`  ... and ${problems.length - 20} more`);
      results.set(name, problems);
    }
  } finally {
    await browser.close();
    await lab.stop();
    Deno.removeSync(profile, { recursive: true });
  }
  return results;
}

if (import.meta.main) {
  const selfTest = Deno.args.includes("--self-test");
  const names = Deno.args.filter((a) => !a.startsWith("--"));
  if (selfTest) {
    const dir = join(ROOT, "tests", "fixtures", "ui");
    const fixture = (f: string) => join(dir, f);
    const results = await testNotebooks(
      ["broken_plot.ipynb", "late_output.ipynb", "live_plot.ipynb"].map(fixture),
    );
    // The same good plot on a server without plotly's renderer: the plot stays an image.
    const withoutPlotly = await testNotebooks([fixture("live_plot.ipynb")], {
      withoutPlotly: true,
    });
    const cases: [string, string[], RegExp | undefined][] = [
      [
        "broken_plot.ipynb",
        results.get("broken_plot.ipynb") ?? [],
        /plots in the notebook, but only 0 show as images|raw markup/,
      ],
      [
        "late_output.ipynb",
        results.get("late_output.ipynb") ?? [],
        /after the cell (reported idle|finished)/,
      ],
      ["live_plot.ipynb", results.get("live_plot.ipynb") ?? ["not run"], undefined],
      [
        "live_plot.ipynb without jupyterlab-plotly",
        withoutPlotly.get("live_plot.ipynb") ?? [],
        /not drawn by plotly's renderer/,
      ],
    ];
    let ok = true;
    for (const [name, problems, re] of cases) {
      // A case with a pattern must be caught; the one without must pass.
      const good = re ? problems.some((p) => re.test(p)) : problems.length === 0;
      const said = re
        ? (good ? "caught, as it must be" : "NOT CAUGHT")
        : (good ? "passed, as it must" : "FAILED, but must pass");
      console.log(`self-test ${name}: ${said}`);
      ok &&= good;
    }
    Deno.exit(ok ? 0 : 1);
  }
  const paths = listNotebooks().filter((p) =>
    names.length === 0 || names.some((n) => basename(p).includes(n))
  );
  const t0 = performance.now();
  const results = await testNotebooks(paths);
  const failed = [...results.values()].filter((p) => p.length).length;
  console.log(
    `test:ui: ${results.size - failed}/${results.size} notebooks passed in ${
      ((performance.now() - t0) / 1000).toFixed(0)
    } s; screenshots in ${SHOTS}`,
  );
  Deno.exit(failed ? 1 : 0);
}
