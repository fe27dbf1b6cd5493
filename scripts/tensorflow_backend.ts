/**
 * Builds the `tensorflow` backend (`@tensorflow/tfjs-node`, or `@tensorflow/tfjs-node-gpu` with
 * `gpu: true`) from the registries this project reaches, without Google's storage bucket:
 *
 * 1. TensorFlow's C library from TensorFlow's wheel on PyPI (`tensorflow-cpu`, or the plain
 *    `tensorflow` wheel for the GPU package: its library has CUDA kernels inside and runs on the
 *    CPU when no GPU or CUDA library is found). `libtensorflow_cc.so.2` exports the C and eager
 *    C APIs (TF_*, TFE_*) that tfjs-node's binding calls, and the wheel carries their headers.
 *    The wheel is kept in the user's cache (`~/.cache/llm-from-scratch/wheels`), so a second
 *    clone on the same machine does not download it again.
 * 2. The binding compiled from the C++ sources the npm package ships (`binding/*.cc`) against
 *    those headers and Node-API's, with g++.
 * 3. The binding placed where tfjs-node's loader (node-pre-gyp) looks for it
 *    (`lib/napi-v8/tfjs_binding.node` in the package), linked to the library by absolute rpath.
 * 4. lib's fused ops (`lib/ops/*.cc`) compiled against the wheel's C++ headers
 *    into `libllm_ops.so` beside the library, with the source's SHA-256, so that lib/backend
 *    loads only a build of the current source.
 *
 * The C library stays in `.tfjs-node/lib` (`.tfjs-node-gpu/lib` for the GPU package; git-ignored,
 * about 850 MB and 1 GB). `deno task setup` calls {@link ensureTensorflowBackend}, which does
 * nothing when everything is current, and writes what happened to `status.json` there, which
 * lib/backend reads to say why it fell back to wasm.
 *
 * @module
 */
import { createRequire } from "node:module";
import { nativeSources, nativeSourcesHash } from "../lib/backend/native_ops.ts";
import { TENSORFLOW_BUILDS, type TensorflowBuildStatus } from "../lib/backend/build_status.ts";

