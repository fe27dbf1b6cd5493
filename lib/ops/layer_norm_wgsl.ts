/**
 * LayerNorm's WGSL kernels for the webgpu backend, shared by {@link layerNorm}'s and
 * `addLayerNorm`'s webgpu versions: the forward in one dispatch (a workgroup per row), the
 * backward in two (`dx` with each row's statistics, then the column sums `dw` and `db`) where the
 * reference records about fifteen. The forward saves nothing but its inputs; the backward
 * recomputes each row's mean and 1/std, which costs one pass over `x` and spares a second output
 * (tfjs's programs have one). Where a kernel has a second result, it writes it in place into a
 * scratch tensor (`uninitializedTensor`). The residual sum before a LayerNorm fuses into its
 * forward ({@link addLayerNormForwardWgsl}).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import {
  runWgsl,
  uninitializedTensor,
  type WgslUniform,
  WORKGROUP_SUM,
} from "../backend/webgpu_programs.ts";
import { LN_EPS } from "./layer_norm.ts";

/** The uniforms every LayerNorm kernel reads: rows, columns and the epsilon. */
function rowUniforms(x: tf.Tensor2D): WgslUniform[] {
  const [N, C] = x.shape;
  return [
    { name: "n", type: "i32", value: N },
    { name: "c", type: "i32", value: C },
    // A uniform, not a literal: LN_EPS is not yet defined while this module loads (a cycle).
    { name: "eps", type: "f32", value: LN_EPS },
  ];
}

/**
 * WGSL: `rowStats(row, lane)` gives (mean, 1/std) of row `row` of `xAt(o)`, a workgroup per row;
 * `xAt` reads `x` ({@link X_AT}) or the residual sum `x + d`.
 */
const ROW_STATS = WORKGROUP_SUM + `
fn rowStats(row : i32, lane : i32) -> vec2<f32> {
  let C = uniforms.c;
  let ok = row < uniforms.n;
  var s = 0.0;
  if (ok) { for (var c = lane; c < C; c += 64) { s += xAt(row * C + c); } }
  let mean = workgroupSum(s, lane) / f32(C);
  var q = 0.0;
  if (ok) { for (var c = lane; c < C; c += 64) { let e = xAt(row * C + c) - mean; q += e * e; } }
  let rstd = inverseSqrt(workgroupSum(q, lane) / f32(C) + uniforms.eps);
  return vec2<f32>(mean, rstd);
}
`;

/** WGSL: the LayerNorm's input is `x` itself. */
const X_AT = "fn xAt(o : i32) -> f32 { return x[o]; }\n";

/**
 * LayerNorm's forward on webgpu, one dispatch: `(x - mean) / sqrt(var + 1e-5) * w + b`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { layerNormForwardWgsl } from "./layer_norm_wgsl.ts";
 * if (tf.getBackend() === "webgpu") {
 *   const y = layerNormForwardWgsl(tf.tensor2d([[1, 2, 3]]), tf.ones([3]));
 *   console.log(await y.data()); // [-1.2247, 0, 1.2247]
 * }
 * ```
 */
export function layerNormForwardWgsl(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const [N, C] = x.shape;
  return runWgsl({
    key: bias ? "lib_layer_norm_bias" : "lib_layer_norm",
    inputs: bias ? [x, weight, bias] : [x, weight],
    names: bias ? ["x", "w", "b"] : ["x", "w"],
    outputShape: [N, C],
    invocations: N * 64,
    uniforms: rowUniforms(x),
    code: X_AT + ROW_STATS + `
fn main(index : i32) {
  let lane = i32(localId.x);
  let row = index / 64;
  let C = uniforms.c;
  let st = rowStats(row, lane);
  if (row < uniforms.n) {
    for (var c = lane; c < C; c += 64) {
      let o = row * C + c;
      result[o] = (x[o] - st.x) * st.y * w[c]${bias ? " + b[c]" : ""};
    }
  }
}`,
  }) as tf.Tensor2D;
}

/**
 * The residual sum and the LayerNorm after it on webgpu, one dispatch: `s = x + d` (written in
 * place into a scratch tensor) and `y = layerNorm(s)` (the program's output).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { addLayerNormForwardWgsl } from "./layer_norm_wgsl.ts";
 * if (tf.getBackend() === "webgpu") {
 *   const { s } = addLayerNormForwardWgsl(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[0, 0, 3]]), tf.ones([3]));
 *   console.log(await s.data()); // [1, 2, 6]
 * }
 * ```
 */
export function addLayerNormForwardWgsl(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): { s: tf.Tensor2D; y: tf.Tensor2D } {
  const [N, C] = x.shape;
  const s = uninitializedTensor([N, C]) as tf.Tensor2D;
  const y = runWgsl({
    key: bias ? "lib_add_layer_norm_bias" : "lib_add_layer_norm",
    inputs: bias ? [x, d, weight, s, bias] : [x, d, weight, s],
    names: bias ? ["x", "d", "w", "s", "b"] : ["x", "d", "w", "s"],
    outputShape: [N, C],
    invocations: N * 64,
    uniforms: rowUniforms(x),
    inPlace: ["s"],
    code: "fn xAt(o : i32) -> f32 { return x[o] + d[o]; }\n" + ROW_STATS + `
fn main(index : i32) {
  let lane = i32(localId.x);
  let row = index / 64;
  let C = uniforms.c;
  let st = rowStats(row, lane);
  if (row < uniforms.n) {
    for (var c = lane; c < C; c += 64) {
      let o = row * C + c;
      let v = xAt(o);
      s[o] = v;
      result[o] = (v - st.x) * st.y * w[c]${bias ? " + b[c]" : ""};
    }
  }
}`,
  }) as tf.Tensor2D;
  return { s, y };
}

