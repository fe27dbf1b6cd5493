/**
 * Causal attention forward and backward as two plain loops over typed arrays, for the CPU-side
 * backends (wasm, cpu): the `loops` version of lib/ops/causal_attention.ts.
 *
 * Why: on wasm, the small batched matmuls of attention (T=64, head size 32) run at 1-2 GFLOP/s
 * against 20-30 for ordinary 2-D products, and they compute the masked half of the scores only to
 * throw it away. This version skips the future positions entirely (half the arithmetic), fuses
 * scale, mask, softmax and the weighted sum into one pass, and writes all three input gradients
 * in one pass. The mathematics is exactly `softmax(q·kᵀ/√d + mask)·v` and its gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { lowerMul, lowerMulT, lowerScores } from "./causal_attention_blocks.ts";
import { readValues, releaseScratch, scratch } from "../backend/loop_memory.ts";

function forward(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  BH: number,
  T: number,
  D: number,
  scale: number,
  m?: Float32Array,
): { y: Float32Array; p: Float32Array } {
  const y = scratch(BH * T * D);
  const p = scratch(BH * T * T); // softmax weights, lower triangle only
  const acc = new Float64Array(D);
  for (let b = 0; b < BH; b++) {
    const base = b * T * D, pBase = b * T * T;
    for (let i = 0; i < T; i++) {
      const qi = base + i * D, row = pBase + i * T;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        const s = dot(q, qi, k, base + j * D, D) * scale;
        p[row + j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(p[row + j] - max);
        p[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      acc.fill(0);
      for (let j = 0; j <= i; j++) {
        const w = p[row + j] * inv;
        p[row + j] = w;
        const wm = m ? w * m[row + j] : w; // dropout keeps the softmax in p, applies the mask here
        const vj = base + j * D;
        for (let d = 0; d < D; d++) acc[d] += wm * v[vj + d];
      }
      y.set(acc, base + i * D);
    }
  }
  return { y, p };
}

/** Row-wise softmax of the lower triangle of each (T, T) block of `p`, in place. */
function softmaxLower(p: Float32Array, BH: number, T: number): void {
  for (let b = 0; b < BH; b++) {
    for (let i = 0; i < T; i++) {
      const row = b * T * T + i * T;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) if (p[row + j] > max) max = p[row + j];
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(p[row + j] - max);
        p[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= i; j++) p[row + j] *= inv;
    }
  }
}

/** {@link forward} for even T, through the 2x2-blocked products. */
function forwardBlocked(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  BH: number,
  T: number,
  D: number,
  scale: number,
  m?: Float32Array,
): { y: Float32Array; p: Float32Array } {
  const y = scratch(BH * T * D);
  const p = scratch(BH * T * T); // upper triangle stays 0
  for (let b = 0; b < BH; b++) {
    lowerScores(q, b * T * D, k, b * T * D, p, b * T * T, T, D, scale);
  }
  softmaxLower(p, BH, T);
  // With dropout, y = (P ∘ M) V; P itself is kept for the softmax gradient.
  const pm = m ? scratch(BH * T * T) : p;
  if (m) { for (let i = 0; i < pm.length; i++) pm[i] = p[i] * m[i]; }
  for (let b = 0; b < BH; b++) {
    lowerMul(pm, b * T * T, v, b * T * D, y, b * T * D, T, D);
  }
  if (m) releaseScratch(pm);
  return { y, p };
}

/** {@link backward} for even T, through the 2x2-blocked products. */
function backwardBlocked(
  dy: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  p: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  BH: number,
  T: number,
  D: number,
  scale: number,
  m?: Float32Array,
): void {
  const ds = scratch(T * T); // upper triangle stays 0
  const pm = m ? scratch(T * T) : p;
  for (let b = 0; b < BH; b++) {
    const base = b * T * D, pBase = b * T * T;
    if (m) {
      for (let i = 0; i < T * T; i++) pm[i] = p[pBase + i] * m[pBase + i];
      lowerMulT(pm, 0, dy, base, dv, base, T, D); // dV = (P ∘ M)ᵀ dY
    } else {
      lowerMulT(p, pBase, dy, base, dv, base, T, D); // dV = Pᵀ dY
    }
    lowerScores(dy, base, v, base, ds, 0, T, D, 1); // dP = dY Vᵀ (lower part)
    if (m) { for (let i = 0; i < T * T; i++) ds[i] *= m[pBase + i]; // through the mask
     }
    for (let i = 0; i < T; i++) {
      const row = pBase + i * T, r = i * T;
      let c = 0;
      for (let j = 0; j <= i; j++) c += p[row + j] * ds[r + j];
      for (let j = 0; j <= i; j++) {
        ds[r + j] = p[row + j] * (ds[r + j] - c) * scale;
      }
    }
    lowerMul(ds, 0, k, base, dq, base, T, D); // dQ = dS K
    lowerMulT(ds, 0, q, base, dk, base, T, D); // dK = dSᵀ Q
  }
  releaseScratch(ds);
  if (m) releaseScratch(pm);
}

/** a[ao..ao+D) · b[bo..bo+D), four partial sums so the adds can overlap. */
function dot(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  D: number,
): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, d = 0;
  for (; d + 3 < D; d += 4) {
    s0 += a[ao + d] * b[bo + d];
    s1 += a[ao + d + 1] * b[bo + d + 1];
    s2 += a[ao + d + 2] * b[bo + d + 2];
    s3 += a[ao + d + 3] * b[bo + d + 3];
  }
  for (; d < D; d++) s0 += a[ao + d] * b[bo + d];
  return s0 + s1 + s2 + s3;
}

