/**
 * Runs a WGSL compute shader as one dispatch on tfjs's WebGPU backend, through the backend's own
 * program mechanism (`runWebGPUProgram`): tfjs declares the input buffers (read-only, named after
 * the inputs), the `result` output buffer and the `uniforms` struct, caches the compiled pipeline
 * per shader key, and batches the dispatch with its own. lib/ops builds its fused WebGPU kernels
 * on {@link runWgsl}.
 *
 * A program's WGSL defines `fn main(index : i32)`, called once per invocation with the flat
 * invocation index; `localId`, `workgroupId` and the other built-ins are module-level variables.
 * tfjs's program writes one output per dispatch; a program may also update inputs in place
 * ({@link WgslProgram.inPlace}) where nothing else holds them ({@link writableInPlace}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** One uniform value of a program: its WGSL declaration and its value. */
export interface WgslUniform {
  /** WGSL name in the `uniforms` struct. */
  name: string;
  /** WGSL type. */
  type: "f32" | "i32";
  /** Its value. */
  value: number;
}

/** A WGSL program to run by {@link runWgsl}. */
export interface WgslProgram {
  /**
   * Names the shader in tfjs's pipeline cache: programs with the same key must have the same
   * WGSL (tfjs adds the inputs' ranks and dtypes to it).
   */
  key: string;
  /** Input tensors, bound in order under the names in {@link WgslProgram.names}. */
  inputs: tf.Tensor[];
  /** WGSL names of the inputs (lower-case letters; not `result` or `uniforms`). */
  names: string[];
  /** Shape of the float32 output, the buffer `result`. */
  outputShape: number[];
  /** How many invocations to run (rounded up to whole workgroups). */
  invocations: number;
  /** Invocations per workgroup (the default is 64). */
  workgroupSize?: number;
  /**
   * Workgroups to dispatch along x, y and z, where the shader places its work by `workgroupId`
   * (a tiled matmul's output tiles); by default `invocations` rounded up to whole workgroups,
   * along x.
   */
  workgroups?: [number, number, number];
  /**
   * Floats per element of each input's buffer and of `result`'s, 1 (`array<f32>`, the default)
   * or 4 (`array<vec4<f32>>`, for vector loads; the tensor's size must divide by 4). The key
   * must name the choice: tfjs's pipeline cache does not.
   */
  components?: { inputs: number[]; output: number };
  /** Scalars the shader reads as `uniforms.<name>`. */
  uniforms?: WgslUniform[];
  /** The WGSL: helper functions and `fn main(index : i32)`. */
  code: string;
  /**
   * Names of inputs the shader also writes, in place: each must pass {@link writableInPlace}.
   * tfjs declares inputs read-only; these are redeclared `read_write` when the shader compiles.
   */
  inPlace?: string[];
}

