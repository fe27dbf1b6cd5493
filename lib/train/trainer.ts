/**
 * The training loop: sample a batch, compute the loss and its gradients, clip them, take an
 * AdamW step at the scheduled learning rate; every `evalInterval` steps estimate train and val
 * loss and keep the best checkpoint. Deterministic from a seed, and a run resumed from its
 * checkpoint continues exactly as if it had never stopped.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchSampler } from "../data/batches.ts";
import {
  assignTensors,
  type CheckpointMeta,
  type LoadedCheckpoint,
  saveCheckpoint,
} from "../checkpoint/mod.ts";
import { ProgressBar, type ProgressBarOptions } from "../notebook/progress.ts";
import { AdamW, type AdamWState } from "./adamw.ts";
import { clipByGlobalNorm } from "./clip.ts";
import type { FreezeSpec } from "./freeze.ts";
import { cosineSchedule } from "./schedule.ts";

/** What the trainer needs from a model: named variables and a loss. `GPT` fits. */
export interface TrainableModel {
  /** Trainable variables by (Hugging Face) name. */
  readonly params: Map<string, tf.Variable>;
  /**
   * Mean cross-entropy of predicting `targets` (B, T) from `idx` (B, T). `seed` fixes the
   * dropout masks so that training is reproducible.
   */
  loss(
    idx: tf.Tensor2D,
    targets: tf.Tensor2D,
    opts?: { training?: boolean; seed?: number },
  ): tf.Scalar;
  /** When present, batches are checked against it before training starts. */
  readonly config?: { vocabSize?: number; blockSize?: number };
}

/** Settings of a run. Defaults are nanoGPT's CPU "baby" Shakespeare run. */
export interface TrainConfig {
  /** Optimizer steps in the whole run. */
  maxIters: number;
  /** Rows per batch, B. */
  batchSize: number;
  /** Tokens per row, T (at most the model's block size). */
  blockSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Learning-rate floor reached at `lrDecayIters`. */
  minLr: number;
  /** Linear warmup steps. */
  warmupIters: number;
  /** Step where the cosine decay ends (usually `maxIters`). */
  lrDecayIters: number;
  /** AdamW decoupled weight decay (matrices and embeddings only). */
  weightDecay: number;
  /** AdamW beta1. */
  beta1: number;
  /** AdamW beta2. */
  beta2: number;
  /** AdamW epsilon. */
  eps: number;
  /** Global gradient-norm limit; 0 disables clipping. */
  gradClip: number;
  /** Steps between evaluations (and checkpoint saves). */
  evalInterval: number;
  /** Batches averaged per split in each evaluation. */
  evalIters: number;
  /** Seed of the batch order (and of the fixed evaluation batches). */
  seed: number;
  /** Save at every evaluation, not only when val loss improves. */
  alwaysSaveCheckpoint: boolean;
}

/**
 * nanoGPT's CPU "baby" Shakespeare settings.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN_CONFIG } from "./trainer.ts";
 * console.log(DEFAULT_TRAIN_CONFIG.lr, DEFAULT_TRAIN_CONFIG.maxIters); // 0.001 2000
 * ```
 */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  maxIters: 2000,
  batchSize: 12,
  blockSize: 64,
  lr: 1e-3,
  minLr: 1e-4,
  warmupIters: 100,
  lrDecayIters: 2000,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  gradClip: 1.0,
  evalInterval: 250,
  evalIters: 200,
  seed: 1337,
  alwaysSaveCheckpoint: false,
});

/** One evaluation's result. */
export interface EvalRecord {
  /** Steps completed when evaluated. */
  step: number;
  /** Mean loss over `evalIters` training batches. */
  trainLoss: number;
  /** Mean loss over `evalIters` validation batches. */
  valLoss: number;
  /** Learning rate scheduled for the next step. */
  lr: number;
}

/** Passed to {@link TrainerOptions.onEval} after every evaluation. */
export interface EvalEvent extends EvalRecord {
  /** True when this val loss is the best so far. */
  best: boolean;
  /** True when a checkpoint was written. */
  saved: boolean;
  /** Every evaluation of the run so far (for a live loss plot). */
  history: readonly EvalRecord[];
  /** Per-step training losses so far. */
  losses: readonly number[];
}