/** The gradients of LayerNorm's inputs from {@link layerNormBackwardWgsl}. */
export interface LayerNormGrads {
  /** Gradient of `x` (plus the residual gradient `ds`, when given). */
  dx: tf.Tensor2D;
  /** Gradient of the weight. */
  dw: tf.Tensor1D;
  /** Gradient of the bias (only when asked for). */
  db?: tf.Tensor1D;
}

/**
 * LayerNorm's backward on webgpu in two dispatches: first, per row, its (mean, 1/std) and `dx =
 * rstd (g - mean(g) - xhat mean(g xhat))` with `g = dy w`, plus `ds` when given (the gradient
 * that reaches a residual sum `x` from elsewhere); then `dw = Σ dy xhat` and `db = Σ dy` over rows.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { layerNormBackwardWgsl } from "./layer_norm_wgsl.ts";
 * if (tf.getBackend() === "webgpu") {
 *   const { dw } = layerNormBackwardWgsl(tf.ones([1, 3]), tf.tensor2d([[1, 2, 3]]), tf.ones([3]), false);
 *   console.log(await dw.data()); // [-1.2247, 0, 1.2247]
 * }
 * ```
 */
export function layerNormBackwardWgsl(
  dy: tf.Tensor,
  x: tf.Tensor2D,
  weight: tf.Tensor,
  withBias: boolean,
  ds?: tf.Tensor,
): LayerNormGrads {
  const [N, C] = x.shape;
  const uniforms = rowUniforms(x);
  // A second output written in place (a tfjs program has one): every element is written.
  const stats = uninitializedTensor([N, 2]);
  const dx = runWgsl({
    key: ds ? "lib_layer_norm_dx_stats_residual" : "lib_layer_norm_dx_stats",
    inputs: ds ? [dy, x, weight, stats, ds] : [dy, x, weight, stats],
    names: ds ? ["dy", "x", "w", "stats", "ds"] : ["dy", "x", "w", "stats"],
    outputShape: [N, C],
    invocations: N * 64,
    uniforms,
    inPlace: ["stats"],
    code: X_AT + ROW_STATS + `
fn main(index : i32) {
  let lane = i32(localId.x);
  let row = index / 64;
  let C = uniforms.c;
  let ok = row < uniforms.n;
  let st = rowStats(row, lane);
  let mean = st.x;
  let rstd = st.y;
  var sg = 0.0;
  var sgx = 0.0;
  if (ok) {
    for (var c = lane; c < C; c += 64) {
      let o = row * C + c;
      let g = dy[o] * w[c];
      sg += g;
      sgx += g * (x[o] - mean) * rstd;
    }
  }
  let mg = workgroupSum(sg, lane) / f32(C);
  let mgx = workgroupSum(sgx, lane) / f32(C);
  if (ok) {
    // The row's statistics, for the column sums of dw in the next dispatch.
    if (lane == 0) { stats[2 * row] = mean; stats[2 * row + 1] = rstd; }
    for (var c = lane; c < C; c += 64) {
      let o = row * C + c;
      let xhat = (x[o] - mean) * rstd;
      result[o] = rstd * (dy[o] * w[c] - mg - xhat * mgx)${ds ? " + ds[o]" : ""};
    }
  }
}`,
  }) as tf.Tensor2D;
  // dw = Σ dy xhat into the output, db = Σ dy in place into a second scratch buffer: one pass.
  const db = withBias ? uninitializedTensor([C]) as tf.Tensor1D : undefined;
  const dw = runWgsl({
    key: withBias ? "lib_layer_norm_dw_db" : "lib_layer_norm_dw",
    inputs: db ? [dy, x, stats, db] : [dy, x, stats],
    names: db ? ["dy", "x", "stats", "db"] : ["dy", "x", "stats"],
    outputShape: [C],
    invocations: C * 64,
    uniforms,
    inPlace: db ? ["db"] : [],
    // A workgroup per column, its 64 lanes taking every 64th row: one invocation per column
    // looping over all rows left most of a GPU idle, and llvmpipe stops an invocation's loops
    // after about 65,535 iterations in all (a 100,000-row loop summed 65,535 rows there), which
    // now bounds the rows at about 64 × 65,535 on that adapter alone.
    code: WORKGROUP_SUM + `
fn main(index : i32) {
  let C = uniforms.c;
  let lane = i32(localId.x);
  let col = index / 64;
  var s = 0.0;
  var sb = 0.0;
  if (col < C) {
    for (var n = lane; n < uniforms.n; n += 64) {
      let o = n * C + col;
      s += dy[o] * (x[o] - stats[2 * n]) * stats[2 * n + 1];
      sb += dy[o];
    }
  }
  let total = workgroupSum(s, lane);
  let totalB = workgroupSum(sb, lane);
  if (col < C && lane == 0) {
    result[col] = total;${withBias ? " db[col] = totalB;" : ""}
  }
}`,
  }) as tf.Tensor1D;
  stats.dispose();
  return db ? { dx, dw, db } : { dx, dw };
}
