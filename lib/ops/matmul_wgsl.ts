/**
 * lib's tiled matrix product in WGSL, the `webgpu` version of lib/ops/linear.ts's products:
 * `op(a) · op(b) (+ bias)` for matrices, `op` the identity or the transpose, in one dispatch.
 *
 * Each workgroup of 256 invocations computes a 64×64 tile of the output; each invocation a 4×4
 * block of it, held in registers. The inputs go through workgroup memory 16 steps of the inner
 * dimension at a time: per step every invocation loads one vec4 of `a` and one of `b` (the four
 * layouts, transposed or not, each load four consecutive floats of a row in memory), and then
 * reads 16 vec4 pairs from workgroup memory for its 64 multiply-adds per pair of loads. Loads are
 * `vec4` reads of the buffer where the row length divides by 4 (then a vec4 is all inside a row
 * or all outside it), four bounds-checked scalar reads otherwise: any M, N and K runs, with zeros
 * outside the matrices. The bias is added while the block is written (the epilogue), as a vec4
 * store where N divides by 4. {@link matMulWgslWithSums} also writes the column sums of `op(b)`
 * from the tiles it loads anyway: a linear layer's bias gradient inside its weight gradient's
 * dispatch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runWgsl, uninitializedTensor } from "../backend/webgpu_programs.ts";

/** Output tile rows and columns per workgroup, and inner-dimension steps per load. */
const TILE = 64, DEPTH = 16;

/**
 * WGSL: `load<name>(row, col)`, four consecutive floats `(row, col..col+3)` of the row-major
 * `rows`×`cols` matrix in buffer `name`, zeros outside it; a vec4 read when `vec4` (the buffer
 * is `array<vec4<f32>>`, `cols` divides by 4 and so does `col`).
 */
function loader(name: string, rows: string, cols: string, vec4: boolean): string {
  const fn = `fn load_${name}(row : i32, col : i32) -> vec4<f32>`;
  if (vec4) {
    return `${fn} {
  if (row < ${rows} && col < ${cols}) { return ${name}[(row * ${cols} + col) / 4]; }
  return vec4<f32>(0.0);
}`;
  }
  return `${fn} {
  var v = vec4<f32>(0.0);
  if (row < ${rows}) {
    for (var j = 0; j < 4; j++) {
      if (col + j < ${cols}) { v[j] = ${name}[row * ${cols} + col + j]; }
    }
  }
  return v;
}`;
}

/**
 * WGSL: one step's load of `a` or `b` into its workgroup tile `tile` (DEPTH rows of TILE floats,
 * row `d` holding inner index `d`, as 16 vec4s). `alongInner`: the buffer's rows run along the
 * inner dimension (a not transposed, b transposed), so the invocation loads four inner indices
 * of one outer index and scatters them down a column of the tile; else four outer indices of one
 * inner index, one vec4 of a tile row.
 */
function tileLoad(name: string, tile: string, outer0: string, alongInner: boolean): string {
  return alongInner
    ? `{
    let o = lane / 4;
    let d = (lane % 4) * 4;
    let v = load_${name}(${outer0} + o, k0 + d);
    for (var j = 0; j < 4; j++) { ${tile}[(d + j) * 16 + o / 4][o % 4] = v[j]; }
  }`
    : `{
    let d = lane / 16;
    let o = (lane % 16) * 4;
    ${tile}[d * 16 + lane % 16] = load_${name}(k0 + d, ${outer0} + o);
  }`;
}

/** Which of the product's buffers are read and written as vec4s (`bias` also the sums'). */
interface Vec4s {
  a: boolean;
  b: boolean;
  bias: boolean;
  out: boolean;
}

/**
 * The WGSL of one variant: transposes, bias, column sums of `op(b)` (written in place into the
 * input `sums` by the first row of workgroups), and which buffers are vec4.
 */
