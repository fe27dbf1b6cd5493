/**
 * Backend selection for TensorFlow.js and the wasm kernels that training needs.
 *
 * @example
 * ```ts
 * import { initBackend } from "./mod.ts";
 * await initBackend(); // prints e.g. "tfjs backend: wasm — @tensorflow/tfjs-backend-wasm (SIMD, XNNPACK)"
 * ```
 *
 * @module
 */
export * from "./select.ts";
export * from "./timing.ts";
export { patchWasmKernels } from "./wasm_kernels.ts";
export { kernelSwitches, loopKernelsActive, withKernels } from "./kernel_switches.ts";
export type { KernelOptions } from "./kernel_switches.ts";
