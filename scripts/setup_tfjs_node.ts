/**
 * `deno task setup:tfjs-node`: makes the `tensorflow` backend (`@tensorflow/tfjs-node`) run under
 * Deno without Google's storage bucket, from the registries this project reaches:
 *
 * 1. TensorFlow's C library from TensorFlow's CPU wheel on PyPI (`pip download tensorflow-cpu
 *    --no-deps`): `libtensorflow_cc.so.2` exports the C and eager C APIs (TF_*, TFE_*) that
 *    tfjs-node's binding calls, and the wheel carries their headers.
 * 2. The binding compiled from the C++ sources `@tensorflow/tfjs-node` ships (`binding/*.cc`)
 *    against those headers and Node-API's (npm `node-api-headers`, or the system's), with g++.
 * 3. The binding placed where tfjs-node's loader (node-pre-gyp) looks for it
 *    (`lib/napi-v8/tfjs_binding.node` in the package), linked to the library by absolute rpath.
 * 4. lib's fused ops (`lib/backend/native/llm_ops.cc`: AdamW, LayerNorm, GELU, causal attention)
 *    compiled against the wheel's C++ headers into `.tfjs-node/lib/libllm_ops.so`, with the
 *    source's SHA-256 beside it so that lib/backend loads only a build of the current source.
 *    Rerun after that file changes: only the ops are rebuilt (about a minute).
 *
 * The C library stays in `.tfjs-node/lib` (git-ignored, about 850 MB). lib/backend then finds
 * the binding and the `tensorflow` backend is chosen first. Run again after `node_modules` is
 * recreated. Undo: delete `.tfjs-node/` and the package's `lib/` folder.
 *
 *     deno task setup:tfjs-node [--tensorflow 2.21.0] [--python python3] [--force]
 *
 * @module
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { NATIVE_SOURCE, sha256File } from "../lib/backend/native_ops.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tensorflow: { type: "string", default: "2.21.0" },
    python: { type: "string", default: "python3" },
    force: { type: "boolean", default: false },
  },
});

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const work = `${root}/.tfjs-node`;
const libDir = `${work}/lib`;
const require = createRequire(import.meta.url);

function step(what: string): void {
  console.log(`\n== ${what}`);
}

function fail(what: string, why: string, fix: string): never {
  console.error(`\nsetup:tfjs-node failed at: ${what}\n  why: ${why}\n  fix: ${fix}`);
  Deno.exit(1);
}

function sh(cmd: string, args: string[], what: string, fix: string): string {
  let out: Deno.CommandOutput;
  try {
    out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  } catch (e) {
    fail(what, `${cmd} could not start: ${(e as Error).message}`, fix);
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-8).join("\n    ");
    fail(what, `${cmd} ${args.slice(0, 3).join(" ")} ... exited ${out.code}:\n    ${err}`, fix);
  }
  return text;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The `@tensorflow/tfjs-node` package folder in node_modules. */
