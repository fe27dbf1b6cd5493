/**
 * The encoder-decoder Transformer of "Attention Is All You Need", small enough to train here.
 *
 * Encoder layer: self-attention over the source, then a position-wise feed-forward network.
 * Decoder layer: masked (causal) self-attention over the output so far, encoder-decoder
 * attention whose queries come from the decoder and whose keys and values come from the
 * encoder's output, then a feed-forward network. Every sub-layer sits on a residual path.
 *
 * Layer norm is applied before each sub-layer (pre-LN) plus once at the end of each stack,
 * rather than after the residual sum as in the paper: the pre-LN form trains without a
 * learning-rate warm-up, which matters for short runs like ours. Embeddings are scaled by √d
 * and added to sinusoidal position codes. No dropout: the corpus is generated, not scarce.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { causalMask } from "../../ops/causal_mask.ts";
import { MultiHeadAttention } from "../../attention/multi_head.ts";
import { sinusoidalPositionalEncoding } from "../../attention/positional.ts";
import { Rng } from "../../random.ts";
import { maskedCrossEntropy } from "../../ops/cross_entropy.ts";
import { layerNorm } from "../../ops/layer_norm.ts";
import { normalVariable, ownedVariable } from "../../nn/init.ts";
import {
  BOS,
  type EncodedSources,
  EOS,
  type Seq2SeqBatch,
  type Vocab,
  withEncodedSources,
} from "./seq2seq_data.ts";
import type { Seq2SeqModel, TranslateOptions } from "./seq2seq_model.ts";

/** Options of {@link Transformer}. */
export interface TransformerConfig {
  /** Source words. */
  sourceVocab: Vocab;
  /** Target words. */
  targetVocab: Vocab;
  /** Longest source in words. */
  maxSourceLength: number;
  /** Longest output in tokens, `<eos>` included. */
  maxTargetLength: number;
  /** Model width (default 64). */
  dModel?: number;
  /** Attention heads (default 4). */
  nHead?: number;
  /** Encoder layers and decoder layers (default 2 each). */
  layers?: number;
  /** Hidden width of the feed-forward networks (default 4·dModel). */
  dFF?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
  /**
   * Residual connections around every sub-layer (default true). `false` exists for the ablation
   * in notebook 05: each sub-layer's output then replaces its input instead of being added to it.
   */
  residual?: boolean;
  /**
   * A feed-forward network after the attention in every layer (default true). `false` exists for
   * the ablation in notebook 05: the layers are then attention only, and have no `ff` weights.
   */
  feedForward?: boolean;
}

type Norm = { g: tf.Variable; b: tf.Variable };
type FF = {
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
};
type EncoderLayer = { ln1: Norm; attn: MultiHeadAttention; ln2?: Norm; ff?: FF };
type DecoderLayer = {
  ln1: Norm;
  self: MultiHeadAttention;
  ln2: Norm;
  cross: MultiHeadAttention;
  ln3?: Norm;
  ff?: FF;
};

/**
 * An encoder-decoder Transformer translator.
 *
 * @example
 * ```ts
 * import { Vocab } from "./seq2seq_data.ts";
 * import { Transformer } from "./transformer.ts";
 * const model = new Transformer({
 *   sourceVocab: Vocab.fromSentences(["let's go"]), targetVocab: Vocab.fromSentences(["andiamo"]),
 *   maxSourceLength: 4, maxTargetLength: 4, dModel: 16, nHead: 2,
 * });
 * console.log(model.translate(["let's go"]), model.parameterCount());
 * model.dispose();
 * ```
 */
export class Transformer implements Seq2SeqModel {
  /** Source words. */
  readonly sourceVocab: Vocab;
  /** Target words. */
  readonly targetVocab: Vocab;
  /** Longest source in words. */
  readonly maxSourceLength: number;
  /** Longest output in tokens. */
  readonly maxTargetLength: number;
  /** Model width. */
  readonly dModel: number;
  /** Source embeddings (Vs, d). */
  readonly sourceEmbedding: tf.Variable;
  /** Target embeddings (Vt, d). */
  readonly targetEmbedding: tf.Variable;
  /** Encoder layers. */
  readonly encoderLayers: EncoderLayer[] = [];
  /** Decoder layers. */
  readonly decoderLayers: DecoderLayer[] = [];
  /** Final norms of the encoder and decoder stacks. */
  readonly encoderNorm: Norm;
  /** See {@link Transformer.encoderNorm}. */
  readonly decoderNorm: Norm;
  /** Output projection (d, Vt). */
  readonly outW: tf.Variable;
  /** Output bias (Vt). */
  readonly outB: tf.Variable;
  /** Sinusoidal position codes (maxLength, d), not trained. */
  readonly positions: tf.Tensor2D;
  /** Whether sub-layers sit on residual paths (see {@link TransformerConfig.residual}). */
  readonly residual: boolean;
  /** Whether layers have a feed-forward network (see {@link TransformerConfig.feedForward}). */
  readonly feedForward: boolean;
  #params: tf.Variable[] = [];

