/**
 * One optimizer step, the part every training loop here shares (the GPT's {@link Trainer} and
 * the seq2seq models' `trainSeq2Seq`): gradients of the loss, one global-norm clip, a check that
 * loss and norm are finite, and only then the AdamW update. A diverged run stops before its
 * first bad update, so the weights (and a checkpoint) stay usable.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AdamW } from "../optim/adamw.ts";
import { clipByGlobalNorm } from "../optim/clip.ts";

/**
 * Thrown when the loss or gradient norm stops being a finite number.
 *
 * @example
 * ```ts
 * import { TrainingDivergedError } from "./step.ts";
 * const e = new TrainingDivergedError(120, "loss (NaN)", 0.05);
 * console.log(e.step, e.message); // 120 "Training diverged at step 120: ... try a lower one (e.g. --lr 0.017) ..."
 * ```
 */
export class TrainingDivergedError extends Error {
  /** The step at which it happened (0-based). */
  readonly step: number;
  /** Creates the error for `step`. */
  constructor(step: number, what: string, lr: number) {
    super(
      `Training diverged at step ${step}: the ${what} is not finite (lr ${lr.toPrecision(3)}). ` +
        `The learning rate is probably too high for this model: try a lower one ` +
        `(e.g. --lr ${(lr / 3).toPrecision(2)}) and keep gradient clipping on.`,
    );
    this.name = "TrainingDivergedError";
    this.step = step;
  }
}

/** What {@link optimizerStep} needs. */
export interface OptimizerStepOptions {
  /** The loss to minimise; called inside `tf.variableGrads`. */
  loss: () => tf.Scalar;
  /** The optimizer; gradients are taken for its {@link AdamW.trainable} parameters only. */
  optimizer: AdamW;
  /** The model's parameters by name (frozen ones included; they are skipped). */
  params: Map<string, tf.Variable>;
  /** Learning rate of this step. */
  lr: number;
  /** Global gradient-norm limit; 0 disables clipping (the norm is still reported). */
  gradClip: number;
  /** Index of this step, for the error message. */
  step: number;
}

/**
 * Takes one step and returns the loss and the gradient norm before clipping. Throws
 * {@link TrainingDivergedError} without touching the weights when either is not finite.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { AdamW } from "../optim/adamw.ts";
 * import { optimizerStep } from "./step.ts";
 * const params = new Map([["w", tf.variable(tf.tensor1d([3]))]]);
 * const optimizer = new AdamW(params, { weightDecay: 0 });
 * const loss = () => tf.sum(tf.square(params.get("w")!)) as tf.Scalar;
 * const r = await optimizerStep({ loss, optimizer, params, lr: 0.1, gradClip: 1, step: 0 });
 * console.log(r.loss, r.gradNorm); // 9 6
 * ```
 */
export async function optimizerStep(
  opts: OptimizerStepOptions,
): Promise<{ loss: number; gradNorm: number }> {
  const { optimizer, params, lr, gradClip, step } = opts;
  const names = optimizer.trainable;
  const vars = names.map((n) => {
    const v = params.get(n);
    if (!v) throw new Error(`optimizerStep: the optimizer's parameter ${n} is not in params`);
    return v;
  });
  const nameOf = new Map(vars.map((v, i) => [v.name, names[i]]));
  const out = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(opts.loss, vars);
    const named: Record<string, tf.Tensor> = {};
    for (const [vname, g] of Object.entries(grads)) named[nameOf.get(vname)!] = g;
    const clipped = clipByGlobalNorm(named, gradClip);
    return { loss: value, norm: clipped.norm, grads: clipped.grads };
  });
  const loss = (await out.loss.data())[0];
  const gradNorm = (await out.norm.data())[0];
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
    tf.dispose(out);
    throw new TrainingDivergedError(
      step,
      Number.isFinite(loss) ? "gradient norm" : `loss (${loss})`,
      lr,
    );
  }
  optimizer.update(out.grads, lr);
  tf.dispose(out);
  return { loss, gradNorm };
}
