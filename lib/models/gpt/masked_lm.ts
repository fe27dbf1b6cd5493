/**
 * A BERT-style masked language model: the GPT blocks with bidirectional attention, trained to
 * recover tokens hidden by BERT's masking (15% of positions chosen; of those 80% become
 * `[MASK]`, 10% a random token, 10% stay unchanged). Only the attention mask and the objective
 * differ from {@link GPT}; the weights, blocks and tied output head are GPT's own.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { type ForwardOptions, GPT } from "./gpt.ts";
import { type GPTConfig, validateGPTConfig } from "./gpt_config.ts";

/**
 * How {@link bertMask} corrupts a sequence.
 *
 * @example
 * ```ts
 * import type { MaskingOptions } from "./masked_lm.ts";
 * const o: MaskingOptions = { maskId: 99, randomBelow: 98, seed: 1 };
 * console.log(o.rate ?? 0.15);
 * ```
 */
export interface MaskingOptions {
  /** Id of the `[MASK]` token. */
  maskId: number;
  /** Random replacements are drawn from ids `[0, randomBelow)` (ordinary tokens, no specials). */
  randomBelow: number;
  /** Share of positions to predict (BERT: 0.15). */
  rate?: number;
  /** Seed of the choice. */
  seed: number;
}

/**
 * What {@link bertMask} returns: the corrupted ids, and which positions are to be predicted.
 *
 * @example
 * ```ts
 * import type { MaskedBatch } from "./masked_lm.ts";
 * const m: MaskedBatch = { input: Int32Array.of(9, 2), positions: Int32Array.of(0), targets: Int32Array.of(1) };
 * console.log(m.positions.length);
 * ```
 */
export interface MaskedBatch {
  /** The ids with the chosen positions corrupted. */
  input: Int32Array;
  /** Flat indices of the chosen positions, ascending. */
  positions: Int32Array;
  /** The original ids at those positions. */
  targets: Int32Array;
}

/**
 * BERT's masking of `ids` (any flat layout): each position is chosen with probability `rate`
 * (at least one is always chosen, so the loss is defined); a chosen position becomes `maskId`
 * with probability 0.8, a uniformly random ordinary id with 0.1, and keeps its id with 0.1.
 * The unchanged 10% teach the model that an unmasked token may also be asked about, so it
 * keeps a useful representation of every token, not only of `[MASK]`.
 *
 * @example
 * ```ts
 * import { bertMask } from "./masked_lm.ts";
 * const ids = Int32Array.from({ length: 20 }, (_, i) => i % 5);
 * const m = bertMask(ids, { maskId: 9, randomBelow: 5, seed: 3 });
 * console.log(m.positions.length >= 1, m.input.length); // true 20
 * ```
 */
export function bertMask(ids: Int32Array, opts: MaskingOptions): MaskedBatch {
  const rate = opts.rate ?? 0.15;
  if (!(rate > 0 && rate < 1)) {
    throw new Error(`bertMask: rate must be in (0, 1), got ${rate}.`);
  }
  if (!Number.isInteger(opts.randomBelow) || opts.randomBelow < 1) {
    throw new Error(`bertMask: randomBelow must be a positive integer, got ${opts.randomBelow}.`);
  }
  if (ids.length === 0) throw new Error("bertMask: no ids to mask.");
  const rng = new Rng(opts.seed);
  const input = Int32Array.from(ids);
  const chosen: number[] = [];
  for (let i = 0; i < ids.length; i++) if (rng.uniform() < rate) chosen.push(i);
  if (chosen.length === 0) chosen.push(rng.int(ids.length));
  for (const i of chosen) {
    const u = rng.uniform();
    if (u < 0.8) input[i] = opts.maskId;
    else if (u < 0.9) input[i] = rng.int(opts.randomBelow);
  }
  const positions = Int32Array.from(chosen);
  return { input, positions, targets: Int32Array.from(chosen, (i) => ids[i]) };
}

