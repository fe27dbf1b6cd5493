/**
 * What the front-end test and `deno task lab` need on the machine: JupyterLab 4 and plotly's
 * JupyterLab renderer in a virtual environment they share (`.venv-ui/`, from PyPI), Debian's
 * Chromium (apt, when root), and a JupyterLab server on 127.0.0.1 with a token, settings for
 * testing and the Deno kernelspec of this very Deno.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { makeKernelDir, ROOT } from "./jupyter.ts";

/** The virtual environment JupyterLab is installed in (git-ignored). */
export const VENV = join(ROOT, ".venv-ui");

function run(cmd: string, args: string[], what: string) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const r = new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" }).outputSync();
  if (!r.success) throw new Error(`${what} failed (${cmd} ${args.join(" ")}, exit ${r.code}).`);
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** The PyPI requirements of `.venv-ui`: JupyterLab, and plotly for its renderer extension. */
export const LAB_REQUIREMENTS = ["jupyterlab>=4,<5", "plotly>=6"];

/** The JupyterLab extension, shipped in plotly's wheel, that draws plotly JSON outputs. */
export const PLOTLY_EXTENSION = "jupyterlab-plotly";

function labReady(jupyter: string): boolean {
  try {
    const version = new Deno.Command(jupyter, { args: ["lab", "--version"], stderr: "null" })
      .outputSync();
    if (!version.success || !new TextDecoder().decode(version.stdout).trim().startsWith("4.")) {
      return false;
    }
    // `labextension list` writes its list to stderr.
    const list = new Deno.Command(jupyter, { args: ["labextension", "list"] }).outputSync();
    const text = new TextDecoder().decode(list.stdout) + new TextDecoder().decode(list.stderr);
    return list.success && new RegExp(`${PLOTLY_EXTENSION} v\\S+ .*enabled`).test(text);
  } catch {
    return false;
  }
}

/**
 * Makes `.venv-ui` with JupyterLab 4.x and plotly's renderer extension unless it already has
 * both; returns its `jupyter`. Shared by `deno task test:ui` and `deno task lab`.
 */
export function ensureJupyterLab(): string {
  const jupyter = join(VENV, "bin", "jupyter");
  removeStaleTestSettings();
  if (labReady(jupyter)) return jupyter;
  if (!existsSync(join(VENV, "bin", "pip"))) {
    const python = Deno.env.get("LLM_UI_PYTHON") ?? "python3";
    try {
      run(python, ["-m", "venv", VENV], "Creating the virtual environment");
    } catch (e) {
      if (!isRoot()) {
        throw new Error(
          `${(e as Error).message} Install Python's venv module (Debian: apt-get install ` +
            "python3-venv) or set LLM_UI_PYTHON to a python3 that has it.",
        );
      }
      run("apt-get", ["install", "-y", "-qq", "python3-venv"], "apt-get install python3-venv");
      run(python, ["-m", "venv", VENV], "Creating the virtual environment");
    }
  }
  run(join(VENV, "bin", "pip"), ["install", "-q", ...LAB_REQUIREMENTS], "pip install");
  if (!labReady(jupyter)) {
    throw new Error(
      `JupyterLab 4 with the ${PLOTLY_EXTENSION} extension did not install into ${VENV}; ` +
        `\`${jupyter} labextension list\` shows what is there. Delete ${VENV} to start over.`,
    );
  }
  return jupyter;
}

/** The settings older versions of the UI test wrote into the venv (autosave off, ...). */
const TEST_OVERRIDES = {
  "@jupyterlab/notebook-extension:tracker": { windowingMode: "none" },
  "@jupyterlab/docmanager-extension:plugin": { autosave: false },
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false" },
};

function removeStaleTestSettings() {
  // Older test runs left these in the shared venv, where `deno task lab` would pick them up
  // (autosave off). The test now keeps them in a folder of its own; a file a person edited
  // is left alone.
  const path = join(VENV, "share", "jupyter", "lab", "settings", "overrides.json");
  try {
    if (Deno.readTextFileSync(path) === JSON.stringify(TEST_OVERRIDES)) Deno.removeSync(path);
  } catch { /* none */ }
}

