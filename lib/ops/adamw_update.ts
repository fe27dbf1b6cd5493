/**
 * One AdamW step over a set of parameters, `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g²`,
 * `p = shrink p - stepSize m / (sqrt(v) + epsHat)` (decoupled decay: `shrink` only on decayed
 * weights), in three versions that compute the same update (lib/ops/dispatch.ts picks one per
 * backend):
 *
 * - reference: tensor ops, about nine kernels per parameter;
 * - loops (wasm, cpu): one JavaScript loop per parameter;
 * - lib (tensorflow): lib's `LlmAdamW` op, every parameter in one kernel;
 * - webgpu: lib's WGSL kernel, several parameters per dispatch with weights and moments updated in
 *   place (as many as the device's storage buffers allow, {@link adamwSlotsPerDispatch}).
 *
 * `AdamW` (lib/optim/adamw.ts) owns the moments and the hyperparameters and calls this.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readValues, releaseScratch, scratch } from "../backend/loop_memory.ts";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";
import {
  runWgsl,
  storageBuffersPerDispatch,
  type WgslUniform,
  writableInPlace,
} from "../backend/webgpu_programs.ts";

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

/** The step's scalars, with Adam's bias corrections folded in (see `AdamW.update`). */
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
 * Applies one AdamW step to every slot: weights and moments are assigned in place.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamwUpdate } from "./adamw_update.ts";
 * const p = tf.variable(tf.ones([2])), m = tf.variable(tf.zeros([2])), v = tf.variable(tf.zeros([2]));
 * adamwUpdate([{ p, g: tf.ones([2]), m, v, decayed: false }],
 *   { beta1: 0.9, beta2: 0.99, stepSize: 0.1, epsHat: 1e-9, shrink: 1 });
 * p.print(); // [0.9, 0.9] after the first step's bias correction: 1 - 0.1 * 0.1 / sqrt(0.01)
 * ```
 */
export function adamwUpdate(slots: AdamWSlot[], s: AdamWScalars): void {
  pick(ADAMW_UPDATE)(slots, s);
}

const ADAMW_UPDATE = {
  reference: adamwTensors,
  loops: adamwLoops,
  lib: adamwLib,
  webgpu: adamwWebGPU,
};

/** The reference: tensor ops, on any backend. */
function adamwTensors(slots: AdamWSlot[], s: AdamWScalars): void {
  const { beta1, beta2, stepSize, epsHat } = s;
  tf.tidy(() => {
    for (const { p, g, m, v, decayed } of slots) {
      const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const vNew = tf.add(
        tf.mul(v, beta2),
        tf.mul(tf.square(g), 1 - beta2),
      );
      m.assign(mNew);
      v.assign(vNew);
      const step = tf.div(
        tf.mul(mNew, stepSize),
        tf.add(tf.sqrt(vNew), epsHat),
      );
      // Decoupled decay: shrink the weight itself, independent of the gradient's scale.
      const base = decayed ? tf.mul(p, s.shrink) : p;
      p.assign(tf.sub(base, step));
    }
  });
}

/**
 * wasm and cpu: one loop per parameter instead of about nine kernel calls (470 for the baby GPT,
 * about 60 ms a step on wasm); reads gradient, weight and moments in place and writes the three
 * new tensors once.
 */
function adamwLoops(slots: AdamWSlot[], s: AdamWScalars): void {
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

/**
 * How many parameters lib's webgpu AdamW updates per dispatch: each binds four storage buffers
 * (weight, gradient, two moments) and the dispatch one more (tfjs's `result`), within the
 * device's limit; at most {@link MAX_SLOTS_PER_DISPATCH}. 0 off webgpu.
 *
 * @example
 * ```ts
 * import { adamwSlotsPerDispatch } from "./adamw_update.ts";
 * console.log(adamwSlotsPerDispatch()); // 0 off webgpu; 7 on lavapipe (32 buffers), 3 on llvmpipe via GL (16)
 * ```
 */
export function adamwSlotsPerDispatch(): number {
  const buffers = storageBuffersPerDispatch();
  return Math.min(MAX_SLOTS_PER_DISPATCH, Math.floor((buffers - 1) / 4));
}

/** Caps the shader's size (its code grows with each parameter); one letter names each slot. */
const MAX_SLOTS_PER_DISPATCH = 16;
const SLOT_LETTERS = "abcdefghijklmnop";

/**
 * lib's WGSL kernels. Parameters whose weight and moments own their buffers
 * ({@link writableInPlace}) are updated in place, several per dispatch (one invocation per
 * element of their concatenation). Where only the moments own theirs, one dispatch per
 * parameter writes a new weight; otherwise three dispatches write a new `m`, `v` and weight.
 */
function adamwWebGPU(slots: AdamWSlot[], s: AdamWScalars): void {
  const scalars = (decayed: boolean): WgslUniform[] => [
    { name: "beta1", type: "f32", value: s.beta1 },
    { name: "beta2", type: "f32", value: s.beta2 },
    { name: "shrink", type: "f32", value: decayed ? s.shrink : 1 },
    { name: "stepSize", type: "f32", value: s.stepSize },
    { name: "epsHat", type: "f32", value: s.epsHat },
  ];
  const elementwise = (
    key: string,
    inputs: tf.Tensor[],
    names: string[],
    uniforms: WgslUniform[],
    body: string,
    inPlace?: string[],
  ) =>
    runWgsl({
      key,
      inputs,
      names,
      outputShape: inputs[0].shape,
      invocations: inputs[0].size,
      uniforms: [{ name: "n", type: "i32", value: inputs[0].size }, ...uniforms],
      code: `fn main(i : i32) { if (i < uniforms.n) { ${body} } }`,
      inPlace,
    });
  const M = "uniforms.beta1 * m[i] + (1.0 - uniforms.beta1) * g[i]";
  const V = "uniforms.beta2 * v[i] + (1.0 - uniforms.beta2) * g[i] * g[i]";
  const P = "p[i] * uniforms.shrink - mi * uniforms.stepSize / (sqrt(vi) + uniforms.epsHat)";
  tf.tidy(() => {
    const owned = slots.filter((x) =>
      writableInPlace(x.p) && writableInPlace(x.m) && writableInPlace(x.v)
    );
    const perDispatch = Math.max(1, adamwSlotsPerDispatch());
    for (let i = 0; i < owned.length; i += perDispatch) {
      adamwInPlaceWebGPU(owned.slice(i, i + perDispatch), s);
    }
    for (const { p, g, m, v, decayed } of slots.filter((x) => !owned.includes(x))) {
      if (writableInPlace(m) && writableInPlace(v)) {
        p.assign(elementwise(
          "lib_adamw",
          [p, g, m, v],
          ["p", "g", "m", "v"],
          scalars(decayed),
          `let mi = ${M}; let vi = ${V}; m[i] = mi; v[i] = vi; result[i] = ${P};`,
          ["m", "v"],
        ));
        continue;
      }
      const mNew = elementwise(
        "lib_adamw_m",
        [m, g],
        ["m", "g"],
        scalars(decayed),
        `result[i] = ${M};`,
      );
      const vNew = elementwise(
        "lib_adamw_v",
        [v, g],
        ["v", "g"],
        scalars(decayed),
        `result[i] = ${V};`,
      );
      const pNew = elementwise(
        "lib_adamw_p",
        [p, mNew, vNew],
        ["p", "m", "v"],
        scalars(decayed),
        `let mi = m[i]; let vi = v[i]; result[i] = ${P};`,
      );
      m.assign(mNew);
      v.assign(vNew);
      p.assign(pNew);
    }
  });
}

/** The WGSL program of {@link adamwInPlaceWebGPU} for some number of slots, without values. */
export interface AdamWMultiShader {
  /** The buffers' WGSL names, four per slot: `p<letter>`, `g<letter>`, `m<letter>`, `v<letter>`. */
  names: string[];
  /** The names the shader writes in place (weights and moments). */
  inPlace: string[];
  /** The uniforms it reads, in order. */
  uniforms: { name: string; type: "f32" | "i32" }[];
  /** `fn main(i : i32)`, with one branch per slot. */
  code: string;
}

/**
 * The WGSL program that updates `count` AdamW slots in place in one dispatch (1 to 16; the
 * backend binds the buffers, the `result` output and the `uniforms` struct around `code`).
 * Exported so that tests can compile it for more slots than the local adapter binds.
 *
 * @example
 * ```ts
 * import { adamwMultiShader } from "./adamw_update.ts";
 * const shader = adamwMultiShader(10);
 * console.log(shader.names.slice(36)); // ["pj", "gj", "mj", "vj"]: the 10th slot's buffers
 * ```
 */
export function adamwMultiShader(count: number): AdamWMultiShader {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SLOTS_PER_DISPATCH) {
    throw new Error(
      `adamwMultiShader(${count}): the count must be an integer from 1 to ` +
        `${MAX_SLOTS_PER_DISPATCH}; split the parameters over several dispatches.`,
    );
  }
  const letters = [...SLOT_LETTERS.slice(0, count)];
  // The locals' names are longer than two letters: a buffer's name is two (the 10th slot's are
  // pj, gj, mj, vj), and a local named like one would shadow it.
  const branches = letters.map((l, k) => {
    const start = k === 0 ? "0" : `uniforms.e${letters[k - 1]}`;
    return `if (i < uniforms.e${l}) {
    let elem = i - ${start};
    let grad = g${l}[elem];
    let mNew = uniforms.beta1 * m${l}[elem] + (1.0 - uniforms.beta1) * grad;
    let vNew = uniforms.beta2 * v${l}[elem] + (1.0 - uniforms.beta2) * grad * grad;
    m${l}[elem] = mNew;
    v${l}[elem] = vNew;
    p${l}[elem] = p${l}[elem] * uniforms.s${l} - mNew * uniforms.stepSize / (sqrt(vNew) + uniforms.epsHat);
  }`;
  });
  return {
    names: letters.flatMap((l) => [`p${l}`, `g${l}`, `m${l}`, `v${l}`]),
    inPlace: letters.flatMap((l) => [`p${l}`, `m${l}`, `v${l}`]),
    uniforms: [
      { name: "beta1", type: "f32" },
      { name: "beta2", type: "f32" },
      { name: "stepSize", type: "f32" },
      { name: "epsHat", type: "f32" },
      ...letters.map((l) => ({ name: `e${l}`, type: "i32" as const })),
      ...letters.map((l) => ({ name: `s${l}`, type: "f32" as const })),
    ],
    code: `fn main(i : i32) {
  if (i == 0) { result[0] = 0.0; }
  ${branches.join(" else ")}
}`,
  };
}

/**
 * One dispatch updating every slot in place: invocation `i` updates element `i` of the slots'
 * concatenation (uniform `e<letter>` is where each slot's elements end). The shader's only
 * output is a dummy element, since tfjs requires one.
 */
function adamwInPlaceWebGPU(slots: AdamWSlot[], s: AdamWScalars): void {
  const shader = adamwMultiShader(slots.length);
  const ends: number[] = [];
  slots.reduce((end, x) => (ends.push(end + x.p.size), end + x.p.size), 0);
  const k = slots.length;
  const values = [
    s.beta1,
    s.beta2,
    s.stepSize,
    s.epsHat,
    ...ends,
    ...slots.map((x) => x.decayed ? s.shrink : 1),
  ];
  const dummy = runWgsl({
    key: "lib_adamw_multi",
    inputs: slots.flatMap((x) => [x.p, x.g, x.m, x.v]),
    names: shader.names,
    outputShape: [1],
    invocations: ends[k - 1],
    uniforms: shader.uniforms.map((u, i): WgslUniform => ({ ...u, value: values[i] })),
    inPlace: shader.inPlace,
    code: shader.code,
  });
  dummy.dispose();
}

/** lib's TensorFlow op: every parameter in one kernel instead of 13 per parameter. */
function adamwLib(slots: AdamWSlot[], s: AdamWScalars): void {
  const n = slots.length;
  tf.tidy(() => {
    const out = runOp(
      "LlmAdamW",
      [
        ...slots.map((x) => x.p),
        ...slots.map((x) => x.g),
        ...slots.map((x) => x.m),
        ...slots.map((x) => x.v),
        tf.tensor1d([s.beta1, s.beta2, s.stepSize, s.epsHat, s.shrink]),
      ],
      [
        { name: "N", int: n },
        { name: "decayed", bool: slots.map((x) => x.decayed) },
      ],
      3 * n,
    );
    slots.forEach(({ p, m, v }, i) => {
      p.assign(out[i]);
      m.assign(out[n + i]);
      v.assign(out[2 * n + i]);
    });
  });
}
