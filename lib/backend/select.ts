/**
 * Run-time choice of the TensorFlow.js backend.
 *
 * Order: `tensorflow` from `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` (opt-in, only
 * when installed), `webgpu` when `navigator.gpu` gives a hardware adapter, `wasm`, `cpu`.
 * `LLM_BACKEND=<name>` forces one. The choice is always reported.
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

const OPT_IN =
  "opt-in: `deno task setup:tfjs-node` (builds the binding against TensorFlow's C library from " +
  "PyPI), or `deno install --allow-scripts=npm:@tensorflow/tfjs-node@4.22.0` (needs internet to " +
  "fetch libtensorflow 2.9.1)";
const OPT_IN_GPU =
  "opt-in: `deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu@4.22.0` (needs internet, " +
  "CUDA 11.2 and cuDNN 8.1)";

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
  const gpuNode = tfjsNodeInstalled("@tensorflow/tfjs-node-gpu");
  const node = tfjsNodeInstalled("@tensorflow/tfjs-node");
  const webgpu = await probeWebGPU();
  return [
    {
      name: "tensorflow-gpu",
      available: gpuNode,
      auto: gpuNode,
      detail: gpuNode ? "@tensorflow/tfjs-node-gpu (libtensorflow, CUDA)" : OPT_IN_GPU,
    },
    {
      name: "tensorflow",
      available: node,
      auto: node,
      detail: node ? "@tensorflow/tfjs-node (libtensorflow, CPU)" : OPT_IN,
    },
    { name: "webgpu", ...webgpu },
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
    // TensorFlow's C++ logs oneDNN notices at info level on load; keep warnings and errors.
    if (!Deno.env.get("TF_CPP_MIN_LOG_LEVEL")) Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "1");
    await import(
      name === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node"
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
  const probes = await probeBackends();
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
  if (!(await tf.setBackend(tfName))) {
    throw new Error(
      `tfjs could not initialise the ${chosen.name} backend (${chosen.detail}).`,
    );
  }
  await tf.ready();
  // tfjs-backend-cpu greets Node users with an advert for tfjs-node on first write; this
  // module already reports the backend and the opt-in, so silence the duplicate.
  // deno-lint-ignore no-explicit-any
  if (tfName === "cpu") (tf.findBackend("cpu") as any).firstUse = false;
  let detail = (forced ? `${chosen.detail} (forced)` : chosen.detail) + threadNote;
  if (tfName === "tensorflow") detail += `; ${(await loadNativeOps()).detail}`;
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
