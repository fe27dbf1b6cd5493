/**
 * The encoder-decoder LSTM, built by hand (the Keras-style model built with tfjs-layers is in
 * repeat_vector_seq2seq.ts).
 *
 * {@link Seq2SeqLSTM} is the encoder-decoder of Sutskever et al.: word embeddings, a stack of
 * LSTMs over the source whose final hidden and cell states (the fixed-size context vector)
 * initialise a decoder stack, teacher forcing while training and greedy decoding until `<eos>`.
 * Like them it can read each source sentence backwards (`reverseSource`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { maskedCrossEntropy } from "../../ops/cross_entropy.ts";
import { filledVariable, normalVariable } from "../../nn/init.ts";
import { LSTMStack, type LSTMState } from "./lstm_stack.ts";
import {
  BOS,
  type EncodedSources,
  EOS,
  type Seq2SeqBatch,
  type Vocab,
  withEncodedSources,
} from "./seq2seq_data.ts";
import type { Seq2SeqModel, TranslateOptions } from "./seq2seq_model.ts";

/** Options of {@link Seq2SeqLSTM}. */
export interface Seq2SeqLSTMConfig {
  /** Source words. */
  sourceVocab: Vocab;
  /** Target words. */
  targetVocab: Vocab;
  /** Longest source in words. */
  maxSourceLength: number;
  /** Longest output in tokens, `<eos>` included. */
  maxTargetLength: number;
  /** Word embedding width (default 64). */
  embedDim?: number;
  /** LSTM width: the size of each context vector (default 128). */
  hidden?: number;
  /** LSTM layers in the encoder and in the decoder (default 2). */
  layers?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
  /**
   * Read each source sentence last word first (default false), as Sutskever et al. did: the
   * first source words, which the first output words usually depend on, are then read last and
   * are the freshest in the context vector. The mask is unchanged (real words stay in front).
   */
  reverseSource?: boolean;
}

/** Greedy output ids and, for attention models, the weights of every step. */
export interface GreedyResult {
  /** Per sentence: output ids up to and including `<eos>` when it came. */
  ids: number[][];
  /** Per sentence: (output step, source position) attention weights, when the model has them. */
  attention?: number[][][];
}

/** Ids (B, S) with each row's real words in reverse order; the padding stays at the end. */
function reverseWords(src: EncodedSources): tf.Tensor2D {
  const [B, S] = src.ids.shape;
  const index = new Int32Array(B * S);
  src.lengths.forEach((n, b) => {
    for (let t = 0; t < S; t++) {
      index[b * S + t] = b * S + (t < n ? n - 1 - t : t);
    }
  });
  return tf.tidy(() =>
    tf.reshape(
      tf.gather(tf.reshape(src.ids, [B * S]), tf.tensor1d(index, "int32")),
      [B, S],
    )
  );
}

/**
 * The encoder-decoder LSTM: the decoder sees the source only through the encoder's final
 * states.
 *
 * @example
 * ```ts
 * import { Vocab } from "./seq2seq_data.ts";
 * import { Seq2SeqLSTM } from "./seq2seq_lstm.ts";
 * const model = new Seq2SeqLSTM({
 *   sourceVocab: Vocab.fromSentences(["let's go"]), targetVocab: Vocab.fromSentences(["andiamo"]),
 *   maxSourceLength: 4, maxTargetLength: 4, hidden: 16, embedDim: 8,
 * });
 * console.log(model.translate(["let's go"])); // untrained: some sequence of target words
 * model.dispose();
 * ```
 */
export class Seq2SeqLSTM implements Seq2SeqModel {
  /** Source words. */
  readonly sourceVocab: Vocab;
  /** Target words. */
  readonly targetVocab: Vocab;
  /** Longest source in words. */
  readonly maxSourceLength: number;
  /** Longest output in tokens. */
  readonly maxTargetLength: number;
  /** LSTM width. */
  readonly hidden: number;
  /** Whether the encoder reads each source backwards. */
  readonly reverseSource: boolean;
  /** Source embeddings (Vs, E). */
  readonly sourceEmbedding: tf.Variable;
  /** Target embeddings (Vt, E). */
  readonly targetEmbedding: tf.Variable;
  /** Encoder LSTMs. */
  readonly encoder: LSTMStack;
  /** Decoder LSTMs, started from the encoder's final states. */
  readonly decoder: LSTMStack;
  /** Output layer (readout width, Vt) and bias. */
  readonly outW: tf.Variable;
  /** Output bias (Vt). */
  readonly outB: tf.Variable;

  /** Creates the weights from `config.seed`. */
  constructor(config: Seq2SeqLSTMConfig) {
    const {
      embedDim = 64,
      hidden = 128,
      layers = 2,
      seed = 0,
      reverseSource = false,
    } = config;
    for (
      const [k, v] of Object.entries({
        maxSourceLength: config.maxSourceLength,
        maxTargetLength: config.maxTargetLength,
      })
    ) {
      if (!Number.isInteger(v) || v < 1) {
        throw new Error(
          `${this.constructor.name}: ${k} must be a positive integer, got ${v}`,
        );
      }
    }
    this.sourceVocab = config.sourceVocab;
    this.targetVocab = config.targetVocab;
    this.maxSourceLength = config.maxSourceLength;
    this.maxTargetLength = config.maxTargetLength;
    this.hidden = hidden;
    this.reverseSource = reverseSource;
    const rng = new Rng(seed);
    const normal = (shape: number[], std: number) => normalVariable(rng, shape, std);
    this.sourceEmbedding = normal([this.sourceVocab.size, embedDim], 0.1);
    this.targetEmbedding = normal([this.targetVocab.size, embedDim], 0.1);
    this.encoder = new LSTMStack(embedDim, hidden, layers, seed + 1);
    this.decoder = new LSTMStack(embedDim, hidden, layers, seed + 2);
    const readIn = this.readoutWidth();
    this.outW = normal([readIn, this.targetVocab.size], 1 / Math.sqrt(readIn));
    this.outB = filledVariable([this.targetVocab.size], 0);
  }