function backward(
  dy: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  p: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  BH: number,
  T: number,
  D: number,
  scale: number,
  m?: Float32Array,
): void {
  const dp = new Float32Array(T);
  for (let b = 0; b < BH; b++) {
    const base = b * T * D, pBase = b * T * T;
    for (let i = 0; i < T; i++) {
      const gi = base + i * D, row = pBase + i * T;
      // dP_ij = M_ij dY_i · V_j ; dV_j += P_ij M_ij dY_i ; c = Σ_j P_ij dP_ij (M = 1 without dropout)
      let c = 0;
      for (let j = 0; j <= i; j++) {
        const vj = base + j * D, w = p[row + j], mask = m ? m[row + j] : 1;
        const s = dot(dy, gi, v, vj, D) * mask;
        const wm = w * mask;
        for (let d = 0; d < D; d++) dv[vj + d] += wm * dy[gi + d];
        dp[j] = s;
        c += w * s;
      }
      // dS_ij = P_ij (dP_ij - c) * scale ; dQ_i += dS_ij K_j ; dK_j += dS_ij Q_i
      for (let j = 0; j <= i; j++) {
        const ds = p[row + j] * (dp[j] - c) * scale;
        const kj = base + j * D;
        for (let d = 0; d < D; d++) {
          dq[gi + d] += ds * k[kj + d];
          dk[kj + d] += ds * q[gi + d];
        }
      }
    }
  }
}

/** Dropout on the attention weights, as `causalAttention` applies it. */
export interface FusedAttentionOptions {
  /** Probability of dropping an attention weight (training only); 0 = none. */
  dropout?: number;
  /** Seed of the dropout mask: the same seed drops the same weights as `tf.dropout`. */
  seed?: number;
}

/**
 * The dropout multiplier (0 or 1/(1-rate)) that `tf.dropout(x, rate, undefined, seed)` applies
 * to an x of this shape, so that the fused and the tensor-op paths drop the same weights.
 */
function dropoutMask(shape: number[], rate: number, seed?: number): Float32Array {
  if (!(rate >= 0 && rate < 1)) {
    throw new Error(`fused attention: dropout must be in [0, 1), got ${rate}.`);
  }
  return tf.tidy(() =>
    tf.dropout(tf.ones(shape), rate, undefined, seed).dataSync() as Float32Array
  );
}

/**
 * Causal self-attention of q, k, v, each (BH, T, D), with its gradient; same result as
 * `softmax(q·kᵀ/√D + causal mask)·v` (with dropout on the softmax weights when asked for). Works on any backend (it reads tensors back to
 * JavaScript), and is fast on wasm and cpu, where reading a tensor costs nothing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedCausalAttention } from "./causal_attention_loops.ts";
 * const q = tf.randomNormal([2, 4, 8]) as tf.Tensor3D;
 * console.log(fusedCausalAttention(q, q, q).shape); // [2, 4, 8]
 * ```
 */
export function fusedCausalAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  opts: FusedAttentionOptions = {},
): tf.Tensor3D {
  for (const [name, t] of [["k", k], ["v", v]] as const) {
    if (t.shape.join() !== q.shape.join()) {
      throw new Error(
        `fusedCausalAttention: ${name} has shape [${t.shape}] but q has [${q.shape}]; they must match.`,
      );
    }
  }
  return tf.tidy(() => fusedCausalAttentionPacked(tf.stack([q, k, v]) as tf.Tensor4D, opts));
}

/**
 * {@link fusedCausalAttention} on q, k and v stacked as one (3, BH, T, D) tensor, the layout
 * GPT's QKV projection produces: no unstacking forward, one gradient tensor backward.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedCausalAttentionPacked } from "./causal_attention_loops.ts";
 * const qkv = tf.randomNormal([3, 2, 4, 8]) as tf.Tensor4D;
 * console.log(fusedCausalAttentionPacked(qkv).shape); // [2, 4, 8]
 * ```
 */
export function fusedCausalAttentionPacked(
  qkv: tf.Tensor4D,
  opts: FusedAttentionOptions = {},
): tf.Tensor3D {
  if (qkv.rank !== 4 || qkv.shape[0] !== 3) {
    throw new Error(
      `fusedCausalAttentionPacked: expected (3, BH, T, D) stacked q, k, v, got [${qkv.shape}].`,
    );
  }
  const [, BH, T, D] = qkv.shape;
  const n = BH * T * D;
  const scale = 1 / Math.sqrt(D);
  // Even T takes the blocked loops (2x2 register blocks need row pairs).
  const blocked = T % 2 === 0;
  const rate = opts.dropout ?? 0;
  const mask = rate > 0 ? dropoutMask([BH, T, T], rate, opts.seed) : undefined;
  const f = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const all = readValues(input);
    const { y, p } = (blocked ? forwardBlocked : forward)(
      all.subarray(0, n),
      all.subarray(n, 2 * n),
      all.subarray(2 * n),
      BH,
      T,
      D,
      scale,
      mask,
    );
    const value = tf.tensor3d(y, [BH, T, D]);
    releaseScratch(y);
    save([input]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grad = scratch(3 * n);
        // Both reads are views: no tensor may be created until the loops are done.
        const qkvs = readValues(saved[0]);
        (blocked ? backwardBlocked : backward)(
          readValues(dy),
          qkvs.subarray(0, n),
          qkvs.subarray(n, 2 * n),
          qkvs.subarray(2 * n),
          p,
          grad.subarray(0, n),
          grad.subarray(n, 2 * n),
          grad.subarray(2 * n),
          BH,
          T,
          D,
          scale,
          mask,
        );
        const out = tf.tensor4d(grad, [3, BH, T, D]);
        releaseScratch(grad, p);
        return [out];
      },
    };
  });
  return f(qkv) as tf.Tensor3D;
}