/** Passed to {@link TrainerOptions.onStep} after every optimizer step. */
export interface StepEvent {
  /** Steps completed (1 after the first). */
  step: number;
  /** This step's training loss (before the update). */
  loss: number;
  /** Learning rate used. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Wall time of the step. */
  ms: number;
}

/** Where and with what description {@link Trainer} saves checkpoints. */
export interface CheckpointTarget {
  /** Checkpoint directory, e.g. `data/checkpoints/baby-tinyshakespeare`. */
  dir: string;
  /** Model type/config and tokenizer, stored in the sidecar so the checkpoint is self-contained. */
  meta: Pick<CheckpointMeta, "model" | "tokenizer">;
}

/** Everything {@link Trainer} needs. */
export interface TrainerOptions {
  /** The model to train (its variables are updated in place). */
  model: TrainableModel;
  /** Training token ids. */
  train: Int32Array;
  /** Validation token ids. */
  val: Int32Array;
  /** Overrides of {@link DEFAULT_TRAIN_CONFIG}. */
  config?: Partial<TrainConfig>;
  /** Save the best checkpoint here; omit to train without saving. */
  checkpoint?: CheckpointTarget;
  /** Show a progress bar (default true: Jupyter or terminal, detected), or force a mode. */
  progress?: boolean | NonNullable<ProgressBarOptions["mode"]>;
  /** Called after each evaluation, e.g. to redraw a loss plot. */
  onEval?: (e: EvalEvent) => void | Promise<void>;
  /** Called after each step. */
  onStep?: (e: StepEvent) => void | Promise<void>;
  /** Stops the run cleanly at the next step boundary. */
  signal?: AbortSignal;
  /**
   * Parameters to keep fixed (e.g. `["transformer.wte.weight", "transformer.h.0"]` or
   * `(name) => !name.startsWith("lm_head")`): they get no gradient and no update.
   */
  freeze?: FreezeSpec;
}

/** What {@link Trainer.run} returns. */
export interface TrainResult {
  /** Steps completed. */
  step: number;
  /** Best val loss seen (Infinity if never evaluated). */
  bestValLoss: number;
  /** The last evaluation. */
  last?: EvalRecord;
  /** Every evaluation. */
  history: EvalRecord[];
  /** Per-step training losses. */
  losses: number[];
  /** True when the signal stopped the run before `maxIters`. */
  stopped: boolean;
  /** Wall time of this `run` call. */
  seconds: number;
}

/**
 * Thrown when the loss or gradient norm stops being a finite number.
 *
 * @example
 * ```ts
 * import { TrainingDivergedError } from "./trainer.ts";
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

// Small batches are evaluated up to 4 at a time, within this many tokens per forward pass
// (so large models never get a larger activation footprint than training already has).
const EVAL_GROUP = 4;
const EVAL_GROUP_TOKENS = 4096;

function validate(c: TrainConfig): void {
  const ints = [
    "maxIters",
    "batchSize",
    "blockSize",
    "evalInterval",
    "evalIters",
  ] as const;
  for (const k of ints) {
    if (!Number.isInteger(c[k]) || c[k] < 1) {
      throw new Error(
        `train config: ${k} must be a positive integer, got ${c[k]}`,
      );
    }
  }
  if (!Number.isFinite(c.seed)) {
    throw new Error(`train config: seed must be a number`);
  }
  if (!(c.gradClip >= 0)) {
    throw new Error(
      `train config: gradClip must be >= 0 (0 disables), got ${c.gradClip}`,
    );
  }
}

/**
 * Trains a model; see the module doc.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Trainer } from "./trainer.ts";
 * // A bigram model: the next character's logits are a row of one matrix.
 * const V = 5;
 * const table = tf.variable(tf.zeros([V, V]));
 * const model = {
 *   params: new Map([["transformer.wte.weight", table]]),
 *   loss: (x: tf.Tensor2D, y: tf.Tensor2D) =>
 *     tf.losses.softmaxCrossEntropy(tf.oneHot(y.flatten(), V), tf.gather(table, x.flatten())) as tf.Scalar,
 * };
 * const data = Int32Array.from({ length: 400 }, (_, i) => i % V);
 * const trainer = new Trainer({
 *   model, train: data.subarray(0, 360), val: data.subarray(360), progress: false,
 *   config: { maxIters: 50, batchSize: 4, blockSize: 8, lr: 0.1, warmupIters: 0, lrDecayIters: 50, evalInterval: 25, evalIters: 2 },
 * });
 * const result = await trainer.run();
 * console.log(result.last?.valLoss); // far below ln(5) = 1.61
 * ```
 */