function matMulCode(ta: boolean, tb: boolean, bias: boolean, sums: boolean, v: Vec4s): string {
  const [M, N, K] = ["uniforms.m", "uniforms.n", "uniforms.k"];
  // a is stored (M, K), or (K, M) when transposed; b (K, N), or (N, K).
  const aDims = ta ? [K, M] : [M, K];
  const bDims = tb ? [N, K] : [K, N];
  const store = v.out
    ? `if (col < ${N}) { result[(row * ${N} + col) / 4] = value; }`
    : `for (var j = 0; j < 4; j++) { if (col + j < ${N}) { result[row * ${N} + col + j] = value[j]; } }`;
  const sumStore = v.bias
    ? `if (col < ${N}) { sums[col / 4] = colSum; }`
    : `for (var j = 0; j < 4; j++) { if (col + j < ${N}) { sums[col + j] = colSum[j]; } }`;
  return `
var<workgroup> tileA : array<vec4<f32>, ${DEPTH * TILE / 4}>;
var<workgroup> tileB : array<vec4<f32>, ${DEPTH * TILE / 4}>;
${loader("a", aDims[0], aDims[1], v.a)}
${loader("b", bDims[0], bDims[1], v.b)}
${bias ? loader("bias", "1", N, v.bias) : ""}
fn main(index : i32) {
  let lane = i32(localIndex);
  let m0 = i32(workgroupId.y) * ${TILE};
  let n0 = i32(workgroupId.x) * ${TILE};
  let tx = lane % 16;
  let ty = lane / 16;
  var acc : array<vec4<f32>, 4>;
  ${sums ? "var colSum = vec4<f32>(0.0);" : ""}
  ${sums ? "let summing = workgroupId.y == 0u && ty == 0;" : ""}
  for (var k0 = 0; k0 < ${K}; k0 += ${DEPTH}) {
    ${tileLoad("a", "tileA", "m0", !ta)}
    ${tileLoad("b", "tileB", "n0", tb)}
    workgroupBarrier();
    for (var d = 0; d < ${DEPTH}; d++) {
      let av = tileA[d * 16 + ty];
      let bv = tileB[d * 16 + tx];
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    ${
    sums
      ? `if (summing) { for (var d = 0; d < ${DEPTH}; d++) { colSum += tileB[d * 16 + tx]; } }`
      : ""
  }
    workgroupBarrier();
  }
  let col = n0 + tx * 4;
  ${bias ? "let add = load_bias(0, col);" : ""}
  ${sums ? `if (summing) { ${sumStore} }` : ""}
  for (var i = 0; i < 4; i++) {
    let row = m0 + ty * 4 + i;
    if (row < ${M}) {
      let value = acc[i]${bias ? " + add" : ""};
      ${store}
    }
  }
}`;
}

/**
 * `op(a) · op(b) (+ bias)` in one WebGPU dispatch, `op` transposing when `transposeA` or
 * `transposeB`: lib's tiled WGSL matmul. On the webgpu backend only (lib/ops/linear.ts picks it
 * through lib/ops/dispatch.ts).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { onWebGPU } from "../backend/webgpu_programs.ts";
 * import { matMulWgsl } from "./matmul_wgsl.ts";
 * if (onWebGPU()) {
 *   const a = tf.tensor2d([[1, 2], [3, 4]]);
 *   const c = matMulWgsl(a, a, false, true, tf.tensor1d([1, 0]));
 *   console.log(await c.data()); // [6, 11, 12, 25]
 * }
 * ```
 */
export function matMulWgsl(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA = false,
  transposeB = false,
  bias?: tf.Tensor,
): tf.Tensor2D {
  return runMatMul(a, b, transposeA, transposeB, bias, undefined);
}

/**
 * `op(a) · op(b)` and the column sums of `op(b)` (its sums over the inner dimension), in one
 * WebGPU dispatch: a linear layer's weight gradient `xᵀ · dy` with its bias gradient, the column
 * sums of `dy`. On the webgpu backend only.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { onWebGPU } from "../backend/webgpu_programs.ts";
 * import { matMulWgslWithSums } from "./matmul_wgsl.ts";
 * if (onWebGPU()) {
 *   const x = tf.tensor2d([[1, 2], [3, 4]]), dy = tf.tensor2d([[1, 0], [1, 1]]);
 *   const { product, sums } = matMulWgslWithSums(x, dy, true, false);
 *   console.log(await product.data()); // [4, 3, 6, 4]
 *   console.log(await sums.data()); // [2, 1]
 * }
 * ```
 */