/** Debian's Chromium, installed with apt when missing and running as root. */
export function ensureChromium(): string {
  const found = () =>
    [Deno.env.get("LLM_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
      .find((p) => p && existsSync(p));
  let path = found();
  if (path) return path;
  if (!isRoot()) {
    throw new Error(
      "No Chromium found. Install Debian's (sudo apt-get install -y chromium) or set " +
        "LLM_CHROMIUM to a Chrome/Chromium binary.",
    );
  }
  run("apt-get", ["update", "-qq"], "apt-get update");
  run("apt-get", ["install", "-y", "-qq", "chromium"], "apt-get install chromium");
  path = found();
  if (!path) throw new Error("apt-get installed chromium, but /usr/bin/chromium is missing.");
  return path;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running JupyterLab server. */
export interface LabServer {
  url: string;
  token: string;
  /** The server's root folder: `notebooks/` copies next to links to the project's files. */
  root: string;
  stop(): Promise<void>;
}

/**
 * Starts JupyterLab on a free port of 127.0.0.1 with a random token, serving a scratch folder
 * whose `notebooks/` holds copies of `notebooks` (so runs never touch the committed files) and
 * whose lib/, testing/, data/, deno.json, node_modules link to the project's. Settings: every cell
 * rendered (no windowing, so the DOM holds all outputs), autosave off. `env` goes to kernels.
 */
export async function startLab(
  jupyter: string,
  notebooks: string[],
  env: Record<string, string>,
): Promise<LabServer> {
  const root = Deno.makeTempDirSync({ prefix: "llm-ui-" });
  for (const name of ["lib", "testing", "data", "deno.json", "deno.lock", "node_modules"]) {
    if (existsSync(join(ROOT, name))) Deno.symlinkSync(join(ROOT, name), join(root, name));
  }
  Deno.mkdirSync(join(root, "notebooks"));
  for (const nb of notebooks) {
    Deno.copyFileSync(nb, join(root, "notebooks", nb.split("/").pop()!));
  }
  const home = Deno.makeTempDirSync({ prefix: "llm-ui-home-" });
  // Settings for this server only (not the shared venv's, which `deno task lab` reads).
  const settings = join(home, "app-settings");
  Deno.mkdirSync(settings, { recursive: true });
  Deno.writeTextFileSync(join(settings, "overrides.json"), JSON.stringify(TEST_OVERRIDES));
  const port = freePort(), token = crypto.randomUUID().replaceAll("-", "");
  const proc = new Deno.Command(jupyter, {
    args: [
      "lab",
      "--no-browser",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.port=${port}`,
      "--ServerApp.port_retries=0",
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${root}`,
      `--LabApp.app_settings_dir=${settings}`,
      "--LabApp.expose_app_in_browser=True",
      "--LabApp.news_url=",
      "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
      ...(isRoot() ? ["--allow-root"] : []), // CI runs as root
    ],
    env: {
      ...env,
      // A fresh data dir: no trust database, so committed notebooks open untrusted.
      JUPYTER_DATA_DIR: join(home, "data"),
      JUPYTER_CONFIG_DIR: join(home, "config"),
      JUPYTER_RUNTIME_DIR: join(home, "runtime"),
      JUPYTER_PATH: makeKernelDir(),
    },
    stdout: "null",
    stderr: Deno.env.get("LLM_UI_DEBUG") ? "inherit" : "null",
  }).spawn();
  let exited: Deno.CommandStatus | undefined;
  proc.status.then((s) => exited = s);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      await r.body?.cancel();
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (exited) {
      throw new Error(
        `JupyterLab exited (code ${exited.code}) before answering; LLM_UI_DEBUG=1 shows its log.`,
      );
    }
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`JupyterLab did not answer on ${url} within 90 s.`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    token,
    root,
    stop: async () => {
      if (!exited) proc.kill("SIGTERM");
      await proc.status;
      Deno.removeSync(root, { recursive: true });
      Deno.removeSync(home, { recursive: true });
    },
  };
}
