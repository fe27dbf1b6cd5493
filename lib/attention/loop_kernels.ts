/**
 * Where the hand-written loop kernels (fused causal attention, LayerNorm, GELU backward) get
 * their switch and memory helpers. The switch lives in `lib/backend` (set it with
 * `withKernels({ loopKernels: false }, fn)`); the memory helpers are lib-internal and only
 * re-exported here for the layers that use them, not from `lib/attention/mod.ts`.
 *
 * @module
 */
import { setLoopKernelsUnscoped } from "../backend/kernel_switches.ts";

export { loopKernelsActive } from "../backend/kernel_switches.ts";
export { readValues, releaseScratch, scratch } from "../backend/loop_memory.ts";

/**
 * Switches the loop kernels on or off; returns the previous setting.
 *
 * @deprecated Use `withKernels({ loopKernels: on }, fn)` from `lib/backend`, which restores the
 * previous setting even when `fn` throws.
 * @example
 * ```ts
 * import { setLoopKernels } from "./loop_kernels.ts";
 * const before = setLoopKernels(false); // run the tensor-op versions
 * setLoopKernels(before);
 * ```
 */
export function setLoopKernels(on: boolean): boolean {
  return setLoopKernelsUnscoped(on);
}
