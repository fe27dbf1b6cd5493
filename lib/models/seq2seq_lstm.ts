/**
 * Sequence-to-sequence LSTMs, two ways.
 *
 * {@link RepeatVectorSeq2Seq} is the Keras recipe, built with tfjs-layers: an LSTM reads the
 * one-hot input and keeps only its last hidden state, `RepeatVector` copies that vector once per
 * output step, a second LSTM unrolls it, and one `Dense` layer shared across steps
 * (`TimeDistributed`) picks each output character. Input and output have fixed widths.
 *
 * {@link Seq2SeqLSTM} is the encoder-decoder of Sutskever et al.: word embeddings, a stack of
 * LSTMs over the source whose final hidden and cell states (the fixed-size context vector)
 * initialise a decoder stack, teacher forcing while training and greedy decoding until `<eos>`.
 * Like them it can read each source sentence backwards (`reverseSource`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random.ts";
import { filledVariable, normalVariable } from "../nn/init.ts";
import { LSTMStack, type LSTMState } from "./lstm_stack.ts";
import {
  BOS,
  type EncodedSources,
  EOS,
  type Seq2SeqBatch,
  type Vocab,
  withEncodedSources,
} from "./seq2seq_data.ts";
import type { Seq2SeqModel, TranslateOptions } from "./seq2seq_train.ts";

/** Options of {@link RepeatVectorSeq2Seq}. */
export interface RepeatVectorConfig {
  /** Characters of inputs and outputs; the first one pads (e.g. `" 0123456789+"`). */
  alphabet: string;
  /** Input width in characters. */
  inputLength: number;
  /** Output width in characters. */
  outputLength: number;
  /** LSTM units (default 128). */
  hidden?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
}

/**
 * The Keras-style `LSTM -> RepeatVector -> LSTM(returnSequences) -> TimeDistributed(Dense)`
 * model on fixed-width strings (right-padded with the alphabet's first character).
 *
 * @example
 * ```ts
 * import { RepeatVectorSeq2Seq } from "./seq2seq_lstm.ts";
 * const m = new RepeatVectorSeq2Seq({ alphabet: " 0123456789+", inputLength: 7, outputLength: 4, hidden: 16 });
 * await m.fit([{ source: "1+2", target: "3" }], { epochs: 1 });
 * console.log(m.predict(["1+2"])); // an untrained guess, 4 characters trimmed
 * m.dispose();
 * ```
 */
export class RepeatVectorSeq2Seq {
  /** The tfjs-layers model. */
  readonly model: tf.Sequential;
  /** See {@link RepeatVectorConfig}. */
  readonly config: Required<RepeatVectorConfig>;
  #index: Map<string, number>;

  /** Builds and compiles the model (Adam, categorical cross-entropy). */
  constructor(config: RepeatVectorConfig) {
    const c = { hidden: 128, seed: 0, ...config };
    if (
      new Set(c.alphabet).size !== c.alphabet.length || c.alphabet.length < 2
    ) {
      throw new Error(
        `RepeatVectorSeq2Seq: alphabet needs 2+ distinct characters, got "${c.alphabet}"`,
      );
    }
    this.config = c;
    this.#index = new Map([...c.alphabet].map((ch, i) => [ch, i]));
    const A = c.alphabet.length;
    const init = (k: number) => tf.initializers.glorotUniform({ seed: c.seed + k });
    const rec = (k: number) => tf.initializers.orthogonal({ seed: c.seed + k });
    this.model = tf.sequential({
      layers: [
        // (B, inputLength, A) -> (B, H): only the last hidden state survives.
        tf.layers.lstm({
          units: c.hidden,
          inputShape: [c.inputLength, A],
          kernelInitializer: init(1),
          recurrentInitializer: rec(2),
        }),
        tf.layers.repeatVector({ n: c.outputLength }), // (B, outputLength, H)
        tf.layers.lstm({
          units: c.hidden,
          returnSequences: true,
          kernelInitializer: init(3),
          recurrentInitializer: rec(4),
        }),
        tf.layers.timeDistributed({
          layer: tf.layers.dense({
            units: A,
            activation: "softmax",
            kernelInitializer: init(5),
          }),
        }), // (B, outputLength, A)
      ],
    });
    this.model.compile({
      optimizer: tf.train.adam(0.002),
      loss: "categoricalCrossentropy",
      metrics: ["accuracy"],
    });
  }