  /** Width of the vector the output layer reads: the decoder's top hidden state. */
  protected readoutWidth(): number {
    return this.hidden;
  }

  /** Every trainable variable. */
  get variables(): tf.Variable[] {
    return [
      this.sourceEmbedding,
      this.targetEmbedding,
      ...this.encoder.variables,
      ...this.decoder.variables,
      this.outW,
      this.outB,
    ];
  }

  /** Number of trainable weights. */
  parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /**
   * Encoder outputs (B, S, H), in reading order (last word first with `reverseSource`), and
   * per-layer final states (the context vector).
   */
  encode(src: EncodedSources): { outputs: tf.Tensor3D; final: LSTMState[] } {
    const ids = this.reverseSource ? reverseWords(src) : src.ids;
    const x = tf.gather(this.sourceEmbedding, ids) as tf.Tensor3D; // (B, S, E)
    if (ids !== src.ids) ids.dispose();
    return this.encoder.run(x, undefined, src.mask);
  }

  /**
   * The decoder's initial states from the encoder's final ones. The plain model hands them over
   * as they are; the bottleneck autoencoder squeezes them through one narrow vector first.
   */
  protected context(final: LSTMState[]): LSTMState[] {
    return final;
  }

  /**
   * Logits (B, T, Vt) from decoder outputs (B, T, H). The plain model ignores the encoder
   * outputs; the attention model overrides this to look at them.
   */
  protected readout(
    dec: tf.Tensor3D,
    _encOutputs: tf.Tensor3D,
    _srcMask: tf.Tensor2D,
  ): { logits: tf.Tensor3D; weights?: tf.Tensor3D } {
    const [B, T, H] = dec.shape;
    const logits = tf.add(
      tf.matMul(tf.reshape(dec, [B * T, H]), this.outW),
      this.outB,
    );
    return { logits: tf.reshape(logits, [B, T, -1]) };
  }

  /** Teacher-forced logits (B, T, Vt): the decoder reads `<bos> y1 .. yn`. */
  logits(batch: Seq2SeqBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const enc = this.encode(batch);
      const y = tf.gather(this.targetEmbedding, batch.targetIn) as tf.Tensor3D;
      const dec = this.decoder.run(y, this.context(enc.final)).outputs; // (B, T, H)
      return this.readout(dec, enc.outputs, batch.mask).logits;
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

  /** Greedy decoding from `<bos>`, feeding back each argmax, until `<eos>` or the limit. */
  greedy(src: EncodedSources): GreedyResult {
    const B = src.ids.shape[0];
    // In a tidy: the encoder's own final states are freed when context() replaces them.
    const enc = tf.tidy(() => {
      const e = this.encode(src);
      return { outputs: e.outputs, final: this.context(e.final) };
    });
    let state = enc.final;
    let prev = tf.fill([B], BOS, "int32") as tf.Tensor1D;
    const ids: number[][] = Array.from({ length: B }, () => []);
    const attention: number[][][] = Array.from({ length: B }, () => []);
    const done = new Array(B).fill(false);
    let hasWeights = false;
    for (let t = 0; t < this.maxTargetLength && done.includes(false); t++) {
      const out = tf.tidy(() => {
        const x = tf.gather(this.targetEmbedding, prev) as tf.Tensor2D; // (B, E)
        const step = this.decoder.step(x, state);
        const r = this.readout(
          tf.expandDims(step.output, 1) as tf.Tensor3D,
          enc.outputs,
          src.mask,
        );
        const next = tf.argMax(tf.squeeze(r.logits, [1]), 1)
          .toInt() as tf.Tensor1D;
        return { state: step.state, next, weights: r.weights };
      });
      tf.dispose([prev, ...state.flatMap((s) => [s.h, s.c])]);
      state = out.state;
      prev = out.next;
      const next = prev.arraySync();
      const w = out.weights
        ? (out.weights.arraySync() as number[][][]).map((r) => r[0])
        : undefined;
      out.weights?.dispose();
      hasWeights ||= w !== undefined;
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        ids[b].push(next[b]);
        if (w) attention[b].push(w[b].slice(0, src.lengths[b]));
        if (next[b] === EOS) done[b] = true;
      }
    }
    tf.dispose([prev, enc.outputs, ...state.flatMap((s) => [s.h, s.c])]);
    return hasWeights ? { ids, attention } : { ids };
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
      (src) => this.greedy(src).ids.map((r) => this.targetVocab.decode(r)),
    );
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose([
      this.sourceEmbedding,
      this.targetEmbedding,
      this.outW,
      this.outB,
    ]);
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