/** The part of tfjs-backend-webgpu's `WebGPUBackend` that {@link runWgsl} uses. */
interface WebGPUBackendLike {
  device: GPUDevice;
  tensorMap: { get(dataId: unknown): { refCount: number; values: unknown } };
  runWebGPUProgram(
    program: unknown,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

/**
 * Whether the current tfjs backend is WebGPU (the only one {@link runWgsl} runs on).
 *
 * @example
 * ```ts
 * import { onWebGPU } from "./webgpu_programs.ts";
 * console.log(onWebGPU()); // false on cpu, wasm and tensorflow
 * ```
 */
export function onWebGPU(): boolean {
  return tf.getBackend() === "webgpu";
}

/**
 * Whether a WGSL program may write `t`'s buffer in place: on webgpu, and no other tensor shares
 * the buffer (a variable shares the buffer of the tensor last assigned to it, and autodiff's
 * saved tensors share their source's), so nothing else sees the change.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { writableInPlace } from "./webgpu_programs.ts";
 * const a = tf.zeros([2]);
 * const b = tf.clone(a); // shares a's buffer
 * console.log(writableInPlace(a)); // false
 * ```
 */
export function writableInPlace(t: tf.Tensor): boolean {
  if (!onWebGPU() || t.isDisposed) return false;
  const backend = tf.backend() as unknown as WebGPUBackendLike;
  return backend.tensorMap.get(t.dataId).refCount === 1;
}

/**
 * How many storage buffers one dispatch may bind on the current WebGPU backend's device (inputs
 * and `result` together); 0 off webgpu.
 *
 * @example
 * ```ts
 * import { storageBuffersPerDispatch } from "./webgpu_programs.ts";
 * console.log(storageBuffersPerDispatch()); // 0 off webgpu; 8 or more on it
 * ```
 */
export function storageBuffersPerDispatch(): number {
  if (!onWebGPU()) return 0;
  return (tf.backend() as unknown as WebGPUBackendLike).device.limits
    .maxStorageBuffersPerShaderStage;
}

/**
 * Runs `start` (which creates tfjs's WebGPU backend) so that the device it requests may bind as
 * many storage buffers per shader as the adapter allows: tfjs asks for WebGPU's default of 8,
 * which leaves a multi-tensor kernel such as AdamW's one parameter per dispatch (four buffers
 * each). The other limits stay as tfjs asks.
 *
 * @example
 * ```ts
 * import { withAdapterStorageLimit } from "./webgpu_programs.ts";
 * console.log(await withAdapterStorageLimit(() => Promise.resolve(1))); // 1
 * ```
 */
export async function withAdapterStorageLimit<T>(start: () => Promise<T>): Promise<T> {
  const Adapter = (globalThis as { GPUAdapter?: { prototype: GPUAdapter } }).GPUAdapter;
  if (!Adapter) return await start();
  const proto = Adapter.prototype;
  const original = proto.requestDevice;
  proto.requestDevice = function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
    const requiredLimits = {
      ...descriptor?.requiredLimits,
      maxStorageBuffersPerShaderStage: this.limits.maxStorageBuffersPerShaderStage,
    };
    return original.call(this, { ...descriptor, requiredLimits });
  };
  try {
    return await start();
  } finally {
    proto.requestDevice = original;
  }
}

/**
 * A float32 tensor on the WebGPU backend whose buffer is allocated but never written (no upload,
 * no dispatch; its contents are whatever the reused buffer held): scratch for a program that
 * writes every element of it in place, a second output where tfjs's programs have one.
 *
 * @example
 * ```ts
 * import { onWebGPU, uninitializedTensor } from "./webgpu_programs.ts";
 * if (onWebGPU()) console.log(uninitializedTensor([2, 3]).shape); // [2, 3]
 * ```
 */
export function uninitializedTensor(shape: number[]): tf.Tensor {
  const backend = tf.backend() as unknown as {
    makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  };
  // deno-lint-ignore no-explicit-any
  return (tf.engine() as any).makeTensorFromTensorInfo(
    backend.makeTensorInfo(shape, "float32"),
  ) as tf.Tensor;
}

/**
 * Runs `program` as one compute dispatch on the WebGPU backend and returns its output as a
 * tensor in the current scope.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { onWebGPU, runWgsl } from "./webgpu_programs.ts";
 * if (onWebGPU()) {
 *   const x = tf.tensor1d([1, 2, 3]);
 *   const twice = runWgsl({
 *     key: "lib_twice", inputs: [x], names: ["x"], outputShape: [3], invocations: 3,
 *     uniforms: [{ name: "n", type: "i32", value: 3 }],
 *     code: "fn main(index : i32) { if (index < uniforms.n) { result[index] = 2.0 * x[index]; } }",
 *   });
 *   console.log(await twice.data()); // [2, 4, 6] (webgpu refuses print's synchronous read)
 * }
 * ```
 */
export function runWgsl(program: WgslProgram): tf.Tensor {
  if (!onWebGPU()) {
    throw new Error(
      `runWgsl(${program.key}): the current backend is ${tf.getBackend()}, not webgpu; ` +
        "run WGSL programs only where lib/ops/dispatch.ts chose the webgpu versions.",
    );
  }
  if (program.inputs.length !== program.names.length) {
    throw new Error(
      `runWgsl(${program.key}): ${program.inputs.length} inputs but ${program.names.length} names.`,
    );
  }
  const size = program.workgroupSize ?? 64;
  const uniforms = program.uniforms ?? [];
  const inPlace = program.inPlace ?? [];
  const written = inPlace.map((name) => {
    const t = program.inputs[program.names.indexOf(name)];
    if (!t || !writableInPlace(t)) {
      throw new Error(
        `runWgsl(${program.key}): input "${name}" cannot be written in place (missing, or its ` +
          "buffer is shared); check writableInPlace first and write a new tensor otherwise.",
      );
    }
    return t;
  });
  const tfProgram = {
    variableNames: program.names,
    outputShape: program.outputShape,
    shaderKey: [program.key, ...uniforms.map((u) => u.name + u.type), ...inPlace].join("_"),
    // A flat layout: tfjs calls main(index) with the flat invocation index.
    dispatchLayout: { x: program.outputShape.map((_, i) => i) },
    dispatch: program.workgroups ?? [Math.max(1, Math.ceil(program.invocations / size)), 1, 1],
    ...(program.components && {
      variableComponents: program.components.inputs,
      outputComponent: program.components.output,
    }),
    workgroupSize: [size, 1, 1],
    uniforms: uniforms.map((u) => `${u.name} : ${u.type},`).join(" "),
    getUserCode: () => program.code,
  };
  const backend = tf.backend() as unknown as WebGPUBackendLike;
  const run = () =>
    backend.runWebGPUProgram(
      tfProgram,
      program.inputs,
      "float32",
      uniforms.map((u) => ({ type: u.type === "f32" ? "float32" : "int32", data: [u.value] })),
    );
  const info = inPlace.length ? compilingWritable(backend, inPlace, run) : run();
  // The GPU buffer now differs from any copy tfjs kept on the CPU after a read: drop the copy.
  for (const t of written) backend.tensorMap.get(t.dataId).values = null;
  // deno-lint-ignore no-explicit-any
  return (tf.engine() as any).makeTensorFromTensorInfo(info) as tf.Tensor;
}

/**
 * Runs `run` while the backend's device compiles shaders with the `inPlace` inputs declared
 * `read_write` (tfjs declares every input `read`). The pipeline is cached under the program's key,
 * which names the in-place inputs, so only the first run compiles.
 */
function compilingWritable(
  backend: WebGPUBackendLike,
  inPlace: string[],
  run: () => tf.TensorInfo,
): tf.TensorInfo {
  const device = backend.device;
  const writable = (code: string) =>
    inPlace.reduce(
      (src, name) =>
        src.replace(
          new RegExp(`var<storage, read> ${name}:`),
          `var<storage, read_write> ${name}:`,
        ),
      code,
    );
  backend.device = new Proxy(device, {
    get(target, key) {
      if (key === "createShaderModule") {
        return (d: GPUShaderModuleDescriptor) =>
          target.createShaderModule({ ...d, code: writable(d.code) });
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  try {
    return run();
  } finally {
    backend.device = device;
  }
}

/**
 * WGSL for a sum across a workgroup of 64 invocations: `workgroupSum(v, lane)` returns the sum of
 * every invocation's `v`. Call it from uniform control flow (every invocation reaches it).
 *
 * @example
 * ```ts
 * import { WORKGROUP_SUM } from "./webgpu_programs.ts";
 * console.log(WORKGROUP_SUM.includes("fn workgroupSum")); // true
 * ```
 */
export const WORKGROUP_SUM: string = `
var<workgroup> partial : array<f32, 64>;
fn workgroupSum(v : f32, lane : i32) -> f32 {
  partial[lane] = v;
  workgroupBarrier();
  for (var s = 32; s > 0; s = s >> 1u) {
    if (lane < s) { partial[lane] = partial[lane] + partial[lane + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}
var<workgroup> partialMax : array<f32, 64>;
fn workgroupMax(v : f32, lane : i32) -> f32 {
  partialMax[lane] = v;
  workgroupBarrier();
  for (var s = 32; s > 0; s = s >> 1u) {
    if (lane < s) { partialMax[lane] = max(partialMax[lane], partialMax[lane + s]); }
    workgroupBarrier();
  }
  let top = partialMax[0];
  workgroupBarrier();
  return top;
}
`;
