/**
 * The switches that pick between lib's fast kernels and tfjs's stock ones, set only for the
 * duration of a function call ({@link withKernels}), so that a benchmark or a test that times or
 * checks the stock path cannot leave the switches flipped for everything that runs after it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Which of lib's kernels run. Every switch is on by default; results are the same either way. */
export interface KernelOptions {
  /**
   * wasm: run a matmul with a transposed operand as `Transpose` + the plain product (the
   * stock transposed product is 5-15x slower).
   */
  transposedMatMul?: boolean;
  /** wasm: `Identity` (autodiff's copy of every saved tensor) shares the buffer. */
  identitySharing?: boolean;
  /** wasm and cpu: hand-written loops for causal attention, LayerNorm and GELU's gradient. */
  loopKernels?: boolean;
  /**
   * tensorflow: lib's fused TensorFlow ops (AdamW, LayerNorm, GELU, causal attention) where
   * `deno task setup:tfjs-node` built them, and TensorFlow's own fused cross-entropy and
   * bias-gradient ops.
   */
  nativeKernels?: boolean;
  /**
   * webgpu: lib's WGSL kernels (LayerNorm, residual add + LayerNorm, GELU, cross-entropy,
   * AdamW), each one dispatch where tfjs's ops take several.
   */
  webgpuKernels?: boolean;
}

const NAMES = [
  "transposedMatMul",
  "identitySharing",
  "loopKernels",
  "nativeKernels",
  "webgpuKernels",
] as const;
const current: Required<KernelOptions> = {
  transposedMatMul: true,
  identitySharing: true,
  loopKernels: true,
  nativeKernels: true,
  webgpuKernels: true,
};

/**
 * A copy of the switches as they are now.
 *
 * @example
 * ```ts
 * import { kernelSwitches } from "./kernel_switches.ts";
 * console.log(kernelSwitches().loopKernels); // true
 * ```
 */
export function kernelSwitches(): Required<KernelOptions> {
  return { ...current };
}

/**
 * Runs `fn` with the given switches and puts the previous ones back afterwards, also when `fn`
 * throws. If `fn` returns a promise, the switches stay set until it settles; do not run other
 * tensor work concurrently meanwhile, as it would see the same switches.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { withKernels } from "./kernel_switches.ts";
 * const a = tf.ones([2, 3]);
 * const stock = withKernels({ transposedMatMul: false }, () => tf.matMul(a, a, false, true));
 * stock.print(); // [[3, 3], [3, 3]]
 * ```
 */
export function withKernels<R>(options: KernelOptions, fn: () => R): R {
  for (const [key, value] of Object.entries(options)) {
    if (!(NAMES as readonly string[]).includes(key)) {
      throw new Error(
        `withKernels: unknown switch "${key}"; the switches are ${NAMES.join(", ")}.`,
      );
    }
    if (value !== undefined && typeof value !== "boolean") {
      throw new Error(`withKernels: ${key} must be true or false, got ${String(value)}.`);
    }
  }
  const previous = { ...current };
  for (const name of NAMES) current[name] = options[name] ?? current[name];
  let pending = false;
  try {
    const result = fn();
    if (result instanceof Promise) {
      pending = true;
      return result.finally(() => Object.assign(current, previous)) as R;
    }
    return result;
  } finally {
    if (!pending) Object.assign(current, previous);
  }
}

const JS_SIDE = new Set(["wasm", "cpu"]);

/**
 * True when the loop kernels are switched on and the current backend suits them: they read and
 * write tensors as typed arrays, which is free on wasm and cpu and a device round trip elsewhere.
 *
 * @example
 * ```ts
 * import { loopKernelsActive } from "./kernel_switches.ts";
 * console.log(loopKernelsActive());
 * ```
 */
export function loopKernelsActive(): boolean {
  return current.loopKernels && JS_SIDE.has(tf.getBackend());
}

/** The current value of one switch (for lib's kernels). */
export function kernelSwitch(name: keyof KernelOptions): boolean {
  return current[name];
}