/**
 * An encoder-only masked language model. `params` are those of a non-causal {@link GPT}; the
 * output head is the token embedding, tied, as in BERT.
 *
 * `loss(x, y)` has the trainer's signature so that `Trainer` can train it: `x` is masked with
 * {@link bertMask} (seeded by `opts.seed`) and the loss is the mean cross-entropy of the
 * original tokens at the chosen positions; `y` (the next-token targets a causal LM would use)
 * is not read.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { gptConfig } from "./gpt.ts";
 * import { MaskedLM } from "./masked_lm.ts";
 * const m = new MaskedLM(gptConfig("notes-small", { vocabSize: 12 }), { maskId: 11, randomBelow: 11 });
 * const x = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
 * m.loss(x, x, { seed: 1 }).print(); // about ln 12
 * m.dispose();
 * ```
 */
export class MaskedLM {
  /** The bidirectional network. */
  readonly net: GPT;
  /** Id of `[MASK]`. */
  readonly maskId: number;
  /** Random replacements come from `[0, randomBelow)`. */
  readonly randomBelow: number;
  /** Share of positions predicted per sequence. */
  readonly rate: number;

  constructor(
    config: GPTConfig,
    opts: { maskId: number; randomBelow: number; rate?: number; seed?: number },
  ) {
    const c = validateGPTConfig({ ...config });
    for (const [k, v] of [["maskId", opts.maskId], ["randomBelow", opts.randomBelow]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= c.vocabSize + (k === "randomBelow" ? 1 : 0)) {
        throw new Error(
          `MaskedLM: ${k} ${v} is outside the vocabulary of ${c.vocabSize}; train the tokenizer ` +
            `with a "[MASK]" special token and pass its id.`,
        );
      }
    }
    this.net = new GPT(c, { seed: opts.seed, causal: false });
    this.maskId = opts.maskId;
    this.randomBelow = opts.randomBelow;
    this.rate = opts.rate ?? 0.15;
  }

  /** The config (the trainer reads vocabSize and blockSize from it). */
  get config(): GPTConfig {
    return this.net.config;
  }

  /** The weights, by Hugging Face GPT-2 names. */
  get params(): Map<string, tf.Variable> {
    return this.net.params;
  }

  /** Number of trainable parameters. */
  numParams(): number {
    return this.net.numParams();
  }

  /** Logits (B, T, V) at every position of `idx`, each seeing the whole sequence. */
  forward(idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    return this.net.forward(idx, opts);
  }

  /** Masked-LM loss of `idx` (see the class docs); `_targets` is ignored. */
  loss(idx: tf.Tensor2D, _targets: tf.Tensor2D, opts: ForwardOptions = {}): tf.Scalar {
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    const [B, T] = idx.shape;
    const masked = bertMask(idx.dataSync() as Int32Array, {
      maskId: this.maskId,
      randomBelow: this.randomBelow,
      rate: this.rate,
      seed,
    });
    return tf.tidy(() => {
      const x = tf.tensor2d(masked.input, [B, T], "int32");
      return this.maskedLoss(x, masked.positions, masked.targets, { ...opts, seed });
    });
  }

  /** Mean cross-entropy of `targets` at flat `positions` of an already-corrupted `input`. */
  maskedLoss(
    input: tf.Tensor2D,
    positions: Int32Array,
    targets: Int32Array,
    opts: ForwardOptions = {},
  ): tf.Scalar {
    return tf.tidy(() => {
      const h = this.net.hidden(input, opts); // (B*T, C)
      const picked = tf.gather(h, tf.tensor1d(positions, "int32")); // (M, C)
      const logits = tf.matMul(picked, this.net.params.get("transformer.wte.weight")!, false, true);
      // Not layers.crossEntropy: its gradient reads the targets tensor after this tidy freed it.
      return tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.tensor1d(targets, "int32"), this.config.vocabSize),
        logits,
      ) as tf.Scalar;
    });
  }

  /** Frees every weight. */
  dispose(): void {
    this.net.dispose();
  }
}
