/**
 * Kernels that make the wasm backend usable for training.
 *
 * tfjs-backend-wasm 4.22 has two gaps that matter here:
 * - no `UnsortedSegmentSum`, which is the gradient of `tf.gather` (every embedding lookup);
 * - `MatMul` with `transposeA`/`transposeB` set runs 5-15x slower than the plain product of the
 *   same size, and backpropagation through a matmul always asks for a transposed one.
 *
 * {@link patchWasmKernels} registers the missing kernel and wraps the matmul kernels so that a
 * transposed operand is first materialised by the (fast, memory-bound) `Transpose` kernel. The
 * mathematics is unchanged; only the memory layout the fast path sees. It also makes `Identity`
 * (which autodiff runs on every tensor it saves) share the buffer instead of copying it. Both
 * can be switched off for the duration of a call with `withKernels` (kernel_switches.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { kernelSwitch } from "./kernel_switches.ts";

// deno-lint-ignore no-explicit-any
type Backend = any;
type Info = tf.TensorInfo;

let patched = false;

/**
 * Registers the wasm kernels training needs. Safe to call more than once.
 *
 * @example
 * ```ts
 * import { patchWasmKernels } from "./wasm_kernels.ts";
 * patchWasmKernels();
 * ```
 */
export function patchWasmKernels(): void {
  if (patched) return;
  patched = true;
  registerUnsortedSegmentSum();
  shareIdentityData();
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    wrapTransposedMatMul(name);
  }
}

function registerUnsortedSegmentSum(): void {
  if (tf.getKernel("UnsortedSegmentSum", "wasm")) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const b = backend as Backend;
      const xs = b.typedArrayFromHeap(x) as Float32Array;
      const ids = b.typedArrayFromHeap(segmentIds) as Int32Array;
      // segmentIds covers the leading dimensions of x; each id owns a row of `inner` values.
      const inner = ids.length === 0 ? 0 : xs.length / ids.length;
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const out = b.makeOutput(outShape, x.dtype) as Info;
      const o = b.typedArrayFromHeap(out) as Float32Array;
      o.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue; // TF semantics: out-of-range ids are dropped
        const src = i * inner, dst = s * inner;
        for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
      }
      return out;
    },
  });
}

// Autodiff clones (Identity) every tensor it saves for the backward pass; the stock wasm
// Identity copies the buffer each time. Tensors are immutable, so sharing the buffer with a
// reference count, as wasm's own Reshape does, is equivalent and free.
function shareIdentityData(): void {
  const original = tf.getKernel("Identity", "wasm");
  if (!original) return;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    kernelName: "Identity",
    backendName: "wasm",
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: (args) => {
      const x = (args.inputs as { x: Info }).x;
      if (!kernelSwitch("identitySharing") || x.dtype === "string") {
        return original.kernelFunc(args);
      }
      (args.backend as Backend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  });
}

function wrapTransposedMatMul(kernelName: string): void {
  const original = tf.getKernel(kernelName, "wasm");
  if (!original) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!transpose) return;
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({
    kernelName,
    backendName: "wasm",
    // The wasm kernels bind their C++ entry point in setupFunc when the backend starts.
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: (args) => {
      const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!kernelSwitch("transposedMatMul") || (!attrs.transposeA && !attrs.transposeB)) {
        return original.kernelFunc(args);
      }
      const b = args.backend as Backend;
      const inputs = { ...args.inputs } as Record<string, Info>;
      const made: Info[] = [];
      const swapLast = (t: Info): Info => {
        const perm = t.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        const out = transpose.kernelFunc({
          inputs: { x: t },
          backend: b,
          attrs: { perm },
        }) as Info;
        made.push(out);
        return out;
      };
      if (attrs.transposeA) inputs.a = swapLast(inputs.a);
      if (attrs.transposeB) inputs.b = swapLast(inputs.b);
      const result = original.kernelFunc({
        inputs,
        backend: b,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      for (const t of made) b.disposeData(t.dataId);
      return result;
    },
  });
}
