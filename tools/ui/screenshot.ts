/**
 * `deno run -A tools/ui/screenshot.ts [--notebook NAME] [--plot N] [--out FILE]`: retakes the
 * README's picture of JupyterLab (docs/jupyterlab.png, 1400×900): a notebook's committed outputs
 * opened in JupyterLab with plotly's renderer, the kernel idle, plot number N (from 0) drawn by
 * plotly.js and a hover label on a data point. Uses the test's server (`startLab`: a scratch copy
 * of the notebook, so nothing is rewritten; its plots refreshed as `deno task refresh-outputs`
 * does) and Debian's Chromium.
 *
 * @module
 */
import { chromium } from "playwright-core";
import { join } from "node:path";
import { type FlagSpecs, flagUsage, parseFlags } from "../../scripts/flags.ts";
import { ROOT } from "../../scripts/jupyter.ts";
import { refreshNotebook } from "../checks/refresh_fallbacks.ts";
import { ensureChromium, ensureJupyterLab, startLab } from "../../scripts/ui_env.ts";
import { hoverDataPoint, openNotebook } from "./ui_test.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const FLAGS = {
  notebook: {
    kind: "string",
    description: "notebook in notebooks/",
    default: "06_gpt1_bert_gpt2.ipynb",
  },
  plot: { kind: "int", description: "which plot of the notebook, from 0", default: 1 },
  at: {
    kind: "number",
    description: "hover this far along the first trace (0 to 1)",
    default: 0.3,
  },
  out: { kind: "string", description: "PNG to write", default: "docs/jupyterlab.png" },
} as const satisfies FlagSpecs;

const f = parseFlags(Deno.args, FLAGS);
if (f.help) {
  console.log(flagUsage("Usage: deno run -A tools/ui/screenshot.ts [flags]", FLAGS));
  Deno.exit(0);
}
const jupyter = ensureJupyterLab();
const env = {
  PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  HOME: Deno.env.get("HOME") ?? "/tmp",
  NO_COLOR: "1",
  XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? Deno.makeTempDirSync(),
};
const lab = await startLab(jupyter, [join(ROOT, "notebooks", f.notebook)], env);
// The scratch copy's plots rewritten as the current lib writes them (what `deno task
// refresh-outputs` does), so the picture does not depend on when the notebook was last run.
const copy = join(lab.root, "notebooks", f.notebook);
const nb = JSON.parse(Deno.readTextFileSync(copy));
refreshNotebook(nb);
Deno.writeTextFileSync(copy, JSON.stringify(nb));
const profile = Deno.makeTempDirSync({ prefix: "llm-chromium-" });
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: ensureChromium(),
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await openNotebook(page, lab, f.notebook);
  // The kernel the notebook started: wait until the status bar says idle.
  await page.waitForFunction(
    () => {
      const panel = (globalThis as Any).jupyterapp.shell.currentWidget;
      return panel.sessionContext.session?.kernel?.status === "idle";
    },
    null,
    { timeout: 120_000 },
  );
  const plots = page.locator(".jp-OutputArea .jp-RenderedPlotly");
  if (await plots.count() <= f.plot) {
    throw new Error(
      `${f.notebook} has ${await plots
        .count()} plots drawn by plotly's renderer; --plot ${f.plot} ` +
        "is not one of them.",
    );
  }
  const plot = plots.nth(f.plot);
  // The plot near the bottom of the window, its code cell above it.
  await plot.evaluate((el: Any) => el.scrollIntoView({ block: "end" }));
  await page.mouse.move(10, 450);
  await plot.hover();
  await plot.locator("svg.main-svg").first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await plot.evaluate((el: Any) => el.scrollIntoView({ block: "end" }));
  await page.waitForTimeout(500);
  const hover = await hoverDataPoint(page, plot, f.at);
  if (!hover.trim()) throw new Error("no hover label appeared on the plot");
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(ROOT, f.out) });
  console.log(`Wrote ${f.out} (hover label: ${JSON.stringify(hover.slice(0, 60))}).`);
} finally {
  await browser.close();
  await lab.stop();
  Deno.removeSync(profile, { recursive: true });
}
