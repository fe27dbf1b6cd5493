/**
 * Sequence classification with one recurrent layer (notebook 03): the layer reads a one-hot
 * sequence and a dense head turns its final hidden state into class logits. The cell is a
 * plain RNN, an LSTM or a GRU (tfjs-layers' `simpleRNN`, `lstm`, `gru`), so the three can be
 * compared on the same task, budget and seed, including how much gradient reaches each input.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Which recurrent cell: `rnn` (one tanh path), `lstm` (cell + hidden), `gru` (gated). */
export type RecurrentCell = "rnn" | "lstm" | "gru";

/** Options of {@link RecurrentClassifier}. */
export interface RecurrentClassifierConfig {
  /** The recurrent cell. */
  cell: RecurrentCell;
  /** Alphabet size: inputs are one-hot vectors of this width. */
  symbols: number;
  /** Number of classes. */
  classes: number;
  /** Width of the hidden state (default 32). */
  hidden?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Global gradient-norm clip, `Infinity` for none (default 1). */
  clipNorm?: number;
  /** Seed of the initial weights and of the batch order (default 0). */
  seed?: number;
  /**
   * Initial bias of the gate that keeps memory: the LSTM's forget gate (default 1) or the GRU's
   * update gate (default 0, Keras' zeros); a plain RNN has no such gate and ignores it.
   * σ(b) is the fraction of memory kept per step at initialisation.
   */
  gateBias?: number;
}

/**
 * One recurrent layer + dense head over the final state; lib/train's `fitRecurrentClassifier`
 * trains it with Adam on seeded batches.
 *
 * @example
 * ```ts
 * import { RecurrentClassifier } from "./recurrent_classifier.ts";
 * import { fitRecurrentClassifier } from "../../train/recurrent_classifier.ts";
 * const m = new RecurrentClassifier({ cell: "gru", symbols: 4, classes: 4, hidden: 8 });
 * const ids = [[0, 1, 2], [3, 2, 1]], labels = [0, 3];
 * fitRecurrentClassifier(m, ids, labels, { steps: 5, batchSize: 2 });
 * console.log(m.accuracy(ids, labels), m.inputGradientNorms(ids, labels)); // 3 norms, one per step
 * m.dispose();
 * ```
 */
export class RecurrentClassifier {
  /** The tfjs-layers model: recurrent layer, then a dense layer producing logits. */
  readonly model: tf.Sequential;
  /** See {@link RecurrentClassifierConfig}. */
  readonly config: Required<RecurrentClassifierConfig>;

  /** Builds the model with seeded Glorot input and orthogonal recurrent weights. */
  constructor(config: RecurrentClassifierConfig) {
    const c = {
      hidden: 32,
      learningRate: 0.01,
      clipNorm: 1,
      seed: 0,
      gateBias: config.cell === "lstm" ? 1 : 0,
      ...config,
    };
    if (!["rnn", "lstm", "gru"].includes(c.cell)) {
      throw new Error(`RecurrentClassifier: cell must be "rnn", "lstm" or "gru", got "${c.cell}".`);
    }
    for (const k of ["symbols", "classes", "hidden"] as const) {
      if (!Number.isInteger(c[k]) || c[k] < 1) {
        throw new Error(`RecurrentClassifier: ${k} must be a positive integer, got ${c[k]}.`);
      }
    }
    this.config = c;
    const layerOptions = {
      units: c.hidden,
      inputShape: [null, c.symbols] as [null, number], // any length
      kernelInitializer: tf.initializers.glorotUniform({ seed: c.seed + 1 }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: c.seed + 2 }),
    };
    const recurrent = c.cell === "rnn"
      ? tf.layers.simpleRNN(layerOptions)
      : c.cell === "gru"
      ? tf.layers.gru(layerOptions)
      : tf.layers.lstm(layerOptions);
    this.model = tf.sequential({
      layers: [
        recurrent,
        tf.layers.dense({
          units: c.classes,
          kernelInitializer: tf.initializers.glorotUniform({ seed: c.seed + 3 }),
        }),
      ],
    });
    if (c.cell !== "rnn") {
      // The keep gate's bias: tfjs-layers orders the LSTM's gates i, f, c, o and the GRU's z, r, h
      // (h' = z·h + (1 - z)·candidate). Written here because unitForgetBias leaks 4 tensors.
      const bias = recurrent.getWeights()[2] as tf.Variable;
      const values = new Float32Array(bias.size);
      const from = c.cell === "lstm" ? c.hidden : 0;
      values.fill(c.gateBias, from, from + c.hidden);
      const init = tf.tensor1d(values);
      bias.assign(init);
      init.dispose();
    }
  }

  /** (B, T, symbols) one-hot float inputs; throws on ragged rows or ids out of range. */
  oneHot(ids: readonly number[][]): tf.Tensor3D {
    if (ids.length === 0) throw new Error("RecurrentClassifier: empty batch.");
    const T = ids[0].length, S = this.config.symbols;
    const flat = new Float32Array(ids.length * T * S);
    ids.forEach((row, b) => {
      if (row.length !== T) {
        throw new Error(
          `RecurrentClassifier: row ${b} has ${row.length} steps, row 0 has ${T}; batch one length.`,
        );
      }
      row.forEach((id, t) => {
        if (!Number.isInteger(id) || id < 0 || id >= S) {
          throw new Error(`RecurrentClassifier: id ${id} at [${b}][${t}] is not in [0, ${S}).`);
        }
        flat[(b * T + t) * S + id] = 1;
      });
    });
    return tf.tensor3d(flat, [ids.length, T, S]);
  }

  /** Mean cross-entropy of `x` (one-hot, (B, T, symbols)) against `labels`. */
  loss(x: tf.Tensor3D, labels: readonly number[]): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.model.apply(x, { training: true }) as tf.Tensor2D;
      const y = tf.oneHot(tf.tensor1d(labels as number[], "int32"), this.config.classes);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
  }

  /** Predicted class of each sequence (sequences of one length per call). */
  predict(ids: readonly number[][]): number[] {
    const out = tf.tidy(() => (this.model.predict(this.oneHot(ids)) as tf.Tensor).argMax(-1));
    const classes = Array.from(out.dataSync());
    out.dispose();
    return classes;
  }

  /** Fraction of `labels` predicted exactly. */
  accuracy(ids: readonly number[][], labels: readonly number[]): number {
    const p = this.predict(ids);
    return p.filter((c, i) => c === labels[i]).length / p.length;
  }

  /**
   * ||d loss / d x_t|| for every time step t: how much training signal the mean loss on this
   * batch sends back to the input at step t (the L2 norm over the batch and the one-hot width).
   */
  inputGradientNorms(ids: readonly number[][], labels: readonly number[]): number[] {
    const norms = tf.tidy(() => {
      const x = this.oneHot(ids);
      const g = tf.grad((xs: tf.Tensor) => this.loss(xs as tf.Tensor3D, labels))(x);
      return tf.sqrt(tf.sum(tf.square(g), [0, 2]));
    });
    const out = Array.from(norms.dataSync());
    norms.dispose();
    return out;
  }

  /** Number of trainable weights. */
  parameterCount(): number {
    return this.model.countParams();
  }

  /** Frees the weights. */
  dispose(): void {
    this.model.dispose();
  }
}
