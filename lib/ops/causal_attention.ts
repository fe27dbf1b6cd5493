/**
 * Causal attention, `softmax(q·kᵀ/√hs + causal mask)·v` per sequence and head, in the layouts a
 * GPT's attention needs, each with versions that compute the same function (lib/ops/dispatch.ts
 * picks one per backend):
 *
 * - {@link causalAttention}: the reference, tensor ops on q, k, v (BH, T, hs); it also covers a
 *   key/value cache (more keys than queries) and bidirectional attention;
 * - {@link causalAttentionPacked}: q, k, v stacked (3, BH, T, hs), with dropout: the reference,
 *   or (wasm, cpu) the loops of `causal_attention_loops.ts`, which skip the masked half;
 * - {@link causalAttentionRows}: straight from the qkv projection's rows (B*T, 3C) to the merged
 *   heads (B*T, C), no dropout: the packed version between two transposes, or (tensorflow) lib's
 *   `LlmCausalAttention` op, which reads and writes the row layout itself, so the transposes
 *   and their gradients disappear; or (webgpu) lib's WGSL kernels, the same without a T×T matrix:
 *   one invocation per (row, head) walks its keys with an online softmax, reading K and V from
 *   the storage buffer (no tiles of them in workgroup memory, as a flash-attention kernel has).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { causalBias } from "./causal_mask.ts";
import { fusedCausalAttentionPacked } from "./causal_attention_loops.ts";
import { pick } from "./dispatch.ts";
import { runWgsl, type WgslUniform } from "../backend/webgpu_programs.ts";

/** Dropout on the attention weights (training only) and its seed. */
export interface AttentionDropout {
  /** Probability of dropping an attention weight; 0 = none. */
  dropout?: number;
  /** Seed of the dropout mask (the same seed drops the same weights in every version). */
  seed?: number;
}

/**
 * Causal attention of q, k, v stacked as one (3, BH, T, hs) tensor, heads first in the batch
 * order: (BH, T, hs).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttentionPacked } from "./causal_attention.ts";
 * const qkv = tf.randomNormal([3, 2, 4, 8]) as tf.Tensor4D;
 * console.log(causalAttentionPacked(qkv).shape); // [2, 4, 8]
 * ```
 */
export function causalAttentionPacked(
  heads: tf.Tensor4D,
  opts: AttentionDropout = {},
): tf.Tensor3D {
  return pick(PACKED)(heads, opts);
}

const PACKED = {
  reference: (heads: tf.Tensor4D, opts: AttentionDropout): tf.Tensor3D => {
    const [q, k, v] = tf.unstack(heads) as tf.Tensor3D[];
    return causalAttention(q, k, v, opts.dropout ?? 0, opts.seed);
  },
  loops: fusedCausalAttentionPacked,
};

/**
 * Causal attention from `qkv` (B*T, 3C), laid out as [queries | keys | values] with the heads
 * side by side in each, to the merged heads (B*T, C). No dropout.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttentionRows } from "./causal_attention.ts";
 * // batch 2 of 5 positions, 4 heads, width 8
 * console.log(causalAttentionRows(tf.randomNormal([2 * 5, 3 * 8]) as tf.Tensor2D, 2, 4).shape);
 * ```
 */
export function causalAttentionRows(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  return pick(ROWS)(qkv, batch, nHead);
}

const ROWS = {
  reference: causalAttentionRowsViaHeads,
  lib: causalAttentionRowsLib,
  webgpu: causalAttentionRowsWebGPU,
};

/** The rows turned into heads, {@link causalAttentionPacked}, and the heads merged back. */
function causalAttentionRowsViaHeads(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  return headsToRows(causalAttentionPacked(rowsToHeads(qkv, batch, nHead)), nHead);
}

/**
 * The qkv projection's rows (B*T, 3C) as stacked heads (3, nh*B, T, hs), heads first in the
 * batch order: a 3-D transpose is fast on wasm, the 5-D one a (b, head) order needs is not.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rowsToHeads } from "./causal_attention.ts";
 * console.log(rowsToHeads(tf.zeros([2 * 5, 3 * 8]) as tf.Tensor2D, 2, 4).shape); // [3, 8, 5, 2]
 * ```
 */
export function rowsToHeads(qkv: tf.Tensor2D, batch: number, nHead: number): tf.Tensor4D {
  const [N, C3] = qkv.shape;
  const hs = C3 / 3 / nHead;
  // (B*T, 3C) -> (B*T, 3nh, hs) -> (3nh, B*T, hs) -> (3, nh*B, T, hs)
  return tf.reshape(
    tf.transpose(tf.reshape(qkv, [N, 3 * nHead, hs]), [1, 0, 2]),
    [3, nHead * batch, N / batch, hs],
  ) as tf.Tensor4D;
}

/**
 * Heads (nh*B, T, hs), heads first, back to rows (B*T, C).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { headsToRows } from "./causal_attention.ts";
 * console.log(headsToRows(tf.zeros([2 * 3, 5, 4]) as tf.Tensor3D, 2).shape); // [15, 8]
 * ```
 */
