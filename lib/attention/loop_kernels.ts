/**
 * Whether the hand-written loop kernels (fused causal attention, LayerNorm, GELU backward) run.
 * They pay off where tensors live in JavaScript-reachable memory (wasm, cpu); elsewhere, and
 * when switched off, the same mathematics runs as ordinary tensor ops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const JS_SIDE = new Set(["wasm", "cpu"]);
let enabled = true;

/**
 * True when the loop kernels are on and the current backend suits them.
 *
 * @example
 * ```ts
 * import { loopKernelsActive } from "./loop_kernels.ts";
 * console.log(loopKernelsActive());
 * ```
 */
export function loopKernelsActive(): boolean {
  return enabled && JS_SIDE.has(tf.getBackend());
}

/**
 * Switches the loop kernels on or off (for tests and benchmarks); returns the previous setting.
 *
 * @example
 * ```ts
 * import { setLoopKernels } from "./loop_kernels.ts";
 * const before = setLoopKernels(false); // run the tensor-op versions
 * setLoopKernels(before);
 * ```
 */
export function setLoopKernels(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}