  /** Creates the weights from `config.seed`. */
  constructor(config: TransformerConfig) {
    const { dModel = 64, nHead = 4, layers = 2, seed = 0 } = config;
    const dFF = config.dFF ?? 4 * dModel;
    const sizes = {
      maxSourceLength: config.maxSourceLength,
      maxTargetLength: config.maxTargetLength,
      dModel,
      nHead,
      layers,
      dFF,
    };
    for (const [k, v] of Object.entries(sizes)) {
      if (!Number.isInteger(v) || v < 1) {
        throw new Error(
          `Transformer: ${k} must be a positive integer, got ${v}`,
        );
      }
    }
    if (dModel % nHead !== 0 || dModel % 2 !== 0) {
      throw new Error(
        `Transformer: dModel (${dModel}) must be even and divisible by nHead (${nHead}).`,
      );
    }
    this.sourceVocab = config.sourceVocab;
    this.targetVocab = config.targetVocab;
    this.maxSourceLength = config.maxSourceLength;
    this.maxTargetLength = config.maxTargetLength;
    this.dModel = dModel;
    this.residual = config.residual ?? true;
    this.feedForward = config.feedForward ?? true;
    const rng = new Rng(seed);
    const v = (t: tf.Tensor) => {
      const x = ownedVariable(t);
      this.#params.push(x);
      return x;
    };
    const normal = (rows: number, cols: number, std: number) => {
      const x = normalVariable(rng, [rows, cols], std);
      this.#params.push(x);
      return x;
    };
    const norm = (): Norm => ({
      g: v(tf.ones([dModel])),
      b: v(tf.zeros([dModel])),
    });
    const ff = (): FF | undefined =>
      !this.feedForward ? undefined : ({
        w1: normal(dModel, dFF, Math.sqrt(2 / (dModel + dFF))),
        b1: v(tf.zeros([dFF])),
        w2: normal(dFF, dModel, Math.sqrt(2 / (dModel + dFF))),
        b2: v(tf.zeros([dModel])),
      });
    let mhaSeed = seed * 1000 + 1;
    const mha = () => {
      return new MultiHeadAttention(dModel, nHead, { seed: mhaSeed++ });
    };
    // std d^-1/2, so that after the √d scale a word vector is about as large as its position code.
    this.sourceEmbedding = normal(
      this.sourceVocab.size,
      dModel,
      dModel ** -0.5,
    );
    this.targetEmbedding = normal(
      this.targetVocab.size,
      dModel,
      dModel ** -0.5,
    );
    for (let l = 0; l < layers; l++) {
      this.encoderLayers.push({
        ln1: norm(),
        attn: mha(),
        ln2: this.feedForward ? norm() : undefined,
        ff: ff(),
      });
      this.decoderLayers.push({
        ln1: norm(),
        self: mha(),
        ln2: norm(),
        cross: mha(),
        ln3: this.feedForward ? norm() : undefined,
        ff: ff(),
      });
    }
    this.encoderNorm = norm();
    this.decoderNorm = norm();
    this.outW = normal(dModel, this.targetVocab.size, dModel ** -0.5);
    this.outB = v(tf.zeros([this.targetVocab.size]));
    this.positions = sinusoidalPositionalEncoding(
      Math.max(this.maxSourceLength, this.maxTargetLength),
      dModel,
    );
  }

  /** Every trainable variable, the attention projections included. */
  get variables(): tf.Variable[] {
    const attn = [
      ...this.encoderLayers.map((l) => l.attn),
      ...this.decoderLayers.flatMap((l) => [l.self, l.cross]),
    ];
    return [...this.#params, ...attn.flatMap((a) => [...a.params.values()])];
  }

  /** Number of trainable weights. */
  parameterCount(): number {
    return this.variables.reduce((n, x) => n + x.size, 0);
  }

  /** `x + sub` on a residual path; `sub` alone when residuals are ablated. */
  #around(x: tf.Tensor3D, sub: tf.Tensor3D): tf.Tensor3D {
    return this.residual ? tf.add(x, sub) : sub;
  }

