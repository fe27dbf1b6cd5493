/**
 * Run-time choice of the TensorFlow.js backend.
 *
 * Order: `tensorflow` from `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` (built by
 * `deno task setup`, which every task runs first), `webgpu` when `navigator.gpu` gives a
 * hardware adapter, `wasm`, `cpu`. Only what the choice needs is probed: with tensorflow built,
 * no WebGPU adapter is requested. `LLM_BACKEND=<name>` forces one. The choice is always
 * reported, and when tensorflow is missing the report says why (from setup's last attempt).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { patchWasmKernels } from "./wasm_kernels.ts";
import { restoreNodeUtilForTfjsNode } from "./_node_compat.ts";
import { loadNativeOps } from "./native_ops.ts";
import { startThreadedWasm } from "./_wasm_threads.ts";
import { readBuildStatus } from "./build_status.ts";
import { withoutTensorflowNotices } from "./_quiet_stderr.ts";
import { withAdapterStorageLimit } from "./webgpu_programs.ts";

/** Names accepted by `LLM_BACKEND` and {@link initBackend}. */
export const BACKEND_NAMES = [
  "tensorflow-gpu",
  "tensorflow",
  "webgpu",
  "wasm",
  "cpu",
] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = typeof BACKEND_NAMES[number];

/** Whether a backend can run here, and why not when it cannot. */
export interface BackendProbe {
  /** The backend's name. */
  name: BackendName;
  /** True when {@link initBackend} can select it. */
  available: boolean;
  /** True when automatic selection will consider it (false for software GPU adapters). */
  auto: boolean;
  /** What was found, or why it is unavailable and how to enable it. */
  detail: string;
}

/** What {@link initBackend} chose. */
export interface BackendInfo {
  /** The selected backend. */
  name: BackendName;
  /** The tfjs backend name (`tensorflow`, `webgpu`, `wasm` or `cpu`). */
  tfName: string;
  /** Why it was chosen and what it runs on. */
  detail: string;
  /** Every backend that was probed. */
  probes: BackendProbe[];
}

/** Why a tensorflow backend is missing: setup's last word on it, or how to build it. */
function notBuilt(name: "tensorflow" | "tensorflow-gpu"): string {
  const status = readBuildStatus(name);
  if (status && !status.ok) return `not built: ${status.message}`;
  return name === "tensorflow"
    ? "not built: `deno task setup` builds it (Linux x86-64 with Python >= 3.9, pip and g++)"
    : "not built: `deno task setup:tfjs-node --gpu` builds it (PyPI's tensorflow wheel)";
}

const require = createRequire(import.meta.url);

function tfjsNodeInstalled(pkg: string): boolean {
  try {
    const main = require.resolve(pkg);
    // The package can be present without its native binding when its install script did not run.
    const dir = main.slice(0, main.lastIndexOf("/dist/"));
    for (const entry of Deno.readDirSync(`${dir}/lib`)) {
      if (!entry.isDirectory || !entry.name.startsWith("napi-v")) continue;
      Deno.statSync(`${dir}/lib/${entry.name}/tfjs_binding.node`);
      return true;
    }
    return false;
  } catch {
    return false;
  }
}

let webgpuAdapterDetail:
  | { available: boolean; auto: boolean; detail: string }
  | undefined;

async function probeWebGPU() {
  if (webgpuAdapterDetail) return webgpuAdapterDetail;
  // Mesa's Vulkan drivers print "error: XDG_RUNTIME_DIR is invalid or not set" when it is unset
  // (servers, containers); a private directory keeps the probe quiet.
  if (!Deno.env.get("XDG_RUNTIME_DIR")) {
    try {
      Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "llm-xdg-" }));
    } catch { /* no temp dir: the warning is harmless */ }
  }
  // Loading libtensorflow after a WebGPU adapter was requested crashes the process (segfault,
  // seen with Mesa's Vulkan drivers and TensorFlow 2.21's C library); the other order works.
  // So when the tensorflow backend is installed, load it before asking for an adapter.
  if (tfjsNodeInstalled("@tensorflow/tfjs-node-gpu")) await register("tensorflow-gpu");
  else if (tfjsNodeInstalled("@tensorflow/tfjs-node")) await register("tensorflow");
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu) {
    return webgpuAdapterDetail = {
      available: false,
      auto: false,
      detail: "navigator.gpu is missing",
    };
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return webgpuAdapterDetail = {
        available: false,
        auto: false,
        detail: "navigator.gpu gave no adapter (no GPU driver)",
      };
    }
    const info = adapter.info ?? {};
    const desc = info.description || info.vendor || "unknown adapter";
    const software = info.isFallbackAdapter === true ||
      /llvmpipe|swiftshader/i.test(desc);
    return webgpuAdapterDetail = {
      available: true,
      auto: !software,
      detail: software
        ? `software adapter ${desc}: slower than wasm, used only with LLM_BACKEND=webgpu`
        : `adapter ${desc}`,
    };
  } catch (e) {
    return webgpuAdapterDetail = {
      available: false,
      auto: false,
      detail: `requestAdapter failed: ${(e as Error).message}`,
    };
  }
}

