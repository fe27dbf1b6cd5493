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
export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  type BackendProbe,
  describeBackend,
  initBackend,
  type InitBackendOptions,
  probeBackends,
} from "./select.ts";
export { matmulTable, type MatmulTiming, timeMatmuls } from "./timing.ts";
export { patchWasmKernels } from "./wasm_kernels.ts";
export { kernelSwitches, loopKernelsActive, withKernels } from "./kernel_switches.ts";
export type { KernelOptions } from "./kernel_switches.ts";
export {
  loadNativeOps,
  nativeOpsActive,
  type OpAttr,
  recordOps,
  runOp,
  tensorflowOpsActive,
} from "./native_ops.ts";
