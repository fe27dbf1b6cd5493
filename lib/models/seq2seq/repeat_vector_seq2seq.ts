/**
 * The Keras recipe for sequence-to-sequence on fixed-width strings, built with tfjs-layers: an
 * LSTM reads the one-hot input and keeps only its last hidden state, `RepeatVector` copies that
 * vector once per output step, a second LSTM unrolls it, and one `Dense` layer shared across
 * steps (`TimeDistributed`) picks each output character. Input and output have fixed widths.
 * The hand-built encoder-decoder that reads and writes words is in seq2seq_lstm.ts.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";

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
 * Runs `build` with tfjs-layers' one warning about orthogonal initializers filtered out of
 * `console.warn`. tfjs-layers warns when it fills a matrix of more than 2000 elements (here
 * `H × 4H` recurrent kernels); the QR decomposition is slower, the weights are the same. Any other
 * warning passes through.
 */
function withoutOrthogonalWarning<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (
      typeof args[0] === "string" && args[0].startsWith("Orthogonal initializer is being called")
    ) return;
    warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}

/**
 * The Keras-style `LSTM -> RepeatVector -> LSTM(returnSequences) -> TimeDistributed(Dense)`
 * model on fixed-width strings (right-padded with the alphabet's first character).
 *
 * @example
 * ```ts
 * import { RepeatVectorSeq2Seq } from "./repeat_vector_seq2seq.ts";
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
  /** Orders the training pairs of every epoch; continues across `fit` calls. */
  #rng: Rng;
  #epochsDone = 0;

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
    this.#rng = new Rng(c.seed + 7);
    const A = c.alphabet.length;
    const init = (k: number) => tf.initializers.glorotUniform({ seed: c.seed + k });
    const rec = (k: number) => tf.initializers.orthogonal({ seed: c.seed + k });
    this.model = withoutOrthogonalWarning(() =>
      tf.sequential({
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
      })
    );
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

  /**
   * Trains with `model.fit`, one epoch at a time over an order shuffled by this model's seeded
   * generator (tfjs-layers' own `shuffle` draws from an unseeded `Math.random`, so two runs with
   * the same seed would differ). Returns the loss and accuracy history per epoch.
   */
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
    if (!Number.isInteger(options.epochs) || options.epochs < 1) {
      throw new Error(
        `RepeatVectorSeq2Seq.fit: epochs must be a positive integer, got ${options.epochs}`,
      );
    }
    const x = this.oneHot(pairs.map((p) => p.source), inputLength);
    const y = this.oneHot(pairs.map((p) => p.target), outputLength);
    const val = options.validation?.length
      ? [
        this.oneHot(options.validation.map((p) => p.source), inputLength),
        this.oneHot(options.validation.map((p) => p.target), outputLength),
      ]
      : undefined;
    const order = Array.from({ length: pairs.length }, (_, i) => i);
    const epochs: number[] = [];
    const history: Record<string, number[]> = {};
    let last: tf.History | undefined;
    try {
      for (let e = 0; e < options.epochs; e++) {
        const idx = tf.tensor1d(this.#rng.shuffle(order), "int32");
        const xs = tf.gather(x, idx), ys = tf.gather(y, idx);
        idx.dispose();
        try {
          last = await this.model.fit(xs, ys, {
            epochs: 1,
            batchSize: options.batchSize ?? 128,
            shuffle: false,
            validationData: val as [tf.Tensor, tf.Tensor] | undefined,
            verbose: 0,
          });
        } finally {
          tf.dispose([xs, ys]);
        }
        const logs: tf.Logs = {};
        for (const [k, v] of Object.entries(last.history)) {
          logs[k] = v[0] as number;
          (history[k] ??= []).push(v[0] as number);
        }
        epochs.push(this.#epochsDone++);
        options.onEpoch?.(e, logs);
      }
    } finally {
      tf.dispose([x, y, ...(val ?? [])]);
    }
    last!.epoch = epochs;
    last!.history = history;
    return last!;
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
