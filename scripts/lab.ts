/**
 * `deno task lab [--no-browser] [--port N]`: opens the course in JupyterLab 4.
 *
 * Makes sure `.venv-ui/` has JupyterLab and plotly's renderer extension (the install
 * `deno task test:ui` uses), registers the Deno kernel (`deno task kernel`), and serves
 * notebooks/ on 127.0.0.1 with a fresh random token, printing the URL with the token. JupyterLab
 * opens a browser itself when it can; `--no-browser` is for servers (forward the port, e.g.
 * `ssh -L 8888:127.0.0.1:8888`). Ctrl-C stops the server and its kernels.
 *
 * Trust: the committed notebooks open untrusted (no one signed them on this machine), and
 * nothing here trusts them. It does not need to: plotly's renderer (`jupyterlab-plotly`)
 * declares itself safe, so JupyterLab uses it for untrusted outputs too. It shows the PNG the
 * output carries and draws the figure with plotly.js as soon as the mouse enters it (checked
 * by `deno task test:ui` on each notebook's committed outputs). Trusting would only enable
 * outputs' HTML and JavaScript, which the notebooks do not need.
 *
 * @module
 */
import { join } from "node:path";
import { type FlagSpecs, flagUsage, parseFlags } from "./flags.ts";
import { ROOT } from "./jupyter.ts";
import { installKernel } from "./kernel.ts";
import { ensureJupyterLab } from "./ui_env.ts";

const FLAGS = {
  noBrowser: {
    kind: "bool",
    description: "do not open a browser (on a server: open the printed URL yourself)",
    default: false,
  },
  port: {
    kind: "int",
    description: "port on 127.0.0.1 (default: the first free one from 8888 on)",
  },
} as const satisfies FlagSpecs;

const USAGE = flagUsage("Usage: deno task lab [--no-browser] [--port N]", FLAGS);

/**
 * The first port from `start` on (up to 50 tried) that 127.0.0.1 can listen on.
 *
 * @example
 * ```ts
 * import { firstFreePort } from "./lab.ts";
 * console.log(firstFreePort(8888) >= 8888); // true
 * ```
 */
export function firstFreePort(start: number): number {
  for (let port = start; port < start + 50; port++) {
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch { /* taken */ }
  }
  throw new Error(`No free port in ${start}..${start + 49}; pass one with --port N.`);
}

/**
 * The `jupyter lab` arguments: notebooks/ as the root, 127.0.0.1 only, the given port (no
 * silent move to another one, so the printed URL is right), the given token, quiet logs.
 *
 * @example
 * ```ts
 * import { labArgs } from "./lab.ts";
 * const args = labArgs({ root: "/c/notebooks", port: 8888, token: "t", openBrowser: false });
 * console.log(args.includes("--no-browser")); // true
 * ```
 */
export function labArgs(
  o: { root: string; port: number; token: string; openBrowser: boolean; asRoot?: boolean },
): string[] {
  return [
    "lab",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${o.port}`,
    "--ServerApp.port_retries=0",
    `--IdentityProvider.token=${o.token}`,
    `--ServerApp.root_dir=${o.root}`,
    "--ServerApp.log_level=WARN",
    ...(o.openBrowser ? [] : ["--no-browser"]),
    ...(o.asRoot ? ["--allow-root"] : []),
  ];
}

async function waitForServer(url: string, token: string, exited: () => boolean) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      await r.body?.cancel();
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (exited()) throw new Error("JupyterLab exited before it answered; its log is above.");
    if (Date.now() > deadline) throw new Error(`JupyterLab did not answer on ${url} in 120 s.`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(argv: string[]) {
  const f = parseFlags(argv, FLAGS);
  if (f.help) {
    console.log(USAGE);
    return;
  }
  const jupyter = ensureJupyterLab();
  installKernel();
  const port = f.port ?? firstFreePort(8888);
  const token = crypto.randomUUID().replaceAll("-", "");
  let asRoot = false;
  try {
    asRoot = Deno.uid() === 0;
  } catch { /* Windows */ }
  const proc = new Deno.Command(jupyter, {
    args: labArgs({
      root: join(ROOT, "notebooks"),
      port,
      token,
      openBrowser: !f.noBrowser,
      asRoot,
    }),
    // Its own session: Ctrl-C reaches only this script, which stops the server with SIGTERM
    // (JupyterLab then shuts its kernels down) instead of JupyterLab asking "Shutdown?".
    detached: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  let exited = false;
  const status = proc.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = () => {
    if (!exited) {
      console.log("\nStopping JupyterLab ...");
      proc.kill("SIGTERM");
    }
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(url, token, () => exited);
  } catch (e) {
    stop();
    throw e;
  }
  console.log(
    [
      "",
      "JupyterLab serves notebooks/ at",
      `    ${url}/lab?token=${token}`,
      "The token is the password for this run; it changes each start. Plots are interactive",
      "(plotly): move the mouse onto one to zoom and read values. Pick the kernel named Deno.",
      "Ctrl-C stops the server.",
      "",
    ].join("\n"),
  );
  const s = await status;
  for (const sig of signals) Deno.removeSignalListener(sig, stop);
  Deno.exit(s.success || s.signal === "SIGTERM" ? 0 : s.code);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`lab: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