/**
 * Lists every backend with whether it can run here.
 *
 * @example
 * ```ts
 * import { probeBackends } from "./select.ts";
 * for (const p of await probeBackends()) console.log(p.name, p.available, p.detail);
 * ```
 */
export async function probeBackends(): Promise<BackendProbe[]> {
  return [...nativeProbes(), { name: "webgpu", ...(await probeWebGPU()) }, ...jsProbes()];
}

function nativeProbes(): BackendProbe[] {
  const gpuNode = tfjsNodeInstalled("@tensorflow/tfjs-node-gpu");
  const node = tfjsNodeInstalled("@tensorflow/tfjs-node");
  return [
    {
      name: "tensorflow-gpu",
      available: gpuNode,
      auto: gpuNode,
      detail: gpuNode
        ? "@tensorflow/tfjs-node-gpu (TensorFlow with CUDA kernels)"
        : notBuilt("tensorflow-gpu"),
    },
    {
      name: "tensorflow",
      available: node,
      auto: node,
      detail: node ? "@tensorflow/tfjs-node (TensorFlow, CPU)" : notBuilt("tensorflow"),
    },
  ];
}

function jsProbes(): BackendProbe[] {
  return [
    {
      name: "wasm",
      available: true,
      auto: true,
      detail: "@tensorflow/tfjs-backend-wasm (SIMD, XNNPACK)",
    },
    { name: "cpu", available: true, auto: true, detail: "pure JavaScript" },
  ];
}

const registered = new Set<BackendName>();

async function register(name: BackendName): Promise<string> {
  if (name === "cpu") return "cpu";
  if (name === "wasm") {
    if (!registered.has(name)) {
      const main = require.resolve("@tensorflow/tfjs-backend-wasm");
      setWasmPaths(main.slice(0, main.lastIndexOf("/") + 1));
      patchWasmKernels();
    }
    registered.add(name);
    return "wasm";
  }
  if (name === "webgpu") {
    if (!registered.has(name)) await import("@tensorflow/tfjs-backend-webgpu");
    registered.add(name);
    return "webgpu";
  }
  if (!registered.has(name)) {
    // Imported only once probeBackends has found the native binding that the package's
    // install script (run only when the user allows it) downloads, or that
    // `deno task setup:tfjs-node` builds from TensorFlow's PyPI wheel.
    restoreNodeUtilForTfjsNode();
    // TensorFlow's C++ logs a oneDNN notice and absl's "All log messages before
    // absl::InitializeLog()" warning on load; keep only errors (TF_CPP_MIN_LOG_LEVEL=2).
    if (!Deno.env.get("TF_CPP_MIN_LOG_LEVEL")) Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "2");
    // One literal specifier per branch, so that `deno publish` can resolve both imports.
    await withoutTensorflowNotices(() =>
      name === "tensorflow-gpu"
        ? import("@tensorflow/tfjs-node-gpu")
        : import("@tensorflow/tfjs-node")
    );
  }
  registered.add(name);
  return "tensorflow";
}

function parseName(value: string): BackendName {
  const name = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) {
    return name as BackendName;
  }
  throw new Error(
    `Unknown backend "${value}". Use one of: ${BACKEND_NAMES.join(", ")} ` +
      `(set LLM_BACKEND or pass { backend }).`,
  );
}

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /** Force a backend; defaults to `LLM_BACKEND` from the environment, else automatic. */
  backend?: string;
  /** Print the choice (default true). */
  report?: boolean;
  /**
   * Threads for the wasm backend (default `LLM_WASM_THREADS`, else 1): 2-8 start tfjs's
   * multi-threaded build. Takes effect only where wasm has not started yet in this process.
   */
  wasmThreads?: number;
}

