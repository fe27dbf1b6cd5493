/**
 * AdamW: Adam with weight decay applied directly to the weights ("decoupled"), rather than added
 * to the gradient where Adam's per-weight scaling would weaken it for exactly the weights that
 * move most. As in nanoGPT, only matrices and embeddings (rank >= 2) are decayed; biases and
 * LayerNorm gains stay free, since shrinking them toward zero has no regularising meaning.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ownedVariable } from "../nn/init.ts";
import { type FreezeSpec, frozenNames } from "./freeze.ts";
import { adamwUpdate } from "../ops/adamw_update.ts";

/** Hyperparameters of {@link AdamW}. */
export interface AdamWOptions {
  /** Decay rate of the gradient's running mean (default 0.9). */
  beta1?: number;
  /** Decay rate of the squared gradient's running mean (default 0.99, nanoGPT's small-model value). */
  beta2?: number;
  /** Added to the denominator so tiny second moments cannot blow up a step (default 1e-8). */
  eps?: number;
  /** Fraction of each decayed weight removed per step, times the learning rate (default 0.1). */
  weightDecay?: number;
  /** Parameters to leave untouched: no moments, no gradient needed, no update (see {@link FreezeSpec}). */
  freeze?: FreezeSpec;
}

/** The JSON-safe part of an {@link AdamW}'s state; the moments travel as tensors. */
export interface AdamWState {
  /** Always "adamw". */
  type: "adamw";
  /** Updates applied so far (Adam's bias correction depends on it). */
  step: number;
  /** The hyperparameters in use. */
  beta1: number;
  /** See {@link AdamWOptions.beta2}. */
  beta2: number;
  /** See {@link AdamWOptions.eps}. */
  eps: number;
  /** See {@link AdamWOptions.weightDecay}. */
  weightDecay: number;
}

/** Plain moment data as read from a checkpoint. */
export interface MomentData {
  /** Dimensions, outermost first. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array | Int32Array;
}

/**
 * AdamW over a named set of variables.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { AdamW } from "./adamw.ts";
 * const params = new Map([["w", tf.variable(tf.ones([2, 2]))], ["b", tf.variable(tf.zeros([2]))]]);
 * const opt = new AdamW(params, { weightDecay: 0.1 });
 * tf.tidy(() => opt.update({ w: tf.onesLike(params.get("w")!), b: tf.onesLike(params.get("b")!) }, 1e-2));
 * console.log(opt.step, [...opt.decayed]); // 1 ["w"]
 * ```
 */
export class AdamW {
  /** Names of the parameters that receive weight decay (rank >= 2, not frozen). */
  readonly decayed: ReadonlySet<string>;
  /** Names of the frozen parameters, which this optimizer never changes. */
  readonly frozen: ReadonlySet<string>;
  readonly #params: Map<string, tf.Variable>;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();
  #step = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  /** Creates zeroed moments for every parameter that is not frozen. */
  constructor(params: Map<string, tf.Variable>, opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.99;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.1;
    for (
      const [k, b] of [["beta1", this.beta1], ["beta2", this.beta2]] as const
    ) {
      if (!(b >= 0 && b < 1)) {
        throw new Error(`AdamW ${k} must lie in [0, 1), got ${b}`);
      }
    }
    if (!(this.eps > 0)) {
      throw new Error(`AdamW eps must be > 0, got ${this.eps}`);
    }
    if (!(this.weightDecay >= 0)) {
      throw new Error(
        `AdamW weightDecay must be >= 0, got ${this.weightDecay}`,
      );
    }
    if (params.size === 0) {
      throw new Error("AdamW needs at least one parameter");
    }
    this.frozen = frozenNames(params.keys(), opts.freeze);
    this.#params = new Map([...params].filter(([name]) => !this.frozen.has(name)));
    this.decayed = new Set(
      [...this.#params].filter(([, p]) => p.rank >= 2).map(([k]) => k),
    );
    for (const [name, p] of this.#params) {
      this.#m.set(name, ownedVariable(tf.zerosLike(p), false));
      this.#v.set(name, ownedVariable(tf.zerosLike(p), false));
    }
  }

  /** Names of the parameters this optimizer updates (all but the frozen ones). */
  get trainable(): string[] {
    return [...this.#params.keys()];
  }

  /** Updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Applies one update with learning rate `lr`. `grads` maps parameter names to gradients;
   * every parameter that is not frozen needs one (a frozen one's gradient is ignored). Safe to
   * call inside `tf.tidy` (all temporaries are released).
   */
  update(grads: Record<string, tf.Tensor>, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) {
      throw new Error(`AdamW learning rate must be finite and >= 0, got ${lr}`);
    }
    for (const name of this.#params.keys()) {
      if (!grads[name]) {
        throw new Error(`AdamW: no gradient for parameter ${name}`);
      }
    }
    const t = this.#step + 1;
    // Bias corrections undo the moments' start at zero. Folded into scalars:
    //   lr * mHat / (sqrt(vHat) + eps) = [lr * rc / (1 - beta1^t)] * m / (sqrt(v) + eps * rc)
    // with rc = sqrt(1 - beta2^t), which saves two tensor ops per parameter per step.
    const rc = Math.sqrt(1 - this.beta2 ** t);
    const stepSize = lr * rc / (1 - this.beta1 ** t);
    const epsHat = this.eps * rc;
    // One call for every parameter: lib/ops picks the tensor ops, a loop per parameter (wasm,
    // cpu) or one TensorFlow op for all of them (tensorflow with lib's ops).
    adamwUpdate(
      [...this.#params].map(([name, p]) => ({
        p,
        g: grads[name],
        m: this.#m.get(name)!,
        v: this.#v.get(name)!,
        decayed: this.decayed.has(name) && this.weightDecay > 0,
      })),
      {
        beta1: this.beta1,
        beta2: this.beta2,
        stepSize,
        epsHat,
        shrink: 1 - lr * this.weightDecay,
      },
    );
    this.#step = t;
  }