function packageDir(): string {
  try {
    const pkg = require.resolve("@tensorflow/tfjs-node/package.json");
    return pkg.slice(0, pkg.lastIndexOf("/"));
  } catch {
    fail(
      "finding @tensorflow/tfjs-node",
      "the npm package is not installed in node_modules",
      "run `deno install` in the project (deno.json maps @tensorflow/tfjs-node)",
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
  fail(
    "finding node_api.h",
    "neither npm's node-api-headers nor /usr/include/node has it",
    "add node-api-headers to deno.json's imports, or install Node's headers (apt install nodejs)",
  );
}

const pkg = packageDir();
const bindingDir = `${pkg}/lib/napi-v8`;
const binding = `${bindingDir}/tfjs_binding.node`;
const include = `${work}/include`;
const opsLib = `${libDir}/libllm_ops.so`;
const buildBinding = !exists(binding) || values.force!;
const sourceHash = await sha256File(NATIVE_SOURCE);
const opsCurrent = exists(opsLib) && exists(`${opsLib}.sha256`) &&
  Deno.readTextFileSync(`${opsLib}.sha256`).trim() === sourceHash;
const buildOps = !opsCurrent || values.force!;
if (!buildBinding) console.log(`${binding} is already there; --force rebuilds it.`);
if (!buildOps) console.log(`${opsLib} is current; --force rebuilds it.`);

if (buildBinding || buildOps) {
  Deno.mkdirSync(libDir, { recursive: true });
  const wheelDir = `${work}/wheel`;
  const version = values.tensorflow!;
  step(
    `1. TensorFlow ${version}'s C library and headers from PyPI (tensorflow-cpu wheel, no dependencies)`,
  );
  let wheel = exists(wheelDir)
    ? [...Deno.readDirSync(wheelDir)].find((e) => e.name.includes(`-${version}-`))?.name
    : undefined;
  if (!wheel) {
    sh(
      values.python!,
      [
        "-m",
        "pip",
        "download",
        `tensorflow-cpu==${version}`,
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        wheelDir,
      ],
      "downloading the tensorflow-cpu wheel",
      "check that pip reaches PyPI (pip config list)",
    );
    wheel = [...Deno.readDirSync(wheelDir)].find((e) => e.name.includes(`-${version}-`))?.name;
  }
  if (!wheel) fail("finding the wheel", `no tensorflow-cpu ${version} wheel in ${wheelDir}`, "");
  const libs = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"];
  const libsToo = buildBinding || libs.some((l) => !exists(`${libDir}/${l}`));
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
  sh(
    values.python!,
    // The 850 MB of libraries are written again only when needed; the ops need only headers.
    ["-c", extract, `${wheelDir}/${wheel}`, libDir, include, libsToo ? "1" : "0"],
    "unpacking the wheel",
    "free disk space (the wheel unpacks to about 1.1 GB, 850 MB of which stay)",
  );
  for (const l of libs) {
    if (!exists(`${libDir}/${l}`)) {
      fail(
        "unpacking the wheel",
        `${l} is not in ${wheel}`,
        "pick a 2.x version with --tensorflow",
      );
    }
  }

  if (buildBinding) {
    step("2. Does the library export every TF_/TFE_ function the binding calls?");
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
      fail("checking the C API", `not exported: ${missing.join(", ")}`, "try another --tensorflow");
    }
    console.log(`all ${needed.size} C API functions the binding uses are exported`);

    step("3. Compiling tfjs-node's binding (g++, Node-API 8)");
    const napi = await nodeApiInclude();
    Deno.mkdirSync(bindingDir, { recursive: true });
    sh(
      "g++",
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
    console.log(`built ${binding}`);
  }

  if (buildOps) {
    step(
      "4. Compiling lib's fused ops (lib/backend/native/llm_ops.cc) against TensorFlow's headers",
    );
    // For this CPU; Eigen's AVX512-FP16 code does not build with g++ 12, so that part is off.
    const arch = ["-march=native"];
    const probe = new Deno.Command("g++", {
      args: ["-mno-avx512fp16", "-x", "c++", "-E", "/dev/null"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    if (probe.success) arch.push("-mno-avx512fp16"); // compilers or CPUs without it skip it
    sh(
      "g++",
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
        NATIVE_SOURCE,
        `-L${libDir}`,
        "-l:libtensorflow_framework.so.2",
        `-Wl,-rpath,${libDir}`,
        "-o",
        opsLib,
      ],
      "compiling lib's ops",
      "install a C++ compiler (apt install g++); the backend still works without them",
    );
    Deno.writeTextFileSync(`${opsLib}.sha256`, sourceHash + "\n");
    console.log(`built ${opsLib}`);
  }
  Deno.removeSync(include, { recursive: true }); // 287 MB of headers, only needed to compile
}

step("5. Loading it under Deno through lib/backend");
const check = `
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./lib/backend/mod.ts";
const info = await initBackend({ backend: "tensorflow", report: false });
const y = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
console.log(info.detail);
console.log(info.name + ": 64x64 ones product [0,0] = " + y.dataSync()[0]);
`;
const out = new Deno.Command(Deno.execPath(), {
  args: ["eval", check],
  cwd: root,
  env: { TF_CPP_MIN_LOG_LEVEL: "2" },
  stdout: "piped",
  stderr: "piped",
}).outputSync();
const text = new TextDecoder().decode(out.stdout).trim();
if (!out.success || !text.endsWith("= 64")) {
  fail(
    "loading the binding",
    new TextDecoder().decode(out.stderr).trim().split("\n").slice(-6).join("\n    "),
    "rerun with --force; check `ldd " + binding + "`",
  );
}
console.log(text);
console.log("\nThe tensorflow backend is ready: lib/backend now picks it first.");