export function matMulWgslWithSums(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA = false,
  transposeB = false,
): { product: tf.Tensor2D; sums: tf.Tensor1D } {
  const N = transposeB ? b.shape[0] : b.shape[1];
  if (a.size === 0 || b.size === 0) {
    // An empty batch: the sums are zeros, as is the product (runMatMul), with no dispatch.
    return {
      product: runMatMul(a, b, transposeA, transposeB, undefined, undefined),
      sums: tf.zeros([N]),
    };
  }
  const sums = uninitializedTensor([N]) as tf.Tensor1D;
  return { product: runMatMul(a, b, transposeA, transposeB, undefined, sums), sums };
}

/** One dispatch of the tiled kernel; `sums`, when given, is written in place. */
function runMatMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.Tensor | undefined,
  sums: tf.Tensor1D | undefined,
): tf.Tensor2D {
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const [Kb, N] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
  if (K !== Kb) {
    throw new Error(
      `matMulWgsl: inner dimensions differ, (${a.shape}) ${transposeA ? "transposed " : ""}· ` +
        `(${b.shape}) ${transposeB ? "transposed" : ""}; check the operands and transpose flags.`,
    );
  }
  if (bias && bias.size !== N) {
    throw new Error(`matMulWgsl: a bias of ${bias.size} values for ${N} output columns.`);
  }
  if (Math.max(M, N) > TILE * 65535) {
    throw new Error(
      `matMulWgsl: a (${M}, ${N}) output needs more than 65535 tiles along one side, WebGPU's ` +
        "limit per dispatch dimension; split the product.",
    );
  }
  if (M === 0 || N === 0 || K === 0) {
    // Nothing to multiply (an empty batch), and WebGPU cannot bind an empty buffer: the product
    // is zeros, plus the bias.
    return tf.tidy(() => {
      const zeros = tf.zeros([M, N]) as tf.Tensor2D;
      return bias ? tf.add(zeros, bias) as tf.Tensor2D : zeros;
    });
  }
  // A buffer is read as vec4s where its rows (its last dimension) divide by 4; the bias, the
  // sums and the output where N does.
  const v: Vec4s = {
    a: a.shape[1] % 4 === 0,
    b: b.shape[1] % 4 === 0,
    bias: N % 4 === 0,
    out: N % 4 === 0,
  };
  const extra = bias ?? sums;
  const inputs = extra ? [a, b, extra] : [a, b];
  const flags = (Object.keys(v) as (keyof Vec4s)[]).map((k) => (v[k] ? "4" : "1")).join("");
  const variant = `${transposeA ? "t" : "n"}${transposeB ? "t" : "n"}${bias ? "b" : ""}` +
    (sums ? "s" : "");
  return runWgsl({
    // One word then the flags' digits: the dispatch tallies in tests/ name it lib_matmul.
    key: `lib_matmul_${variant}${flags}`,
    inputs,
    names: bias ? ["a", "b", "bias"] : sums ? ["a", "b", "sums"] : ["a", "b"],
    outputShape: [M, N],
    invocations: 0,
    workgroupSize: 256,
    workgroups: [Math.ceil(N / TILE), Math.ceil(M / TILE), 1],
    components: {
      inputs: [v.a ? 4 : 1, v.b ? 4 : 1, ...(extra ? [v.bias ? 4 : 1] : [])],
      output: v.out ? 4 : 1,
    },
    uniforms: [
      { name: "m", type: "i32", value: M },
      { name: "n", type: "i32", value: N },
      { name: "k", type: "i32", value: K },
    ],
    code: matMulCode(transposeA, transposeB, !!bias, !!sums, v),
    inPlace: sums ? ["sums"] : [],
  }) as tf.Tensor2D;
}
