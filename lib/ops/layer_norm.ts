/**
 * LayerNorm over the last axis, `(x - mean) / sqrt(var + 1e-5) * weight + bias`, in three
 * versions that compute the same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: tensor ops with a hand-written gradient (`tf.customGrad`), which replaces the
 *   dozens of small kernels autodiff would record with a handful;
 * - loops (wasm, cpu): forward and backward as two loops over typed arrays;
 * - lib (tensorflow): lib's `LlmLayerNorm` op and its gradient, one op each way;
 * - webgpu: lib's WGSL kernels (lib/ops/layer_norm_wgsl.ts), one dispatch forward, two back.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readValues, releaseScratch, scratch } from "../backend/loop_memory.ts";
import { runOp } from "../backend/native_ops.ts";
import { columnSum } from "./linear.ts";
import { pick } from "./dispatch.ts";
import { layerNormBackwardWgsl, layerNormForwardWgsl } from "./layer_norm_wgsl.ts";

/** The epsilon under LayerNorm's square root (GPT-2's and PyTorch's default). */
export const LN_EPS = 1e-5;

/**
 * LayerNorm over the last axis of `x` (N, C): `(x - mean) / sqrt(var + 1e-5) * weight + bias`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { layerNorm } from "./layer_norm.ts";
 * layerNorm(tf.tensor2d([[1, 2, 3]]), tf.ones([3])).print(); // [[-1.2247, 0, 1.2247]]
 * ```
 */
export function layerNorm(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): tf.Tensor2D {
  return pick(LAYER_NORM)(x, weight, bias);
}

const LAYER_NORM = {
  reference: layerNormTensors,
  loops: layerNormLoops,
  lib: layerNormLib,
  webgpu: layerNormWebGPU,
};

/** The reference: tensor ops with a hand-written gradient, on any backend. */
function layerNormTensors(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const withBias = tf.customGrad((...args: unknown[]) => {
    // Without a bias the third argument is customGrad's `save`, not a tensor.
    const [xs, w] = args as tf.Tensor[];
    const b = bias ? args[2] as tf.Tensor : undefined;
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    const mean = tf.mean(xs, -1, true);
    const xc = tf.sub(xs, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS)); // (N, 1)
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, w]);
    const value = b ? tf.add(tf.mul(xhat, w), b) : tf.mul(xhat, w);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, r, ww] = saved;
        const g = tf.mul(dy, ww); // gradient w.r.t. xhat
        // dx = rstd * (g - mean(g) - xhat * mean(g * xhat))
        const dx = tf.mul(
          r,
          tf.sub(
            tf.sub(g, tf.mean(g, -1, true)),
            tf.mul(xh, tf.mean(tf.mul(g, xh), -1, true)),
          ),
        );
        const dw = columnSum(tf.mul(dy, xh) as tf.Tensor2D);
        return b ? [dx, dw, columnSum(dy as tf.Tensor2D)] : [dx, dw];
      },
    };
  });
  // deno-lint-ignore no-explicit-any
  const f = withBias as any;
  return (bias ? f(x, weight, bias) : f(x, weight)) as tf.Tensor2D;
}

/** The same LayerNorm as two loops (forward, backward) instead of about twenty small kernels. */
function layerNormLoops(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const [N, C] = x.shape;
  const f = tf.customGrad((...args: unknown[]) => {
    const [xt, wt, bt] = args as tf.Tensor[];
    // Views into backend memory; copy the small weights, which the backward pass reuses.
    const xs = readValues(xt);
    const w = readValues(wt).slice();
    const b = bias ? readValues(bt).slice() : undefined;
    const xhat = scratch(N * C), rstd = scratch(N);
    const y = scratch(N * C);
    for (let n = 0; n < N; n++) {
      const o = n * C;
      let mean = 0;
      for (let c = 0; c < C; c++) mean += xs[o + c];
      mean /= C;
      let v = 0;
      for (let c = 0; c < C; c++) v += (xs[o + c] - mean) ** 2;
      const r = 1 / Math.sqrt(v / C + LN_EPS);
      rstd[n] = r;
      for (let c = 0; c < C; c++) {
        const h = (xs[o + c] - mean) * r;
        xhat[o + c] = h;
        y[o + c] = b ? h * w[c] + b[c] : h * w[c];
      }
    }
    const value = tf.tensor2d(y, [N, C]);
    releaseScratch(y);
    return {
      value,
      gradFunc: (dyt: tf.Tensor) => {
        const dy = readValues(dyt);
        const dx = scratch(N * C);
        const dw = new Float32Array(C), db = new Float32Array(C);
        for (let n = 0; n < N; n++) {
          const o = n * C;
          // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w
          let mg = 0, mgx = 0;
          for (let c = 0; c < C; c++) {
            const g = dy[o + c] * w[c];
            mg += g;
            mgx += g * xhat[o + c];
            dw[c] += dy[o + c] * xhat[o + c];
            db[c] += dy[o + c];
          }
          mg /= C;
          mgx /= C;
          const r = rstd[n];
          for (let c = 0; c < C; c++) {
            dx[o + c] = r * (dy[o + c] * w[c] - mg - xhat[o + c] * mgx);
          }
        }
        const grads = [tf.tensor2d(dx, [N, C]), tf.tensor1d(dw)];
        releaseScratch(dx, xhat, rstd);
        return bias ? [...grads, tf.tensor1d(db)] : grads;
      },
    };
  });
  // deno-lint-ignore no-explicit-any
  const g = f as any;
  return (bias ? g(x, weight, bias) : g(x, weight)) as tf.Tensor2D;
}

/** lib's WGSL kernels: LayerNorm in one dispatch forward and two backward. */
function layerNormWebGPU(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, w, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    save([xs, w]);
    return {
      value: layerNormForwardWgsl(xs as tf.Tensor2D, w, bias ? b : undefined),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xx, ww] = saved;
        const { dx, dw, db } = layerNormBackwardWgsl(dy, xx as tf.Tensor2D, ww, bias !== undefined);
        return db ? [dx, dw, db] : [dx, dw];
      },
    };
  });
  // deno-lint-ignore no-explicit-any
  const g = f as any;
  return (bias ? g(x, weight, bias) : g(x, weight)) as tf.Tensor2D;
}

/** lib's TensorFlow ops: LayerNorm in one op forward and one backward. */
function layerNormLib(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const attrs = [{ name: "eps", float: LN_EPS }, { name: "has_bias", bool: bias !== undefined }];
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, w, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    // Without a bias the op ignores its third input; the weight stands in for it.
    const [y, mean, rstd] = runOp("LlmLayerNorm", [xs, w, bias ? b : w], attrs, 3);
    save([xs, w, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dx, dw, db] = runOp("LlmLayerNormGrad", [dy, ...saved], [], 3);
        return bias ? [dx, dw, db] : [dx, dw];
      },
    };
  });
  // deno-lint-ignore no-explicit-any
  const g = f as any;
  return (bias ? g(x, weight, bias) : g(x, weight)) as tf.Tensor2D;
}