/** Options for {@link ensureTensorflowBackend}. */
export interface BuildOptions {
  /** Build `@tensorflow/tfjs-node-gpu` against PyPI's `tensorflow` wheel (default false). */
  gpu?: boolean;
  /** TensorFlow version on PyPI (default 2.21.0). */
  tensorflow?: string;
  /** The Python whose pip downloads the wheel (default `LLM_PYTHON`, else `python3`). */
  python?: string;
  /** Rebuild the binding and the ops even when they are current. */
  force?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What {@link ensureTensorflowBackend} did. */
export interface BuildResult {
  /** True when the backend is built and current. */
  ok: boolean;
  /** "current" (nothing to do), "built", or "skipped" (could not build here; see `why`). */
  action: "current" | "built" | "skipped";
  /** One line for the user. */
  message: string;
}

/** Why a build step failed, and what fixes it. */
export class BuildError extends Error {
  constructor(readonly step: string, readonly why: string, readonly fix: string) {
    super(`${step}: ${why}${fix ? ` (fix: ${fix})` : ""}`);
  }
}

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The C++ compiler: `CXX` when set (as make and CMake read it), else g++. */
const CXX = () => Deno.env.get("CXX") || "g++";
const require = createRequire(import.meta.url);

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sh(cmd: string, args: string[], step: string, fix: string): string {
  let out: Deno.CommandOutput;
  try {
    out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  } catch (e) {
    throw new BuildError(step, `${cmd} could not start: ${(e as Error).message}`, fix);
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-6).join(" | ");
    throw new BuildError(
      step,
      `${cmd} ${args.slice(0, 3).join(" ")} ... exited ${out.code}: ${err}`,
      fix,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

function works(cmd: string, args: string[]): string | undefined {
  try {
    const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The npm package folder in node_modules. */
function packageDir(name: string): string {
  try {
    const pkg = require.resolve(`${name}/package.json`);
    return pkg.slice(0, pkg.lastIndexOf("/"));
  } catch {
    throw new BuildError(
      `finding ${name}`,
      "the npm package is not installed in node_modules",
      `run \`deno install\` in the project (deno.json maps ${name})`,
    );
  }
}

/** Node-API headers: npm's `node-api-headers`, else the system's (Debian: nodejs). */
async function nodeApiInclude(): Promise<string> {
  try {
    const mod = await import("node-api-headers");
    const dir = (mod.default ?? mod).include_dir as string;
    if (exists(`${dir}/node_api.h`)) return dir;
  } catch {
    // fall through to the system headers
  }
  for (const dir of ["/usr/include/node", "/usr/local/include/node"]) {
    if (exists(`${dir}/node_api.h`)) return dir;
  }
  throw new BuildError(
    "finding node_api.h",
    "neither npm's node-api-headers nor /usr/include/node has it",
    "add node-api-headers to deno.json's imports, or install Node's headers (apt install nodejs)",
  );
}

/**
 * Checks what a build needs before any download: Linux x86-64, a Python >= 3.9 with pip, g++
 * and nm. As root with apt-get, a missing compiler is installed. Throws {@link BuildError}.
 */
function checkPrerequisites(python: string, log: (s: string) => void): void {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    throw new BuildError(
      "checking the platform",
      `TensorFlow's PyPI C library is used here for Linux x86-64 only; this is ` +
        `${Deno.build.os}/${Deno.build.arch}`,
      "none needed: wasm runs everywhere",
    );
  }
  const version = works(python, [
    "-c",
    "import sys; print('%d.%d' % sys.version_info[:2])",
  ]);
  if (!version) {
    throw new BuildError(
      "finding Python",
      `\`${python}\` does not run`,
      "install Python >= 3.9 with pip, or set LLM_PYTHON",
    );
  }
  const [major, minor] = version.split(".").map(Number);
  if (major < 3 || (major === 3 && minor < 9)) {
    throw new BuildError("finding Python", `${python} is ${version}`, "use Python >= 3.9");
  }
  if (!works(python, ["-m", "pip", "--version"])) {
    throw new BuildError(
      "finding pip",
      `${python} has no pip`,
      "install pip (apt install python3-pip)",
    );
  }
  const missing = [CXX(), "nm"].filter((t) => works(t, ["--version"]) === undefined);
  // Debian's g++ is installed only for the default compiler: a CXX that is missing is an error.
  const installable = !Deno.env.get("CXX") || missing.every((t) => t === "nm");
  if (missing.length > 0 && installable && Deno.uid() === 0 && works("apt-get", ["--version"])) {
    log(`installing ${missing.join(" and ")} with apt-get`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    new Deno.Command("apt-get", { args: ["update", "-qq"], env, stdout: "null", stderr: "null" })
      .outputSync();
    new Deno.Command("apt-get", {
      args: ["install", "-y", "-qq", "g++", "binutils"],
      env,
      stdout: "null",
      stderr: "null",
    }).outputSync();
  }
  for (const tool of [CXX(), "nm"]) {
    if (works(tool, ["--version"]) === undefined) {
      throw new BuildError(
        "finding the compiler",
        `no ${tool} on PATH`,
        "install a C++ compiler and binutils (apt install g++ binutils)",
      );
    }
  }
}

function cacheDir(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ??
    (Deno.env.get("HOME") ? `${Deno.env.get("HOME")}/.cache` : `${ROOT}/.tfjs-node`);
  return `${base}/llm-from-scratch/wheels`;
}

function writeStatus(file: string, status: TensorflowBuildStatus): void {
  try {
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(file, JSON.stringify(status, null, 1) + "\n");
  } catch {
    // the status only improves messages; a read-only checkout still runs
  }
}

/**
 * Makes sure the tensorflow backend is built and current; builds what is missing. Never throws:
 * when it cannot build here, the answer says why (and lib/backend then runs on wasm).
 *
 * @example
 * ```ts ignore
 * import { ensureTensorflowBackend } from "./tensorflow_backend.ts";
 * const r = await ensureTensorflowBackend({ log: console.log });
 * console.log(r.message); // "tensorflow backend: current (...)" when already built
 * ```
 */
export async function ensureTensorflowBackend(options: BuildOptions = {}): Promise<BuildResult> {
  const gpu = options.gpu ?? false;
  const build = TENSORFLOW_BUILDS[gpu ? "tensorflow-gpu" : "tensorflow"];
  const what = gpu ? "tensorflow-gpu backend" : "tensorflow backend";
  try {
    const r = await buildOrCheck(options, build, gpu);
    writeStatus(build.statusFile, { ok: true, message: r.message, at: new Date().toISOString() });
    return r;
  } catch (e) {
    const why = e instanceof BuildError ? e.message : `unexpected: ${(e as Error).message}`;
    writeStatus(build.statusFile, { ok: false, message: why, at: new Date().toISOString() });
    return { ok: false, action: "skipped", message: `${what} not built (${why}); using wasm` };
  }
}

async function buildOrCheck(
  options: BuildOptions,
  build: typeof TENSORFLOW_BUILDS["tensorflow"],
  gpu: boolean,
): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const force = options.force ?? false;
  const python = options.python ?? Deno.env.get("LLM_PYTHON") ?? "python3";
  const version = options.tensorflow ?? "2.21.0";
  const wheelName = gpu ? "tensorflow" : "tensorflow-cpu";
  const pkg = packageDir(build.npm);
  const bindingDir = `${pkg}/lib/napi-v8`;
  const binding = `${bindingDir}/tfjs_binding.node`;
  const libDir = build.libDir;
  const opsLib = `${libDir}/libllm_ops.so`;
  const libs = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"];
  const sourceHash = await nativeSourcesHash();
  const libsThere = libs.every((l) => exists(`${libDir}/${l}`));
  const buildBinding = force || !exists(binding) || !libsThere;
  const opsCurrent = exists(opsLib) && exists(`${opsLib}.sha256`) &&
    Deno.readTextFileSync(`${opsLib}.sha256`).trim() === sourceHash;
  const buildOps = force || !opsCurrent;
  const name = gpu ? "tensorflow-gpu" : "tensorflow";
  if (!buildBinding && !buildOps) {
    return {
      ok: true,
      action: "current",
      message: `${name} backend: current (${build.npm} binding and lib's fused ops built ` +
        `against TensorFlow in ${libDir.slice(ROOT.length + 1)})`,
    };
  }
  const t0 = performance.now();
  checkPrerequisites(python, log);
  Deno.mkdirSync(libDir, { recursive: true });
  const include = `${libDir}/../include`;
  const wheelDir = cacheDir();
  Deno.mkdirSync(wheelDir, { recursive: true });
  // `tensorflow-2.21.0-...` must not match `tensorflow_cpu-2.21.0-...` and vice versa.
  const prefix = `${wheelName.replace("-", "_")}-${version}-`;
  const findWheel = () => [...Deno.readDirSync(wheelDir)].find((e) => e.name.startsWith(prefix));
  let wheel = findWheel()?.name;
  let downloaded = "";
  if (!wheel) {
    log(`1. downloading ${wheelName} ${version} from PyPI (no dependencies)`);
    const t = performance.now();
    sh(
      python,
      [
        "-m",
        "pip",
        "download",
        `${wheelName}==${version}`,
        "--no-deps",
        "--only-binary=:all:",
        "--quiet",
        "-d",
        wheelDir,
      ],
      `downloading the ${wheelName} wheel`,
      "check that pip reaches PyPI (pip config list)",
    );
    wheel = findWheel()?.name;
    if (wheel) {
      const mb = Deno.statSync(`${wheelDir}/${wheel}`).size / 2 ** 20;
      downloaded = `downloaded ${mb.toFixed(0)} MB in ${
        ((performance.now() - t) / 1000).toFixed(0)
      } s, `;
    }
  } else {
    log(`1. ${wheel} found in ${wheelDir}`);
  }
  if (!wheel) throw new BuildError("finding the wheel", `no ${prefix}* wheel in ${wheelDir}`, "");
  log(`   unpacking the ${buildBinding ? "C library and " : ""}headers`);
  const extract = `
import sys, zipfile, os
whl, lib, inc, libs_too = sys.argv[1:5]
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        base = os.path.basename(n)
        if libs_too == "1" and n.startswith("tensorflow/libtensorflow_") and ".so" in base:
            with open(os.path.join(lib, base), "wb") as f:
                f.write(z.read(n))
        elif n.startswith("tensorflow/include/") and not n.endswith("/"):
            dst = os.path.join(inc, n[len("tensorflow/include/"):])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(z.read(n))
`;
  try {
    sh(
      python,
      // The libraries are written again only when needed; the ops need only the headers.
      ["-c", extract, `${wheelDir}/${wheel}`, libDir, include, buildBinding ? "1" : "0"],
      "unpacking the wheel",
      "free disk space (the wheel unpacks to about 1.1 GB, 850 MB of which stay)",
    );
    for (const l of libs) {
      if (!exists(`${libDir}/${l}`)) {
        throw new BuildError(
          "unpacking the wheel",
          `${l} is not in ${wheel}`,
          "pick another 2.x version",
        );
      }
    }
    if (buildBinding) {
      compileBinding(pkg, libDir, include, binding, bindingDir, libs, log, await nodeApiInclude());
    }
    if (buildOps) compileOps(libDir, include, opsLib, log);
    Deno.writeTextFileSync(`${opsLib}.sha256`, sourceHash + "\n");
  } finally {
    try {
      Deno.removeSync(include, { recursive: true }); // ~290 MB of headers, only for compiling
    } catch { /* nothing unpacked */ }
  }
  checkLoads(name, log);
  const secs = ((performance.now() - t0) / 1000).toFixed(0);
  return {
    ok: true,
    action: "built",
    message: `${name} backend: built in ${secs} s (${downloaded}${
      buildBinding ? "binding and " : ""
    }lib's fused ops against TensorFlow ${version} in ${libDir.slice(ROOT.length + 1)})`,
  };
}

function compileBinding(
  pkg: string,
  libDir: string,
  include: string,
  binding: string,
  bindingDir: string,
  libs: string[],
  log: (s: string) => void,
  napi: string,
): void {
  log("2. checking that the library exports every TF_/TFE_ function the binding calls");
  const sources = ["tfjs_backend.cc", "tfjs_binding.cc", "tfjs_backend.h", "utils.h"]
    .map((f) => Deno.readTextFileSync(`${pkg}/binding/${f}`)).join("\n");
  const needed = new Set(
    [...sources.matchAll(/\b(TFE?_[A-Za-z]+)\(/g)].map((m) => m[1])
      .filter((n) => !/^TFE?_Auto/.test(n)), // the binding's own RAII helpers
  );
  const exported = new Set(
    sh(
      "nm",
      ["-D", "--defined-only", ...libs.map((l) => `${libDir}/${l}`)],
      "listing symbols",
      "apt install binutils",
    )
      .split("\n").map((l) => l.trim().split(/\s+/)[2]?.replace(/@.*/, "")).filter(Boolean),
  );
  const missing = [...needed].filter((n) => !exported.has(n));
  if (missing.length > 0) {
    throw new BuildError(
      "checking the C API",
      `not exported: ${missing.join(", ")}`,
      "try another --tensorflow",
    );
  }
  log(
    `3. compiling tfjs-node's binding (g++, Node-API 8; all ${needed.size} C API functions found)`,
  );
  Deno.mkdirSync(bindingDir, { recursive: true });
  sh(
    CXX(),
    [
      "-O2",
      "-std=c++17",
      "-shared",
      "-fPIC",
      "-DNAPI_VERSION=8",
      `-I${napi}`,
      `-I${pkg}`,
      `-I${include}`,
      `${pkg}/binding/tfjs_backend.cc`,
      `${pkg}/binding/tfjs_binding.cc`,
      `-L${libDir}`,
      "-l:libtensorflow_cc.so.2",
      "-l:libtensorflow_framework.so.2",
      `-Wl,-rpath,${libDir}`,
      "-o",
      binding,
    ],
    "compiling the binding",
    "install a C++ compiler (apt install g++)",
  );
}

function compileOps(
  libDir: string,
  include: string,
  opsLib: string,
  log: (s: string) => void,
): void {
  log("4. compiling lib's fused ops (lib/ops/*.cc) against TensorFlow's headers");
  // For this CPU; Eigen's AVX512-FP16 code does not build with g++ 12, so that part is off.
  const arch = ["-march=native"];
  if (works(CXX(), ["-mno-avx512fp16", "-x", "c++", "-E", "/dev/null"]) !== undefined) {
    arch.push("-mno-avx512fp16"); // compilers or CPUs without it skip it
  }
  sh(
    CXX(),
    [
      "-O3",
      ...arch,
      "-std=c++17",
      "-shared",
      "-fPIC",
      "-w", // TensorFlow's headers warn about their own deprecations
      "-D_GLIBCXX_USE_CXX11_ABI=1",
      "-DEIGEN_MAX_ALIGN_BYTES=64",
      `-I${include}`,
      ...nativeSources().filter((p) => p.endsWith(".cc")),
      `-L${libDir}`,
      "-l:libtensorflow_framework.so.2",
      `-Wl,-rpath,${libDir}`,
      "-o",
      opsLib,
    ],
    "compiling lib's ops",
    "install a C++ compiler (apt install g++)",
  );
}

/** Loads the new build in a fresh Deno through lib/backend and multiplies two matrices. */
function checkLoads(name: string, log: (s: string) => void): void {
  log("5. loading it under Deno through lib/backend");
  const check = `
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./lib/backend/mod.ts";
const info = await initBackend({ backend: "${name}", report: false });
const y = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
console.log(info.detail);
console.log("64x64 ones product [0,0] = " + y.dataSync()[0]);
`;
  const out = new Deno.Command(Deno.execPath(), {
    args: ["eval", check],
    cwd: ROOT,
    env: { LLM_BACKEND: name },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !text.endsWith("= 64")) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-4).join(" | ");
    throw new BuildError(
      "loading the binding",
      err || text,
      "rerun `deno task setup:tfjs-node --force`",
    );
  }
  for (const line of text.split("\n")) log(`   ${line}`);
}
