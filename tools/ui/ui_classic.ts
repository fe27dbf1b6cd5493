/**
 * `deno task test:ui:classic [name...]`: the committed notebooks in the classic Jupyter Notebook
 * (Debian's `jupyter-notebook`, 6.4, installed with apt when root), opened untrusted in headless
 * Chromium: every plot shows as an image and no output shows raw markup. Classic Notebook is
 * stricter than JupyterLab when untrusted: it drops `text/markdown` and strips SVG from
 * `text/html`, so this is where the PNG and aligned `text/plain` forms matter most.
 *
 * @module
 */
import { chromium } from "playwright-core";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { listNotebooks, ROOT } from "../../scripts/jupyter.ts";
import { ensureChromium } from "../../scripts/ui_env.ts";
import { type NotebookJson, staticProblems } from "./ui_checks.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function ensureClassic(): string {
  const bin = "/usr/bin/jupyter-notebook";
  if (existsSync(bin)) return bin;
  if (Deno.uid() !== 0) {
    throw new Error("No classic Notebook: sudo apt-get install -y jupyter-notebook");
  }
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "jupyter-notebook"]]) {
    const r = new Deno.Command("apt-get", { args }).outputSync();
    if (!r.success) throw new Error(`apt-get ${args.join(" ")} failed`);
  }
  return bin;
}

const names = Deno.args;
const paths = listNotebooks().filter((p) =>
  names.length === 0 || names.some((n) => basename(p).includes(n))
);
const bin = ensureClassic();
const home = Deno.makeTempDirSync({ prefix: "llm-classic-" });
// Copies: classic Notebook autosaves, and must never rewrite the committed files.
Deno.mkdirSync(join(home, "nbs", "notebooks"), { recursive: true });
for (const p of paths) Deno.copyFileSync(p, join(home, "nbs", "notebooks", basename(p)));
const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = (l.addr as Deno.NetAddr).port;
l.close();
const token = crypto.randomUUID().replaceAll("-", "");
const proc = new Deno.Command(bin, {
  args: [
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--port-retries=0",
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${join(home, "nbs")}`,
    ...(Deno.uid() === 0 ? ["--allow-root"] : []),
  ],
  env: {
    // A fresh data dir: no trust database, so the notebooks open untrusted.
    JUPYTER_DATA_DIR: join(home, "data"),
    JUPYTER_CONFIG_DIR: join(home, "config"),
    JUPYTER_RUNTIME_DIR: join(home, "runtime"),
  },
  stdout: "null",
  stderr: "null",
}).spawn();
const url = `http://127.0.0.1:${port}`;
for (let i = 0;; i++) {
  try {
    const r = await fetch(`${url}/api/status?token=${token}`);
    await r.body?.cancel();
    if (r.ok) break;
  } catch { /* not up yet */ }
  if (i > 120) throw new Error("classic Notebook did not start within 60 s");
  await new Promise((r) => setTimeout(r, 500));
}
const profile = Deno.makeTempDirSync({ prefix: "llm-chromium-" });
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: ensureChromium(),
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
const shots = join(ROOT, ".ui-screenshots");
Deno.mkdirSync(shots, { recursive: true });
let failed = 0;
try {
  for (const path of paths) {
    const name = basename(path);
    const page = await browser.newPage();
    // The kernel is not needed to view outputs; a failed kernel start does not matter here.
    await page.goto(`${url}/notebooks/notebooks/${name}?token=${token}`);
    await page.waitForFunction(() => (globalThis as Any).IPython?.notebook?._fully_loaded, null, {
      timeout: 60_000,
    });
    await page.waitForTimeout(1500);
    const view = await page.evaluate(() => {
      const g = globalThis as Any;
      const imgs: Any[] = [...g.document.querySelectorAll(".output_area img")];
      const outs: Any[] = [...g.document.querySelectorAll(".output_subarea")];
      return {
        images: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
        brokenImages: imgs.filter((i) => i.complete && i.naturalWidth === 0).length,
        outputTexts: outs.map((o) => String(o.innerText)),
        trustedCells: g.IPython.notebook.trusted ? 1 : 0,
      };
    });
    const problems = staticProblems(JSON.parse(Deno.readTextFileSync(path)) as NotebookJson, view);
    await page.screenshot({ path: join(shots, `${name.replace(".ipynb", "")}.classic.png`) });
    await page.close();
    const sessions = await (await fetch(`${url}/api/sessions?token=${token}`)).json();
    for (const s of sessions as { id: string }[]) {
      await (await fetch(`${url}/api/sessions/${s.id}?token=${token}`, { method: "DELETE" }))
        .body?.cancel();
    }
    console.log(
      `${name} (classic Notebook, untrusted): ${problems.length ? "FAILED" : "ok"}, ` +
        `${view.images} images`,
    );
    for (const p of problems) console.log(`  - ${p}`);
    if (problems.length) failed++;
  }
} finally {
  await browser.close();
  proc.kill("SIGTERM");
  await proc.status;
  Deno.removeSync(profile, { recursive: true });
  Deno.removeSync(home, { recursive: true });
}
Deno.exit(failed ? 1 : 0);
