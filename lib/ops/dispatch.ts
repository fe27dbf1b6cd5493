/**
 * Which version of an op runs. Every op in lib/ops has a reference version made of tensor ops
 * (any backend) and may have fast ones of three kinds:
 *
 * - `lib`: lib's own TensorFlow ops (`lib/ops/*.cc`), on the `tensorflow`
 *   backend once `deno task setup` built them and they loaded;
 * - `tensorflow`: TensorFlow's stock fused ops, on the `tensorflow` backend;
 * - `loops`: JavaScript loops over typed arrays, on `wasm` and `cpu`, where reading a tensor's
 *   values costs nothing (elsewhere it is a device round trip);
 * - `webgpu`: lib's WGSL compute shaders (lib/backend/webgpu_programs.ts), on `webgpu`: one
 *   dispatch where the reference records several.
 *
 * {@link BACKEND_VERSIONS} is the one table from backend to the kinds it runs; an op hands
 * {@link pick} its versions and gets the first one the current backend runs, or the reference.
 * Models never see the choice. All versions compute the same function; `withKernels` from
 * lib/backend switches the fast kinds off for the duration of a call (how tests and benches
 * compare them).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { kernelSwitch } from "../backend/kernel_switches.ts";
import { nativeOpsLoaded } from "../backend/native_ops.ts";

/** A kind of fast version (see the module's documentation). */
export type FastKind = "lib" | "tensorflow" | "loops" | "webgpu";

/** The versions of one op: a reference that runs anywhere, and the fast ones it has. */
export type Versions<F> = { reference: F } & { [K in FastKind]?: F };

/**
 * The dispatch table: per tfjs backend, the kinds of fast version it runs, preferred first.
 * A backend missing here runs every op's reference version.
 */
export const BACKEND_VERSIONS: Readonly<Record<string, readonly FastKind[]>> = {
  tensorflow: ["lib", "tensorflow"],
  wasm: ["loops"],
  cpu: ["loops"],
  webgpu: ["webgpu"],
};

/**
 * Whether versions of `kind` run now: the current backend lists it in {@link BACKEND_VERSIONS},
 * its `withKernels` switch is on (`loopKernels` for loops, `webgpuKernels` for webgpu,
 * `nativeKernels` for the others), and for `lib`, lib's ops are loaded.
 *
 * @example
 * ```ts
 * import { runs } from "./dispatch.ts";
 * console.log(runs("loops")); // true on wasm and cpu
 * ```
 */
export function runs(kind: FastKind): boolean {
  if (!BACKEND_VERSIONS[tf.getBackend()]?.includes(kind)) return false;
  if (kind === "loops") return kernelSwitch("loopKernels");
  if (kind === "webgpu") return kernelSwitch("webgpuKernels");
  if (!kernelSwitch("nativeKernels")) return false;
  return kind === "tensorflow" || nativeOpsLoaded();
}

/**
 * The kind of version {@link pick} would choose from `versions` now.
 *
 * @example
 * ```ts
 * import { chosen } from "./dispatch.ts";
 * console.log(chosen({ reference: 0, loops: 1 })); // "loops" on wasm and cpu, else "reference"
 * ```
 */
export function chosen(versions: Versions<unknown>): FastKind | "reference" {
  for (const kind of BACKEND_VERSIONS[tf.getBackend()] ?? []) {
    if (versions[kind] && runs(kind)) return kind;
  }
  return "reference";
}

/**
 * The version of an op to run now: the first fast one the current backend runs, else the
 * reference.
 *
 * @example
 * ```ts
 * import { pick } from "./dispatch.ts";
 * const double = pick({ reference: (x: number) => 2 * x });
 * console.log(double(3)); // 6
 * ```
 */
export function pick<F>(versions: Versions<F>): F {
  const kind = chosen(versions);
  return kind === "reference" ? versions.reference : versions[kind]!;
}

/**
 * True while tfjs computes a gradient (its engine's `gradientDepth`, which `tf.grad`,
 * `variableGrads` and `minimize` raise while the function they differentiate runs): ops with
 * no gradient (lib's `LlmGemv`, `LlmCachedAttention`) run only when this is false.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { recording } from "./dispatch.ts";
 * console.log(recording()); // false
 * tf.grad((x: tf.Tensor) => {
 *   console.log(recording()); // true
 *   return x.square();
 * })(tf.scalar(2));
 * ```
 */
export function recording(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}