let wasmThreadsInUse: number | undefined;

let current: BackendInfo | undefined;

/**
 * Chooses, initialises and reports the tfjs backend. Later calls with no explicit choice
 * return the first answer.
 *
 * @example
 * ```ts
 * import { initBackend } from "./select.ts";
 * const info = await initBackend({ backend: "cpu", report: false });
 * console.log(info.name); // "cpu"
 * ```
 */
export async function initBackend(
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const forced = options.backend ?? Deno.env.get("LLM_BACKEND") ?? "";
  if (!forced && current) return current;
  // Probe only what the choice needs: a built tensorflow wins without asking for a GPU adapter.
  let probes = nativeProbes();
  if (forced ? parseName(forced) === "webgpu" : !probes.some((p) => p.available)) {
    probes = await probeBackends();
  } else {
    probes = [...probes, ...jsProbes()];
  }
  let chosen: BackendProbe;
  if (forced) {
    const name = parseName(forced);
    chosen = probes.find((p) => p.name === name)!;
    if (!chosen.available) {
      const list = probes.filter((p) => p.available).map((p) => p.name).join(
        ", ",
      );
      throw new Error(
        `Backend "${name}" is not available here: ${chosen.detail}. Available: ${list}.`,
      );
    }
  } else {
    chosen = probes.find((p) => p.available && p.auto)!;
  }
  // Said when the fast backend is missing, so the reader knows why this run is slower.
  const fellBack = !chosen.name.startsWith("tensorflow") && !forced
    ? `; tensorflow ${probes.find((p) => p.name === "tensorflow")!.detail}`
    : "";
  const tfName = await register(chosen.name);
  const threads = options.wasmThreads ?? Number(Deno.env.get("LLM_WASM_THREADS") ?? 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 8) {
    throw new Error(
      `wasm threads must be an integer from 1 to 8 (LLM_WASM_THREADS or { wasmThreads }), ` +
        `got ${options.wasmThreads ?? Deno.env.get("LLM_WASM_THREADS")}.`,
    );
  }
  let threadNote = "";
  if (tfName === "wasm") {
    if (wasmThreadsInUse === undefined && threads > 1) {
      wasmThreadsInUse = await startThreadedWasm(threads);
    } else if (wasmThreadsInUse === undefined) {
      wasmThreadsInUse = 1;
    }
    threadNote = wasmThreadsInUse > 1
      ? `; ${wasmThreadsInUse} threads (threaded build)`
      : threads > 1
      ? `; 1 thread (wasm had already started single-threaded in this process)`
      : "";
  }
  // The TensorFlow context starts here: its start-up notices are kept off the user's screen.
  const started = await withoutTensorflowNotices(async () => {
    // On webgpu, a device that binds as many buffers per shader as the adapter allows (AdamW's
    // multi-tensor kernel needs more than WebGPU's default 8).
    const ok = tfName === "webgpu"
      ? await withAdapterStorageLimit(() => tf.setBackend(tfName))
      : await tf.setBackend(tfName);
    if (ok) await tf.ready();
    return ok;
  });
  if (!started) {
    throw new Error(
      `tfjs could not initialise the ${chosen.name} backend (${chosen.detail}).`,
    );
  }
  // tfjs-backend-cpu greets Node users with an advert for tfjs-node on first write; this
  // module already reports the backend and the opt-in, so silence the duplicate.
  // deno-lint-ignore no-explicit-any
  if (tfName === "cpu") (tf.findBackend("cpu") as any).firstUse = false;
  let detail = (forced ? `${chosen.detail} (forced)` : chosen.detail) + threadNote + fellBack;
  if (tfName === "tensorflow") detail += `; ${(await loadNativeOps()).detail}`;
  if (chosen.name === "tensorflow-gpu") {
    // deno-lint-ignore no-explicit-any
    const gpu = (tf.backend() as any).isUsingGpuDevice === true;
    detail += gpu ? "; GPU found" : "; no GPU found (or no CUDA libraries): running on the CPU";
  }
  current = { name: chosen.name, tfName, detail, probes };
  if (options.report ?? true) console.log(describeBackend(current));
  return current;
}

/**
 * One line saying which backend runs and why.
 *
 * @example
 * ```ts
 * import { describeBackend, initBackend } from "./select.ts";
 * console.log(describeBackend(await initBackend({ report: false })));
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  return `tfjs backend: ${info.name} — ${info.detail}`;
}
