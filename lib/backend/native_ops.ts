/**
 * lib's fused kernels for the `tensorflow` backend: `lib/ops/*.cc`, compiled by
 * `deno task setup:tfjs-node` against the same TensorFlow C library as tfjs-node's binding, and
 * loaded into the process beside it. They register as ordinary TensorFlow ops (`LlmAdamW`,
 * `LlmLayerNorm`, `LlmAddLayerNorm`, `LlmGelu`, `LlmCausalAttention` and their gradients, and
 * `LlmLstm`, one LSTM layer over a sequence, with its gradient, `LlmBiasAdd`, a linear layer's
 * bias (TensorFlow's BiasAdd bit for bit, without waiting for its pool), and two for generation only,
 * without gradients: `LlmGemv`, a decoding step's one-row products, and `LlmCachedAttention`,
 * its attention over the key/value cache),
 * which {@link runOp} runs through the binding, like the TensorFlow ops tfjs-node itself calls.
 *
 * Why: through tfjs-node every kernel call costs 10-30 µs however small its tensors, and a
 * baby-GPT training step made about 1400 of them. Where the library is absent (tfjs-node
 * installed by its own install script, or an older build), everything falls back to tensor ops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { kernelSwitch } from "./kernel_switches.ts";
import { TENSORFLOW_BUILDS } from "./build_status.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Where `deno task setup` puts TensorFlow's C library and lib's ops (the CPU package). */
export const NATIVE_LIB_DIR = TENSORFLOW_BUILDS["tensorflow"].libDir;
/** Where the ops' C++ lives: one `.cc` per op beside its TypeScript in lib/ops, and `native.h`. */
export const NATIVE_SOURCE_DIR = `${ROOT}lib/ops`;

let status: { loaded: boolean; detail: string } | undefined;

/**
 * The ops' C++ sources (`lib/ops/*.cc` and `*.h`), sorted: what the build compiles and hashes.
 *
 * @example
 * ```ts
 * import { nativeSources } from "./native_ops.ts";
 * console.log(nativeSources().some((p) => p.endsWith("layer_norm.cc"))); // true
 * ```
 */
export function nativeSources(): string[] {
  return [...Deno.readDirSync(NATIVE_SOURCE_DIR)]
    .filter((e) => e.isFile && (e.name.endsWith(".cc") || e.name.endsWith(".h")))
    .map((e) => `${NATIVE_SOURCE_DIR}/${e.name}`)
    .sort();
}

/**
 * SHA-256, hex, of every C++ source of the ops (each file's name, then its bytes): how a build
 * of the ops is matched to its sources.
 *
 * @example
 * ```ts
 * import { nativeSourcesHash } from "./native_ops.ts";
 * console.log((await nativeSourcesHash()).length); // 64
 * ```
 */