  #layerNorm(x: tf.Tensor3D, n: Norm): tf.Tensor3D {
    const [B, T, C] = x.shape;
    // The GPT's LayerNorm (one implementation), over (B*T, C) rows.
    return tf.reshape(layerNorm(tf.reshape(x, [B * T, C]), n.g, n.b), [B, T, C]);
  }

  #feedForward(x: tf.Tensor3D, f: FF): tf.Tensor3D {
    const [B, T, C] = x.shape;
    const h = tf.relu(tf.add(tf.matMul(tf.reshape(x, [B * T, C]), f.w1), f.b1));
    return tf.reshape(tf.add(tf.matMul(h, f.w2), f.b2), [B, T, C]);
  }

  /** Word embedding · √d + position code: (B, T) ids -> (B, T, d). */
  #embed(ids: tf.Tensor2D, table: tf.Variable): tf.Tensor3D {
    const T = ids.shape[1];
    const x = tf.mul(tf.gather(table, ids), Math.sqrt(this.dModel));
    return tf.add(
      x,
      tf.slice(this.positions, [0, 0], [T, this.dModel]),
    ) as tf.Tensor3D;
  }

  /** The encoder's output (B, S, d): one vector per source word, each informed by all. */
  encode(src: EncodedSources): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, S] = src.ids.shape;
      const keep = tf.reshape(src.mask, [B, 1, 1, S]); // hide padding keys from every query
      let x = this.#embed(src.ids, this.sourceEmbedding);
      for (const l of this.encoderLayers) {
        const h = this.#layerNorm(x, l.ln1);
        x = this.#around(x, l.attn.apply(h, h, { mask: keep }));
        if (l.ff && l.ln2) x = this.#around(x, this.#feedForward(this.#layerNorm(x, l.ln2), l.ff));
      }
      return this.#layerNorm(x, this.encoderNorm);
    });
  }

  /**
   * Logits (B, T, Vt) for every position of `targetIn` (B, T) at once; the causal mask lets
   * position t see only positions 0..t, so each row equals what step-by-step decoding gives.
   */
  decode(
    memory: tf.Tensor3D,
    srcMask: tf.Tensor2D,
    targetIn: tf.Tensor2D,
  ): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = targetIn.shape;
      const S = memory.shape[1];
      const causal = causalMask(T); // (T, T), broadcast over batch and heads
      const keep = tf.reshape(srcMask, [B, 1, 1, S]);
      let y = this.#embed(targetIn, this.targetEmbedding);
      for (const l of this.decoderLayers) {
        const h = this.#layerNorm(y, l.ln1);
        y = this.#around(y, l.self.apply(h, h, { mask: causal }));
        y = this.#around(y, l.cross.apply(this.#layerNorm(y, l.ln2), memory, { mask: keep }));
        if (l.ff && l.ln3) y = this.#around(y, this.#feedForward(this.#layerNorm(y, l.ln3), l.ff));
      }
      y = this.#layerNorm(y, this.decoderNorm);
      const logits = tf.add(
        tf.matMul(tf.reshape(y, [B * T, this.dModel]), this.outW),
        this.outB,
      );
      return tf.reshape(logits, [B, T, -1]);
    });
  }

  /** Teacher-forced logits (B, T, Vt), all positions in one pass. */
  logits(batch: Seq2SeqBatch): tf.Tensor3D {
    return tf.tidy(() => this.decode(this.encode(batch), batch.mask, batch.targetIn));
  }

  /**
   * The same logits computed one position at a time: position t is decoded from the prefix
   * `targetIn[:, 0..t]` alone, as at inference. Slower; it exists to show that the parallel
   * pass of {@link Transformer.logits} does not look ahead.
   */
  incrementalLogits(batch: Seq2SeqBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const memory = this.encode(batch);
      const [B, T] = batch.targetIn.shape;
      const rows: tf.Tensor2D[] = [];
      for (let t = 1; t <= T; t++) {
        const prefix = tf.slice(batch.targetIn, [0, 0], [B, t]) as tf.Tensor2D;
        const l = this.decode(memory, batch.mask, prefix);
        rows.push(tf.squeeze(tf.slice(l, [0, t - 1, 0], [B, 1, -1]), [1]));
      }
      return tf.stack(rows, 1) as tf.Tensor3D;
    });
  }

  /** Mean cross-entropy per real target token. */
  loss(batch: Seq2SeqBatch): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.logits(batch);
      const [B, T, V] = logits.shape;
      return maskedCrossEntropy(
        tf.reshape(logits, [B * T, V]),
        tf.reshape(batch.targetOut, [B * T]),
        tf.reshape(batch.targetMask, [B * T]),
      );
    });
  }

  /** Greedy output ids: feed `<bos>`, append the argmax, repeat until `<eos>` or the limit. */
  greedy(src: EncodedSources): number[][] {
    const B = src.ids.shape[0];
    const memory = this.encode(src);
    const ids: number[][] = Array.from({ length: B }, () => []);
    const done = new Array(B).fill(false);
    let prefix: number[][] = Array.from({ length: B }, () => [BOS]);
    for (let t = 0; t < this.maxTargetLength && done.includes(false); t++) {
      const next = tf.tidy(() => {
        const inp = tf.tensor2d(prefix, [B, t + 1], "int32");
        const l = this.decode(memory, src.mask, inp); // (B, t+1, V)
        return tf.argMax(
          tf.squeeze(tf.slice(l, [0, t, 0], [B, 1, -1]), [1]),
          1,
        );
      });
      const n = next.arraySync() as number[];
      next.dispose();
      prefix = prefix.map((p, b) => [...p, n[b]]);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        ids[b].push(n[b]);
        if (n[b] === EOS) done[b] = true;
      }
    }
    memory.dispose();
    return ids;
  }

  /** Greedy translations (see {@link Seq2SeqModel.translate}). */
  translate(
    sentences: readonly string[],
    options: TranslateOptions = {},
  ): string[] {
    return withEncodedSources(
      sentences,
      this.sourceVocab,
      this.maxSourceLength,
      options.unknown,
      (src) => this.greedy(src).map((r) => this.targetVocab.decode(r)),
    );
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose(this.variables);
    this.positions.dispose();
  }
}
