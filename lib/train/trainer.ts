/**
 * The training loop: sample a batch and take one {@link optimizerStep} at the scheduled learning
 * rate; every `evalInterval` steps estimate train and val loss ({@link estimateLoss}) and keep
 * the best checkpoint. Progress, evaluations and steps are reported through callbacks, so the
 * loop knows nothing about notebooks or terminals. Deterministic from a seed, and a run resumed
 * from its checkpoint continues exactly as if it had never stopped.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchSampler } from "../data/batches.ts";
import { checkTokenIds } from "../data/token_ids.ts";
import {
  assignTensors,
  type CheckpointMeta,
  type LoadedCheckpoint,
  saveCheckpoint,
} from "../checkpoint/mod.ts";
import { AdamW, type AdamWState } from "../optim/adamw.ts";
import {
  DEFAULT_TRAIN_CONFIG,
  type TrainableModel,
  type TrainConfig,
  validateTrainConfig,
} from "./config.ts";
import { estimateLoss, perplexity } from "./evaluate.ts";
import type { FreezeSpec } from "../optim/freeze.ts";
import { cosineSchedule } from "../optim/schedule.ts";
import { optimizerStep, TrainingDivergedError } from "./step.ts";

/** One evaluation's result. */
export interface EvalRecord {
  /** Steps completed when evaluated. */
  step: number;
  /** Mean loss over `evalIters` training batches. */
  trainLoss: number;
  /** Mean loss over `evalIters` validation batches. */
  valLoss: number;
  /** `exp(trainLoss)`: the training perplexity. */
  trainPerplexity: number;
  /** `exp(valLoss)`: the validation perplexity. */
  valPerplexity: number;
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

/**
 * Passed to {@link TrainerOptions.onProgress} after every step and evaluation, and once more
 * when the run ends: enough to drive a progress bar, e.g. lib/notebook's `ProgressBar`:
 * `onProgress: (p) => p.finished ? bar.finish(p.fields) : bar.update(p.done, p.fields)`.
 */
export interface ProgressEvent {
  /** Steps done in this `run` call. */
  done: number;
  /** Steps this `run` call takes in all (`maxIters` minus the step it started from). */
  total: number;
  /** "train", or "train (from N)" for a resumed run. */
  label: string;
  /** The latest values worth showing: `loss`, `tok/s` (smoothed), `val`. */
  fields: Record<string, number>;
  /** True on the last event of the run. */
  finished: boolean;
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
  /** Called with the run's progress (see {@link ProgressEvent}); nothing is drawn without it. */
  onProgress?: (e: ProgressEvent) => void | Promise<void>;
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
 *   model, train: data.subarray(0, 360), val: data.subarray(360),
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
    validateTrainConfig(config);
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
      // The one range check of the ids: forward passes do not read them back.
      checkTokenIds(train, vocab, "train data");
      checkTokenIds(val, vocab, "val data");
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
  async evaluate(
    iters?: number,
  ): Promise<{ train: number; val: number; trainPerplexity: number; valPerplexity: number }> {
    const { model, train, val } = this.#opts;
    const { blockSize, batchSize, seed } = this.config;
    const evalIters = iters ?? this.config.evalIters;
    const opts = { blockSize, batchSize, iters: evalIters };
    const trainLoss = await estimateLoss(model, train, { ...opts, seed: seed + 7919 });
    const valLoss = await estimateLoss(model, val, { ...opts, seed: seed + 2 * 7919 });
    return {
      train: trainLoss,
      val: valLoss,
      trainPerplexity: perplexity(trainLoss),
      valPerplexity: perplexity(valLoss),
    };
  }

  /** One optimizer step; throws {@link TrainingDivergedError} before applying a bad update. */
  async #trainStep(): Promise<StepEvent> {
    const t0 = performance.now();
    const step = this.#step;
    const lr = this.#lrAt(step);
    const { model } = this.#opts;
    const c = this.config;
    const { x, y } = this.#sampler.nextTensors();
    try {
      const { loss, gradNorm } = await optimizerStep({
        // Dropout masks depend only on (seed, step), so a resumed run draws the same ones.
        loss: () => model.loss(x, y, { training: true, seed: (c.seed * 100_003 + step) >>> 0 }),
        optimizer: this.optimizer,
        params: model.params,
        lr,
        gradClip: c.gradClip,
        step,
      });
      this.#step = step + 1;
      this.losses.push(loss);
      return { step: this.#step, loss, lr, gradNorm, ms: performance.now() - t0 };
    } finally {
      tf.dispose([x, y]);
    }
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

  /**
   * Evaluates at the current step, records it, and saves a checkpoint when val loss improved
   * (or always, with `alwaysSaveCheckpoint`). Throws {@link TrainingDivergedError} on a
   * non-finite val loss.
   */
  async #evaluateAndSave(): Promise<EvalEvent> {
    const step = this.#step;
    const lr = this.#lrAt(step);
    const { train, val, trainPerplexity, valPerplexity } = await this.evaluate();
    if (!Number.isFinite(val)) throw new TrainingDivergedError(step, `val loss (${val})`, lr);
    const best = val < this.bestValLoss;
    if (best) this.bestValLoss = val;
    const record: EvalRecord = {
      step,
      trainLoss: train,
      valLoss: val,
      trainPerplexity,
      valPerplexity,
      lr,
    };
    this.history.push(record);
    const save = this.#opts.checkpoint !== undefined && step > 0 &&
      (best || this.config.alwaysSaveCheckpoint);
    if (save) await this.#save();
    return { ...record, best, saved: save, history: this.history, losses: this.losses };
  }

  /** Trains until `maxIters` (or the abort signal), evaluating and saving along the way. */
  async run(): Promise<TrainResult> {
    const t0 = performance.now();
    const c = this.config;
    const { signal, onEval, onStep, onProgress } = this.#opts;
    const start = this.#step;
    const label = start > 0 ? `train (from ${start})` : "train";
    const fields: Record<string, number> = {};
    const progress = (finished = false) =>
      onProgress?.({
        done: this.#step - start,
        total: c.maxIters - start,
        label,
        fields: { ...fields },
        finished,
      });
    const tokens = c.batchSize * c.blockSize;
    let emaMs = 0;
    let stopped = false;
    let skipEval = this.#resumed; // the checkpoint was written right after this evaluation
    for (;;) {
      const step = this.#step;
      if ((step % c.evalInterval === 0 || step === c.maxIters) && !skipEval) {
        const e = await this.#evaluateAndSave();
        fields.val = e.valLoss;
        await progress();
        await onEval?.(e);
      }
      skipEval = false;
      if (step >= c.maxIters) break;
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      const e = await this.#trainStep();
      emaMs = emaMs === 0 ? e.ms : 0.9 * emaMs + 0.1 * e.ms;
      fields.loss = e.loss;
      fields["tok/s"] = Math.round(tokens / (emaMs / 1000));
      await progress();
      await onStep?.(e);
    }
    await progress(true);
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