export function headsToRows(y: tf.Tensor3D, nHead: number): tf.Tensor2D {
  const [BH, T, hs] = y.shape;
  const N = (BH / nHead) * T, C = nHead * hs;
  // (nh*B, T, hs) -> (nh, B*T, hs) -> (B*T, nh, hs) -> (B*T, C)
  return tf.reshape(
    tf.transpose(tf.reshape(y, [nHead, N, hs]), [1, 0, 2]),
    [N, C],
  ) as tf.Tensor2D;
}

/** lib's TensorFlow op: one op forward (rows in, merged heads out) and one backward. */
function causalAttentionRowsLib(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  const [N, C3] = qkv.shape;
  if (qkv.rank !== 2 || N % batch !== 0 || C3 % (3 * nHead) !== 0) {
    throw new Error(
      `causalAttentionRows: qkv must be (B*T, 3C) with B = ${batch} and C divisible by ` +
        `${nHead} heads, got [${qkv.shape}].`,
    );
  }
  const attrs = [{ name: "n_head", int: nHead }, { name: "seq_len", int: N / batch }];
  const f = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const [y, p] = runOp("LlmCausalAttention", [input], attrs, 2);
    save([input, p]); // p: the softmax weights, which the backward needs
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        runOp("LlmCausalAttentionGrad", [dy, ...saved], attrs, 1),
    };
  });
  return f(qkv) as tf.Tensor2D;
}

/** The largest head size the WGSL attention kernels hold in an invocation's registers. */
const WGSL_MAX_HEAD = 128;

/**
 * WGSL shared by the attention kernels: the row layout's offsets of q, k and v, and
 * `score(n, s, h)`, query row `n`'s scaled score against key row `s` in head `h`.
 */
const ATTENTION_WGSL = `
fn qAt(n : i32, h : i32) -> i32 { return n * 3 * uniforms.c + h * uniforms.hs; }
fn kAt(n : i32, h : i32) -> i32 { return qAt(n, h) + uniforms.c; }
fn vAt(n : i32, h : i32) -> i32 { return qAt(n, h) + 2 * uniforms.c; }
fn score(n : i32, s : i32, h : i32) -> f32 {
  let qo = qAt(n, h);
  let ko = kAt(s, h);
  var dot = 0.0;
  for (var d = 0; d < uniforms.hs; d++) { dot += qkv[qo + d] * qkv[ko + d]; }
  return dot * uniforms.scale;
}
`;

/**
 * lib's WGSL kernels, straight from the rows: forward one dispatch, an invocation per (row,
 * head) running an online softmax over its keys, so no T×T matrix exists; backward two: each
 * (row, head)'s log-sum-exp and `dy·y`, then an invocation per (row, head, q|k|v) writing that
 * slice of the gradient. Head sizes over {@link WGSL_MAX_HEAD} run the reference.
 */