  /** The JSON-safe state (step and hyperparameters). */
  state(): AdamWState {
    return {
      type: "adamw",
      step: this.#step,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
    };
  }

  /**
   * The moment tensors, named `exp_avg.<param>` and `exp_avg_sq.<param>` (PyTorch's names for
   * them). They stay owned by the optimizer: do not dispose.
   */
  moments(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const name of this.#params.keys()) {
      out.set(`exp_avg.${name}`, this.#m.get(name)!);
      out.set(`exp_avg_sq.${name}`, this.#v.get(name)!);
    }
    return out;
  }

  /**
   * Restores a saved state and its moments, refusing different hyperparameters, a missing
   * moment or one of another shape before changing anything.
   */
  load(state: AdamWState, moments: Map<string, MomentData>): void {
    if (
      state?.type !== "adamw" || !Number.isInteger(state.step) || state.step < 0
    ) {
      throw new Error(
        `AdamW.load: not an AdamW state: ${JSON.stringify(state)}`,
      );
    }
    for (const k of ["beta1", "beta2", "eps", "weightDecay"] as const) {
      if (state[k] !== this[k]) {
        throw new Error(
          `AdamW.load: the checkpoint's ${k} is ${state[k]} but this optimizer's is ${
            this[k]
          }; resume with the same settings`,
        );
      }
    }
    for (const [name, p] of this.#params) {
      for (const key of [`exp_avg.${name}`, `exp_avg_sq.${name}`]) {
        const t = moments.get(key);
        if (!t) {
          throw new Error(
            `AdamW.load: the checkpoint has no optimizer moment ${key}`,
          );
        }
        if (t.shape.join(",") !== p.shape.join(",")) {
          throw new Error(
            `AdamW.load: moment ${key} has shape [${t.shape}] but the parameter is [${p.shape}]`,
          );
        }
      }
    }
    for (const [name, p] of this.#params) {
      const m = moments.get(`exp_avg.${name}`)!;
      const v = moments.get(`exp_avg_sq.${name}`)!;
      tf.tidy(() => {
        this.#m.get(name)!.assign(tf.tensor(m.data, p.shape, "float32"));
        this.#v.get(name)!.assign(tf.tensor(v.data, p.shape, "float32"));
      });
    }
    this.#step = state.step;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
