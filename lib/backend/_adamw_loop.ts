/**
 * AdamW's update as one JavaScript loop per parameter, for the backends whose tensors live in
 * JavaScript-reachable memory (wasm, cpu). On wasm the tensor-op version costs about 9 kernel
 * calls per parameter (470 for the baby GPT, about 60 ms a step); this reads gradient, weight
 * and moments in place and writes the three new tensors once. Internal to lib (AdamW uses it
 * when `loopKernelsActive()`); the mathematics is exactly `AdamW.update`'s.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readValues, releaseScratch, scratch } from "./loop_memory.ts";

/** One parameter's tensors. */
export interface AdamWSlot {
  /** The weight. */
  p: tf.Variable;
  /** Its gradient. */
  g: tf.Tensor;
  /** First moment. */
  m: tf.Variable;
  /** Second moment. */
  v: tf.Variable;
  /** Whether weight decay applies to it. */
  decayed: boolean;
}

/** The step's scalars, bias corrections folded in as in `AdamW.update`. */
export interface AdamWScalars {
  /** Decay rate of the first moment. */
  beta1: number;
  /** Decay rate of the second moment. */
  beta2: number;
  /** `lr * sqrt(1 - beta2^t) / (1 - beta1^t)`. */
  stepSize: number;
  /** `eps * sqrt(1 - beta2^t)`. */
  epsHat: number;
  /** `1 - lr * weightDecay`: the decayed weights' shrink factor. */
  shrink: number;
}

/**
 * Applies one AdamW step to every slot.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamwLoopUpdate } from "./_adamw_loop.ts";
 * const p = tf.variable(tf.ones([2])), m = tf.variable(tf.zeros([2])), v = tf.variable(tf.zeros([2]));
 * adamwLoopUpdate([{ p, g: tf.ones([2]), m, v, decayed: false }],
 *   { beta1: 0.9, beta2: 0.99, stepSize: 0.1, epsHat: 1e-9, shrink: 1 });
 * p.print(); // [0.9, 0.9] after the first step's bias correction: 1 - 0.1 * 0.1 / sqrt(0.01)
 * ```
 */
export function adamwLoopUpdate(slots: AdamWSlot[], s: AdamWScalars): void {
  const { beta1, beta2, stepSize, epsHat } = s;
  const c1 = 1 - beta1, c2 = 1 - beta2;
  for (const { p, g, m, v, decayed } of slots) {
    const n = p.size;
    const pn = scratch(n), mn = scratch(n), vn = scratch(n);
    // Views into backend memory: read them all before this slot creates any tensor.
    const gs = readValues(g), ps = readValues(p), ms = readValues(m), vs = readValues(v);
    const shrink = decayed ? s.shrink : 1;
    for (let i = 0; i < n; i++) {
      const gi = gs[i];
      const mi = Math.fround(beta1 * ms[i] + c1 * gi);
      const vi = Math.fround(beta2 * vs[i] + c2 * gi * gi);
      mn[i] = mi;
      vn[i] = vi;
      pn[i] = ps[i] * shrink - (mi * stepSize) / (Math.sqrt(vi) + epsHat);
    }
    tf.tidy(() => {
      p.assign(tf.tensor(pn, p.shape));
      m.assign(tf.tensor(mn, m.shape));
      v.assign(tf.tensor(vn, v.shape));
    });
    releaseScratch(pn, mn, vn);
  }
}