function causalAttentionRowsWebGPU(
  qkv: tf.Tensor2D,
  batch: number,
  nHead: number,
): tf.Tensor2D {
  const [N, C3] = qkv.shape;
  const C = C3 / 3, hs = C / nHead, T = N / batch;
  if (qkv.rank !== 2 || !Number.isInteger(T) || !Number.isInteger(hs) || hs > WGSL_MAX_HEAD) {
    return causalAttentionRowsViaHeads(qkv, batch, nHead);
  }
  const uniforms: WgslUniform[] = [
    { name: "n", type: "i32", value: N },
    { name: "t", type: "i32", value: T },
    { name: "nh", type: "i32", value: nHead },
    { name: "hs", type: "i32", value: hs },
    { name: "c", type: "i32", value: C },
    { name: "scale", type: "f32", value: 1 / Math.sqrt(hs) },
  ];
  const f = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const y = runWgsl({
      key: "lib_attention",
      inputs: [x],
      names: ["qkv"],
      outputShape: [N, C],
      invocations: N * nHead,
      uniforms,
      code: ATTENTION_WGSL + `
fn main(index : i32) {
  if (index >= uniforms.n * uniforms.nh) { return; }
  let n = index / uniforms.nh;
  let h = index % uniforms.nh;
  let first = n - n % uniforms.t; // row of this sequence's position 0
  var acc : array<f32, ${WGSL_MAX_HEAD}>;
  var m = -3.402823e38;
  var l = 0.0;
  for (var s = first; s <= n; s++) {
    let sc = score(n, s, h);
    let top = max(m, sc);
    let shrink = exp(m - top);
    let p = exp(sc - top);
    l = l * shrink + p;
    let vo = vAt(s, h);
    for (var d = 0; d < uniforms.hs; d++) { acc[d] = acc[d] * shrink + p * qkv[vo + d]; }
    m = top;
  }
  let o = n * uniforms.c + h * uniforms.hs;
  for (var d = 0; d < uniforms.hs; d++) { result[o + d] = acc[d] / l; }
}`,
    }) as tf.Tensor2D;
    save([x, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved;
        // Per (row, head): the log-sum-exp of its scores and D = dy·y (= Σ_s p dp, the
        // softmax backward's row term).
        const stats = runWgsl({
          key: "lib_attention_stats",
          inputs: [xs, ys, dy],
          names: ["qkv", "y", "dy"],
          outputShape: [N, nHead, 2],
          invocations: N * nHead,
          uniforms,
          code: ATTENTION_WGSL + `
fn main(index : i32) {
  if (index >= uniforms.n * uniforms.nh) { return; }
  let n = index / uniforms.nh;
  let h = index % uniforms.nh;
  var m = -3.402823e38;
  var l = 0.0;
  for (var s = n - n % uniforms.t; s <= n; s++) {
    let sc = score(n, s, h);
    let top = max(m, sc);
    l = l * exp(m - top) + exp(sc - top);
    m = top;
  }
  let o = n * uniforms.c + h * uniforms.hs;
  var dd = 0.0;
  for (var d = 0; d < uniforms.hs; d++) { dd += dy[o + d] * y[o + d]; }
  result[2 * index] = m + log(l);
  result[2 * index + 1] = dd;
}`,
        });
        const dqkv = runWgsl({
          key: "lib_attention_grad",
          inputs: [xs, dy, stats],
          names: ["qkv", "dy", "st"],
          outputShape: [N, C3],
          invocations: N * nHead * 3,
          uniforms,
          code: ATTENTION_WGSL + `
// p_ts, the attention weight of query t on key s, from the row's log-sum-exp.
fn prob(t : i32, s : i32, h : i32) -> f32 {
  return exp(score(t, s, h) - st[2 * (t * uniforms.nh + h)]);
}
// ds = p (dy_t·v_s - D_t), the gradient of the scaled score of query t against key s.
fn scoreGrad(t : i32, s : i32, h : i32) -> f32 {
  let yo = t * uniforms.c + h * uniforms.hs;
  let vo = vAt(s, h);
  var dp = 0.0;
  for (var d = 0; d < uniforms.hs; d++) { dp += dy[yo + d] * qkv[vo + d]; }
  return prob(t, s, h) * (dp - st[2 * (t * uniforms.nh + h) + 1]);
}
fn main(index : i32) {
  if (index >= uniforms.n * uniforms.nh * 3) { return; }
  let part = index % 3; // 0: dq, 1: dk, 2: dv
  let n = (index / 3) / uniforms.nh;
  let h = (index / 3) % uniforms.nh;
  let first = n - n % uniforms.t;
  var acc : array<f32, ${WGSL_MAX_HEAD}>;
  if (part == 0) {
    // dq_t = scale Σ_{s<=t} ds_ts k_s
    for (var s = first; s <= n; s++) {
      let g = scoreGrad(n, s, h) * uniforms.scale;
      let ko = kAt(s, h);
      for (var d = 0; d < uniforms.hs; d++) { acc[d] += g * qkv[ko + d]; }
    }
  } else {
    // dk_s = scale Σ_{t>=s} ds_ts q_t;  dv_s = Σ_{t>=s} p_ts dy_t (p alone: no dy·v product)
    for (var t = n; t < first + uniforms.t; t++) {
      if (part == 1) {
        let g = scoreGrad(t, n, h) * uniforms.scale;
        let qo = qAt(t, h);
        for (var d = 0; d < uniforms.hs; d++) { acc[d] += g * qkv[qo + d]; }
      } else {
        let p = prob(t, n, h);
        let yo = t * uniforms.c + h * uniforms.hs;
        for (var d = 0; d < uniforms.hs; d++) { acc[d] += p * dy[yo + d]; }
      }
    }
  }
  let o = n * 3 * uniforms.c + part * uniforms.c + h * uniforms.hs;
  for (var d = 0; d < uniforms.hs; d++) { result[o + d] = acc[d]; }
}`,
        });
        return [dqkv];
      },
    };
  });
  return f(qkv) as tf.Tensor2D;
}

/**
 * Heads-batched causal attention: q (BH, Tq, hs) over k, v (BH, Tk, hs), the queries being the
 * last Tq of the Tk positions.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalAttention } from "./causal_attention.ts";
 * const q = tf.randomNormal([4, 5, 8]) as tf.Tensor3D;
 * console.log(causalAttention(q, q, q).shape); // [4, 5, 8]
 * ```
 */
export function causalAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  dropout = 0,
  seed?: number,
  causal = true,
): tf.Tensor3D {
  const Tq = q.shape[1], Tk = k.shape[1], hs = q.shape[2];
  // tidy: called outside one, the intermediates would otherwise stay allocated.
  return tf.tidy(() => {
    // (BH, Tq, hs) x (BH, hs, Tk) -> (BH, Tq, Tk)
    const raw = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs));
    // One query (a decoding step) is the last position: it sees every key, the bias is all 0.
    const scores = causal && Tq > 1 ? tf.add(raw, causalBias(Tq, Tk)) : raw;
    let att = tf.softmax(scores);
    if (dropout > 0) att = tf.dropout(att, dropout, undefined, seed);
    return tf.matMul(att, v) as tf.Tensor3D; // (BH, Tq, hs)
  });
}