export async function nativeSourcesHash(): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const path of nativeSources()) {
    parts.push(
      enc.encode(`${path.slice(NATIVE_SOURCE_DIR.length + 1)}\0`),
      Deno.readFileSync(path),
    );
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function tensorflowMappedFrom(): string | undefined {
  try {
    const maps = Deno.readTextFileSync("/proc/self/maps");
    const line = maps.split("\n").find((l) => l.includes("/libtensorflow_framework.so"));
    return line?.slice(line.indexOf("/"), line.lastIndexOf("/"));
  } catch {
    return undefined;
  }
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/**
 * Loads lib's ops into the process once tfjs-node is loaded, if `setup:tfjs-node` built them
 * from the current source and tfjs-node runs on the same TensorFlow library. Never throws: the
 * answer says what was found, for the backend report.
 *
 * @example
 * ```ts
 * import { loadNativeOps } from "./native_ops.ts";
 * console.log((await loadNativeOps()).detail); // e.g. "lib's fused ops: not built (...)"
 * ```
 */
export async function loadNativeOps(): Promise<{ loaded: boolean; detail: string }> {
  if (status) return status;
  const no = (why: string) => status = { loaded: false, detail: `lib's fused ops: ${why}` };
  // The ops are built beside each TensorFlow library setup unpacks (CPU or GPU package), and
  // must run on the one tfjs-node loaded.
  const from = tensorflowMappedFrom();
  const dirs = Object.values(TENSORFLOW_BUILDS).map((b) => b.libDir);
  // The maps list resolved paths; a checkout whose .tfjs-node is a symlink (a git worktree
  // sharing another's build) names the same library through the link.
  if (!from || !dirs.some((dir) => realPath(dir) === from)) {
    return no(
      `not loaded: tfjs-node runs on ${from ?? "an unknown"} TensorFlow library, not one that ` +
        `\`deno task setup\` built them for (${dirs.join(" or ")})`,
    );
  }
  const LIBRARY = `${from}/libllm_ops.so`;
  try {
    Deno.statSync(LIBRARY);
  } catch {
    return no("not built (`deno task setup` builds them)");
  }
  let recorded = "";
  try {
    recorded = Deno.readTextFileSync(`${LIBRARY}.sha256`).trim();
  } catch {
    // an unrecorded build counts as stale
  }
  try {
    if (recorded !== await nativeSourcesHash()) {
      return no(
        "built from older sources than lib/ops/*.cc; rerun `deno task setup`",
      );
    }
    // Loading runs the library's static initialisers, which register the ops with TensorFlow.
    // The handle stays open for the life of the process: closing it would unload the kernels.
    Deno.dlopen(LIBRARY, {});
  } catch (e) {
    return no(`could not load ${LIBRARY}: ${(e as Error).message}`);
  }
  return status = {
    loaded: true,
    detail: "lib's fused ops loaded (AdamW, LayerNorm, GELU, attention)",
  };
}

/**
 * True when the native switch is on (see `withKernels`) and the current backend is
 * `tensorflow`: TensorFlow's own fused ops (such as its sparse softmax cross-entropy) apply.
 *
 * @example
 * ```ts
 * import { tensorflowOpsActive } from "./native_ops.ts";
 * console.log(tensorflowOpsActive()); // false unless the tensorflow backend runs
 * ```
 */
export function tensorflowOpsActive(): boolean {
  return kernelSwitch("nativeKernels") && tf.getBackend() === "tensorflow";
}

/**
 * True when {@link tensorflowOpsActive} and lib's own ops are loaded.
 *
 * @example
 * ```ts
 * import { nativeOpsActive } from "./native_ops.ts";
 * console.log(nativeOpsActive());
 * ```
 */
export function nativeOpsActive(): boolean {
  return tensorflowOpsActive() && nativeOpsLoaded();
}

/**
 * True once {@link loadNativeOps} loaded lib's ops into this process (whatever the backend and
 * switches are now): what lib/ops's dispatch table needs to know about them.
 *
 * @example
 * ```ts
 * import { nativeOpsLoaded } from "./native_ops.ts";
 * console.log(nativeOpsLoaded());
 * ```
 */
export function nativeOpsLoaded(): boolean {
  return status?.loaded === true;
}

let recorder: ((name: string, ms: number) => void) | undefined;

/**
 * Calls `record(name, ms)` after every {@link runOp} until called again with `undefined`. These
 * ops bypass tfjs's kernel registry, so `tf.profile` does not see them; profilers add them.
 *
 * @example
 * ```ts
 * import { recordOps } from "./native_ops.ts";
 * const seen: string[] = [];
 * recordOps((name) => seen.push(name));
 * recordOps(undefined);
 * ```
 */
export function recordOps(record: ((name: string, ms: number) => void) | undefined): void {
  recorder = record;
}

/** An op attribute: a float, int, bool (or list of bools), or a dtype. */
export type OpAttr =
  | { name: string; float: number }
  | { name: string; int: number }
  | { name: string; bool: boolean | boolean[] }
  | { name: string; dtype: "float32" | "int32" };

/**
 * Runs a TensorFlow op by name on the `tensorflow` backend and returns its outputs as tensors
 * (tracked like any other: dispose them or run inside `tf.tidy`).
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { runOp } from "./native_ops.ts";
 * // needs the tensorflow backend
 * const [loss, grad] = runOp("SparseSoftmaxCrossEntropyWithLogits",
 *   [tf.zeros([2, 4]), tf.tensor1d([0, 3], "int32")],
 *   [{ name: "T", dtype: "float32" }, { name: "Tlabels", dtype: "int32" }], 2);
 * ```
 */
export function runOp(
  name: string,
  inputs: tf.Tensor[],
  attrs: OpAttr[],
  numOutputs: number,
): tf.Tensor[] {
  // deno-lint-ignore no-explicit-any
  const backend = tf.backend() as any;
  if (tf.getBackend() !== "tensorflow" || !backend.binding) {
    throw new Error(`runOp(${name}) needs the tensorflow backend; it is ${tf.getBackend()}.`);
  }
  const b = backend.binding;
  const opAttrs = attrs.map((a) => {
    if ("float" in a) return { name: a.name, type: b.TF_ATTR_FLOAT, value: a.float };
    if ("int" in a) return { name: a.name, type: b.TF_ATTR_INT, value: a.int };
    if ("bool" in a) return { name: a.name, type: b.TF_ATTR_BOOL, value: a.bool };
    return {
      name: a.name,
      type: b.TF_ATTR_TYPE,
      value: a.dtype === "int32" ? b.TF_INT32 : b.TF_FLOAT,
    };
  });
  if (!recorder) return backend.executeMultipleOutputs(name, opAttrs, inputs, numOutputs);
  const t0 = performance.now();
  const out = backend.executeMultipleOutputs(name, opAttrs, inputs, numOutputs);
  recorder(name, performance.now() - t0);
  return out;
}