  /** One-hot (B, width, A) of right-padded strings; throws on a foreign or too long string. */
  oneHot(strings: readonly string[], width: number): tf.Tensor3D {
    if (strings.length === 0) {
      throw new Error(
        "RepeatVectorSeq2Seq: empty batch; pass at least one string.",
      );
    }
    const A = this.config.alphabet.length;
    const out = new Float32Array(strings.length * width * A);
    strings.forEach((s, b) => {
      if (s.length > width) {
        throw new Error(
          `RepeatVectorSeq2Seq: "${s}" has ${s.length} characters but the model takes ${width}; ` +
            `build it with a larger inputLength/outputLength.`,
        );
      }
      for (let t = 0; t < width; t++) {
        const ch = t < s.length ? s[t] : this.config.alphabet[0];
        const k = this.#index.get(ch);
        if (k === undefined) {
          throw new Error(
            `RepeatVectorSeq2Seq: character "${ch}" of "${s}" is not in the alphabet ` +
              `"${this.config.alphabet}".`,
          );
        }
        out[(b * width + t) * A + k] = 1;
      }
    });
    return tf.tensor3d(out, [strings.length, width, A]);
  }

  /** Trains with `model.fit`; returns the loss and accuracy history per epoch. */
  async fit(
    pairs: readonly { source: string; target: string }[],
    options: {
      epochs: number;
      batchSize?: number;
      validation?: readonly { source: string; target: string }[];
      onEpoch?: (epoch: number, logs: tf.Logs) => void;
    },
  ): Promise<tf.History> {
    const { inputLength, outputLength } = this.config;
    const x = this.oneHot(pairs.map((p) => p.source), inputLength);
    const y = this.oneHot(pairs.map((p) => p.target), outputLength);
    const val = options.validation?.length
      ? [
        this.oneHot(options.validation.map((p) => p.source), inputLength),
        this.oneHot(options.validation.map((p) => p.target), outputLength),
      ]
      : undefined;
    try {
      return await this.model.fit(x, y, {
        epochs: options.epochs,
        batchSize: options.batchSize ?? 128,
        shuffle: true,
        validationData: val as [tf.Tensor, tf.Tensor] | undefined,
        verbose: 0,
        callbacks: options.onEpoch
          ? { onEpochEnd: (e, logs) => options.onEpoch!(e, logs!) }
          : undefined,
      });
    } finally {
      tf.dispose([x, y, ...(val ?? [])]);
    }
  }

  /** The predicted output strings, padding trimmed. */
  predict(sources: readonly string[]): string[] {
    const ids = tf.tidy(() => {
      const x = this.oneHot(sources, this.config.inputLength);
      return (this.model.predict(x) as tf.Tensor).argMax(-1);
    });
    const rows = ids.arraySync() as number[][];
    ids.dispose();
    return rows.map((r) => r.map((k) => this.config.alphabet[k]).join("").trim());
  }

  /** Number of trainable weights. */
  parameterCount(): number {
    return this.model.countParams();
  }

  /** Frees the model and its optimizer (tfjs-layers leaves an optimizer it did not create). */
  dispose(): void {
    const optimizer = this.model.optimizer;
    this.model.dispose();
    // Adam's running beta powers are two scalar variables that model.dispose() keeps.
    optimizer?.dispose();
  }
}

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
      const dec = this.decoder.run(y, enc.final).outputs; // (B, T, H)
      return this.readout(dec, enc.outputs, batch.mask).logits;
    });
  }

  /** Mean cross-entropy per real target token. */
  loss(batch: Seq2SeqBatch): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.logits(batch);
      const [B, T, V] = logits.shape;
      const logp = tf.logSoftmax(tf.reshape(logits, [B * T, V]));
      const target = tf.oneHot(tf.reshape(batch.targetOut, [B * T]), V);
      const nll = tf.neg(tf.sum(tf.mul(target, logp), 1)); // (B*T)
      const mask = tf.reshape(batch.targetMask, [B * T]);
      return tf.div(tf.sum(tf.mul(nll, mask)), tf.sum(mask)) as tf.Scalar;
    });
  }

  /** Greedy decoding from `<bos>`, feeding back each argmax, until `<eos>` or the limit. */
  greedy(src: EncodedSources): GreedyResult {
    const B = src.ids.shape[0];
    const enc = tf.tidy(() => this.encode(src));
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
