/**
 * `deno task kernel`: installs or updates the Deno Jupyter kernelspec so that JupyterLab,
 * classic Notebook and VS Code find the **Deno** kernel, pointing it at a deno binary that
 * stays put: the `deno` on PATH when there is one outside npx's cache, otherwise one installed
 * with `npm install -g deno@2.9.6`. (`npx deno` lives in a cache npm may clean, which would
 * leave a kernelspec that cannot start.)
 *
 * @module
 */
import { join } from "node:path";

/** The Deno version the project pins (CI runs `npx -y deno@2.9.6`). */
export const PINNED_DENO = "2.9.6";

/** True for paths inside npm's npx cache, which npm may clean at any time. */
export function isEphemeral(path: string): boolean {
  return /[\\/]_npx[\\/]|[\\/]\.npm[\\/]/.test(path);
}

function output(cmd: string, args: string[]): string | undefined {
  try {
    const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
    return r.success ? new TextDecoder().decode(r.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The real binary behind a `deno` command (npm's `deno` may be a wrapper script). */
function realDeno(cmd: string): string | undefined {
  return output(cmd, ["eval", "console.log(Deno.execPath())"]);
}

/** A deno binary outside npx's cache: PATH's, this one, or one `npm install -g` puts in place. */
export function stableDeno(): string {
  const candidates = [output("which", ["deno"]), Deno.execPath()].filter((p): p is string => !!p);
  for (const c of candidates) {
    const real = realDeno(c);
    if (real && !isEphemeral(real)) return real;
  }
  console.log(
    `No deno outside npx's cache; installing deno@${PINNED_DENO} with npm install -g ...`,
  );
  const r = new Deno.Command("npm", {
    args: ["install", "-g", `deno@${PINNED_DENO}`],
    stdout: "inherit",
    stderr: "inherit",
  }).outputSync();
  const prefix = output("npm", ["prefix", "-g"]);
  const real = r.success && prefix ? realDeno(join(prefix, "bin", "deno")) : undefined;
  if (!real) {
    throw new Error(
      `npm install -g deno@${PINNED_DENO} failed. Install Deno (https://deno.land) so that ` +
        "`deno` is on PATH, then run `deno task kernel` again.",
    );
  }
  return real;
}

/** Where `deno jupyter --install` writes the user kernelspec on this OS (it ignores
 * JUPYTER_DATA_DIR; Jupyter looks there too). */
export function kernelSpecPath(): string {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  const dataDir = Deno.build.os === "darwin"
    ? join(home, "Library", "Jupyter")
    : Deno.build.os === "windows"
    ? join(Deno.env.get("APPDATA") ?? home, "jupyter")
    : join(Deno.env.get("XDG_DATA_HOME") ?? join(home, ".local", "share"), "jupyter");
  return join(dataDir, "kernels", "deno", "kernel.json");
}

function existingArgv0(spec: string): string | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(spec)).argv?.[0];
  } catch {
    return undefined;
  }
}

/** Installs the kernelspec with a stable deno (replacing an existing one); returns its path. */
export function installKernel(): string {
  const deno = stableDeno();
  const spec = kernelSpecPath();
  const before = existingArgv0(spec);
  if (before !== undefined) {
    console.log(
      `A Deno kernelspec exists at ${spec} (runs ${before}); replacing it (--force).`,
    );
  }
  const r = new Deno.Command(deno, {
    args: ["jupyter", "--install", ...(before !== undefined ? ["--force"] : [])],
    stdout: "inherit",
    stderr: "inherit",
  }).outputSync();
  const after = existingArgv0(spec);
  if (!r.success || after === undefined) {
    throw new Error(`\`${deno} jupyter --install\` did not write ${spec}.`);
  }
  if (isEphemeral(after)) {
    throw new Error(`The kernelspec at ${spec} points into npx's cache (${after}).`);
  }
  console.log(`Kernelspec ${spec} runs ${after} (Deno ${Deno.version.deno} ran this task).`);
  return spec;
}

if (import.meta.main) {
  installKernel();
  console.log(
    "JupyterLab / Notebook: pick the kernel named Deno. VS Code: install the Jupyter " +
      "extension, open a notebook, Select Kernel > Jupyter Kernel... > Deno.",
  );
}