export class Trainer {
  /** The run's settings. */
  readonly config: Readonly<TrainConfig>;
  /** The optimizer (its moments are part of every checkpoint). */
  readonly optimizer: AdamW;
  /** Every evaluation so far. */
  history: EvalRecord[] = [];
  /** Per-step training losses so far. */
  losses: number[] = [];
  /** Best val loss so far. */
  bestValLoss = Infinity;
  readonly #opts: TrainerOptions;
  readonly #sampler: BatchSampler;
  readonly #lrAt: (step: number) => number;
  readonly #paramOfVar = new Map<string, string>();
  readonly #vars: tf.Variable[] = [];
  #step = 0;
  #resumed = false;

  /** Checks the settings and data against the model before any work. */
  constructor(opts: TrainerOptions) {
    const config = { ...DEFAULT_TRAIN_CONFIG, ...opts.config };
    for (const k of Object.keys(opts.config ?? {})) {
      if (!(k in DEFAULT_TRAIN_CONFIG)) {
        throw new Error(
          `train config: unknown setting "${k}"; known: ${
            Object.keys(DEFAULT_TRAIN_CONFIG).join(", ")
          }`,
        );
      }
    }
    validate(config);
    this.config = Object.freeze(config);
    const { model, train, val } = opts;
    const limit = model.config?.blockSize;
    if (limit !== undefined && config.blockSize > limit) {
      throw new Error(
        `train config: blockSize ${config.blockSize} exceeds the model's block size ${limit}; ` +
          `use --block ${limit} or a model with a longer context`,
      );
    }
    const vocab = model.config?.vocabSize;
    if (vocab !== undefined) {
      for (const [name, ids] of [["train", train], ["val", val]] as const) {
        let max = -1, min = 0;
        for (const id of ids) {
          if (id > max) max = id;
          if (id < min) min = id;
        }
        if (max >= vocab || min < 0) {
          throw new Error(
            `${name} data has token id ${
              max >= vocab ? max : min
            } outside the model's vocabulary [0, ${vocab}); ` +
              `build the model with the tokenizer's vocabSize`,
          );
        }
      }
    }
    // Both samplers' constructors reject data shorter than one window, naming the fix.
    this.#sampler = new BatchSampler(
      train,
      config.blockSize,
      config.batchSize,
      config.seed,
    );
    new BatchSampler(val, config.blockSize, config.batchSize, config.seed);
    this.#lrAt = cosineSchedule({
      lr: config.lr,
      minLr: config.minLr,
      warmupIters: config.warmupIters,
      decayIters: config.lrDecayIters,
    });
    this.optimizer = new AdamW(model.params, {
      beta1: config.beta1,
      beta2: config.beta2,
      eps: config.eps,
      weightDecay: config.weightDecay,
      freeze: opts.freeze,
    });
    // Gradients are taken only for the parameters the optimizer updates: frozen ones cost nothing.
    for (const name of this.optimizer.trainable) {
      const v = model.params.get(name)!;
      this.#paramOfVar.set(v.name, name);
      this.#vars.push(v);
    }
    this.#opts = opts;
  }

  /** Steps completed. */
  get step(): number {
    return this.#step;
  }

  /** The learning rate at a step. */
  lrAt(step: number): number {
    return this.#lrAt(step);
  }

  /**
   * Mean loss on `evalIters` batches of each split (or `iters` when given). The batches are the
   * same at every call (drawn from a fixed seed), so successive evaluations differ only because
   * the model did.
   */
  async evaluate(iters?: number): Promise<{ train: number; val: number }> {
    const { model, train, val } = this.#opts;
    const { blockSize, batchSize, seed } = this.config;
    const evalIters = iters ?? this.config.evalIters;
    if (!(Number.isInteger(evalIters) && evalIters > 0)) {
      throw new Error(
        `evaluate needs a positive whole number of batches, got ${evalIters}`,
      );
    }
    const out = { train: 0, val: 0 };
    for (const [split, data] of [["train", train], ["val", val]] as const) {
      const sampler = new BatchSampler(
        data,
        blockSize,
        batchSize,
        seed + (split === "train" ? 1 : 2) * 7919,
      );
      const group = Math.max(
        1,
        Math.min(
          EVAL_GROUP,
          Math.floor(EVAL_GROUP_TOKENS / (batchSize * blockSize)),
        ),
      );
      let sum = tf.scalar(0);
      for (let done = 0; done < evalIters;) {
        // Several batches in one forward pass: larger matmuls run faster per row, and the mean
        // over equal-sized batches stacked together is the mean of their means.
        const n = Math.min(group, evalIters - done);
        const next = tf.tidy(() => {
          const xs: tf.Tensor2D[] = [], ys: tf.Tensor2D[] = [];
          for (let i = 0; i < n; i++) {
            const { x, y } = sampler.nextTensors();
            xs.push(x);
            ys.push(y);
          }
          const x = n === 1 ? xs[0] : tf.concat(xs, 0); // (n*B, T)
          const y = n === 1 ? ys[0] : tf.concat(ys, 0);
          return tf.add(
            sum,
            tf.mul(model.loss(x, y, { training: false }), n),
          ) as tf.Scalar;
        });
        sum.dispose();
        sum = next;
        done += n;
      }
      out[split] = (await sum.data())[0] / evalIters;
      sum.dispose();
    }
    return out;
  }

  /** One optimizer step; throws {@link TrainingDivergedError} before applying a bad update. */
  async #trainStep(): Promise<StepEvent> {
    const t0 = performance.now();
    const step = this.#step;
    const lr = this.#lrAt(step);
    const { model } = this.#opts;
    const c = this.config;
    const vars = this.#vars;
    const out = tf.tidy(() => {
      const { x, y } = this.#sampler.nextTensors();
      const { value, grads } = tf.variableGrads(
        // Dropout masks depend only on (seed, step), so a resumed run draws the same ones.
        () =>
          model.loss(x, y, {
            training: true,
            seed: (c.seed * 100_003 + step) >>> 0,
          }),
        vars,
      );
      const named: Record<string, tf.Tensor> = {};
      for (const [vname, g] of Object.entries(grads)) {
        named[this.#paramOfVar.get(vname)!] = g;
      }
      const clipped = clipByGlobalNorm(named, c.gradClip);
      return { loss: value, norm: clipped.norm, grads: clipped.grads };
    });
    const [loss, gradNorm] = [
      (await out.loss.data())[0],
      (await out.norm.data())[0],
    ];
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      tf.dispose(out);
      throw new TrainingDivergedError(
        step,
        Number.isFinite(loss) ? "gradient norm" : `loss (${loss})`,
        lr,
      );
    }
    this.optimizer.update(out.grads, lr);
    tf.dispose(out);
    this.#step = step + 1;
    this.losses.push(loss);
    return { step: this.#step, loss, lr, gradNorm, ms: performance.now() - t0 };
  }

  async #save(): Promise<void> {
    const target = this.#opts.checkpoint!;
    await saveCheckpoint(target.dir, {
      weights: this.#opts.model.params,
      optimizer: this.optimizer.moments(),
      meta: {
        ...target.meta,
        step: this.#step,
        optimizer: { ...this.optimizer.state() },
        rng: { sampler: this.#sampler.state },
        metrics: {
          bestValLoss: this.bestValLoss,
          history: this.history,
          losses: this.losses,
        },
        train: { ...this.config },
      },
    });
  }

  /**
   * Continues the run saved in `ckpt`: weights, optimizer moments, step, batch order, history.
   * Refuses a checkpoint whose batch shape or optimizer settings differ (it would be another run).
   */
  restore(ckpt: LoadedCheckpoint): void {
    const { meta } = ckpt;
    const saved = (meta.train ?? {}) as Partial<TrainConfig>;
    for (const k of ["batchSize", "blockSize"] as const) {
      if (saved[k] !== this.config[k]) {
        throw new Error(
          `Cannot resume from ${ckpt.dir}: it was trained with ${k} ${saved[k]}, ` +
            `this run uses ${this.config[k]}; resume with the same value`,
        );
      }
    }
    if (!ckpt.optimizer || !meta.optimizer || meta.rng?.sampler === undefined) {
      throw new Error(
        `Cannot resume from ${ckpt.dir}: it has no optimizer or RNG state (weights only)`,
      );
    }
    if (meta.step > this.config.maxIters) {
      throw new Error(
        `Cannot resume from ${ckpt.dir}: it is at step ${meta.step}, past maxIters ${this.config.maxIters}`,
      );
    }
    assignTensors(this.#opts.model.params, ckpt.weights, ckpt.dir);
    this.optimizer.load(
      meta.optimizer as unknown as AdamWState,
      ckpt.optimizer,
    );
    this.#sampler.setState(meta.rng.sampler);
    this.#step = meta.step;
    const metrics = meta.metrics ?? {};
    this.bestValLoss = (metrics.bestValLoss as number) ?? Infinity;
    this.history = [...((metrics.history as EvalRecord[]) ?? [])];
    this.losses = [...((metrics.losses as number[]) ?? [])];
    this.#resumed = true;
  }

  /** Trains until `maxIters` (or the abort signal), evaluating and saving along the way. */
  async run(): Promise<TrainResult> {
    const t0 = performance.now();
    const c = this.config;
    const { signal, onEval, onStep } = this.#opts;
    const start = this.#step;
    const progress = this.#opts.progress ?? true;
    const bar = progress === false || c.maxIters === start ? undefined : new ProgressBar(
      c.maxIters - start,
      {
        label: start > 0 ? `train (from ${start})` : "train",
        mode: progress === true ? undefined : progress,
      },
    );
    const tokens = c.batchSize * c.blockSize;
    let emaMs = 0;
    let stopped = false;
    let skipEval = this.#resumed; // the checkpoint was written right after this evaluation
    for (;;) {
      const step = this.#step;
      if ((step % c.evalInterval === 0 || step === c.maxIters) && !skipEval) {
        const { train, val } = await this.evaluate();
        if (!Number.isFinite(val)) {
          throw new TrainingDivergedError(
            step,
            `val loss (${val})`,
            this.#lrAt(step),
          );
        }
        const best = val < this.bestValLoss;
        if (best) this.bestValLoss = val;
        const record = {
          step,
          trainLoss: train,
          valLoss: val,
          lr: this.#lrAt(step),
        };
        this.history.push(record);
        let saved = false;
        if (
          this.#opts.checkpoint && step > 0 && (best || c.alwaysSaveCheckpoint)
        ) {
          await this.#save();
          saved = true;
        }
        await bar?.update(step - start, { val: val });
        await onEval?.({
          ...record,
          best,
          saved,
          history: this.history,
          losses: this.losses,
        });
      }
      skipEval = false;
      if (step >= c.maxIters) break;
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      const e = await this.#trainStep();
      emaMs = emaMs === 0 ? e.ms : 0.9 * emaMs + 0.1 * e.ms;
      await bar?.update(this.#step - start, {
        loss: e.loss,
        "tok/s": Math.round(tokens / (emaMs / 1000)),
      });
      await onStep?.(e);
    }
    await bar?.finish();
    return {
      step: this.#step,
      bestValLoss: this.bestValLoss,
      last: this.history.at(-1),
      history: this.history,
      losses: this.losses,
      stopped,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** Frees the optimizer's tensors (the model stays the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
