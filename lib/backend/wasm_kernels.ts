/**
 * Kernels that make the wasm backend usable for training.
 *
 * tfjs-backend-wasm 4.22 has two gaps that matter here:
 * - no `UnsortedSegmentSum`, which is the gradient of `tf.gather` (every embedding lookup);
 * - `MatMul` with `transposeA`/`transposeB` set runs 5-15x slower than the plain product of the
 *   same size, and backpropagation through a matmul always asks for a transposed one.
 *
 * It also has a bug: `_FusedMatMul` with a bias adds it at the wrong offsets when the product is
 * batched or an operand transposed; {@link patchWasmKernels} fixes that (always: it is a correctness fix, not a switch).
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
  fixBatchedFusedBias();
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

// tfjs-backend-wasm 4.22's _FusedMatMul adds the bias at the wrong offsets when the product has a
// batch of more than one matrix or a transposed operand (only the plain rank-2 case is right). The fix runs such a
// product without bias and activation, then adds the bias and applies the activation with the
// backend's own elementwise kernels.
function fixBatchedFusedBias(): void {
  const original = tf.getKernel("_FusedMatMul", "wasm");
  if (!original) return;
  tf.unregisterKernel("_FusedMatMul", "wasm");
  tf.registerKernel({
    kernelName: "_FusedMatMul",
    backendName: "wasm",
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: (args) => {
      const inputs = args.inputs as Record<string, Info | undefined>;
      const { a, b, bias, preluActivationWeights } = inputs;
      const batch = Math.max(size(a!.shape.slice(0, -2)), size(b!.shape.slice(0, -2)));
      const attrs = args.attrs as {
        activation?: string;
        leakyreluAlpha?: number;
        transposeA: boolean;
        transposeB: boolean;
      };
      if (!bias || (batch <= 1 && !attrs.transposeA && !attrs.transposeB)) {
        return original.kernelFunc(args);
      }
      const be = args.backend as Backend;
      const run = (name: string, ins: Record<string, Info>, at: tf.NamedAttrMap = {}): Info =>
        tf.getKernel(name, "wasm")!.kernelFunc({ inputs: ins, backend: be, attrs: at }) as Info;
      const product = original.kernelFunc({
        inputs: { a: a!, b: b! },
        backend: be,
        attrs: { ...attrs, activation: "linear" },
      }) as Info;
      const withBias = run("Add", { a: product, b: bias });
      be.disposeData(product.dataId);
      const act = attrs.activation ?? "linear";
      if (act === "linear") return withBias;
      const kernels: Record<string, () => Info> = {
        relu: () => run("Relu", { x: withBias }),
        relu6: () => run("Relu6", { x: withBias }),
        elu: () => run("Elu", { x: withBias }),
        sigmoid: () => run("Sigmoid", { x: withBias }),
        leakyrelu: () => run("LeakyRelu", { x: withBias }, { alpha: attrs.leakyreluAlpha ?? 0.2 }),
        prelu: () => run("Prelu", { x: withBias, alpha: preluActivationWeights! }),
      };
      if (!kernels[act]) throw new Error(`_FusedMatMul: unknown activation "${act}".`);
      const out = kernels[act]();
      be.disposeData(withBias.dataId);
      return out;
    },
  });
}

function size(shape: number[]): number {
  return shape.reduce((n, d) => n * d, 1);
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
      if (kernelName === "BatchMatMul" && attrs.transposeB && !attrs.transposeA) {
        const swapped = swappedProduct(inputs.a, inputs.b, b, original, transpose);
        if (swapped) return swapped;
      }
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

/**
 * A B^T as (B A^T)^T when that moves fewer values: materialising B^T copies all of B (N x K),
 * while the swap transposes A (M x K) and the result (M x N). For few rows M this is far
 * cheaper; generation's LM head (one row times GPT-2's 50257 x 768 embedding) went from about
 * 1 s to about 50 ms per token. Returns undefined when the plain rewrite is cheaper.
 */
function swappedProduct(
  a: Info,
  bT: Info,
  backend: Backend,
  original: tf.KernelConfig,
  transpose: tf.KernelConfig,
): Info | undefined {
  const r = a.shape.length;
  if (r !== bT.shape.length) return undefined;
  const [M, K] = a.shape.slice(-2);
  const N = bT.shape[r - 2];
  if (M * (K + N) >= N * K) return undefined;
  const perm = a.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  const aT = transpose.kernelFunc({ inputs: { x: a }, backend, attrs: { perm } }) as Info;
  const product = original.kernelFunc({
    inputs: { a: bT, b: aT },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as Info; // (..., N, M)
  const out = transpose.kernelFunc({ inputs: { x: product }, backend, attrs: { perm } }) as Info;
  backend.disposeData(aT.dataId);
  backend.disposeData(product.dataId);
  return out;
}
