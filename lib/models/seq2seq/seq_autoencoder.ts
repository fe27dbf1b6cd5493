/**
 * A sequence autoencoder with a one-vector bottleneck: the encoder-decoder LSTM of
 * seq2seq_lstm.ts trained to give its input back, where everything the decoder learns about the
 * input must pass through a single vector of `bottleneck` numbers. Its width bounds what the
 * latent space can hold, which is what a reconstruction-accuracy-versus-width curve measures.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { filledVariable, normalVariable } from "../../nn/init.ts";
import type { LSTMState } from "./lstm_stack.ts";
import { type Vocab, withEncodedSources } from "./seq2seq_data.ts";
import { Seq2SeqLSTM } from "./seq2seq_lstm.ts";

/** Options of {@link SequenceAutoencoder}. */
export interface SequenceAutoencoderConfig {
  /** The words of the sequences (input and output). */
  vocab: Vocab;
  /** Longest sequence in words (the output gets one more token, `<eos>`). */
  maxLength: number;
  /** Width of the one vector between encoder and decoder. */
  bottleneck: number;
  /** Word embedding width (default 32). */
  embedDim?: number;
  /** LSTM width of encoder and decoder (default 64). */
  hidden?: number;
  /** LSTM layers in the encoder and in the decoder (default 1). */
  layers?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
}

/**
 * Encoder LSTM → the final hidden and cell states of every layer, concatenated and projected
 * linearly to one vector `z` of width `bottleneck` → the decoder's initial states, per layer
 * `h = tanh(z·Wh + bh)` and `c = z·Wc + bc` → decoder LSTM. The decoder sees nothing else of
 * the input (no attention), so `z` is the whole latent code. Train it with `trainSeq2Seq` on
 * pairs whose source and target are the same sequence.
 *
 * @example
 * ```ts
 * import { Vocab } from "./seq2seq_data.ts";
 * import { SequenceAutoencoder } from "./seq_autoencoder.ts";
 * const ae = new SequenceAutoencoder({ vocab: new Vocab(["1", "2", "3"]), maxLength: 4, bottleneck: 2 });
 * const z = ae.code(["1 2 3"]);
 * console.log(z.shape, ae.translate(["1 2 3"])); // [1, 2] and an untrained guess
 * z.dispose();
 * ae.dispose();
 * ```
 */
export class SequenceAutoencoder extends Seq2SeqLSTM {
  /** Width of the latent vector. */
  readonly bottleneck: number;
  /** Encoder states (layers · 2H) → latent (w). */
  readonly down: tf.Variable;
  /** Latent bias (w). */
  readonly downB: tf.Variable;
  /** Latent (w) → decoder states (layers · 2H): per layer [h | c]. */
  readonly up: tf.Variable;
  /** Decoder state bias (layers · 2H). */
  readonly upB: tf.Variable;

  /** Creates the weights from `config.seed`. */
  constructor(config: SequenceAutoencoderConfig) {
    const { bottleneck, hidden = 64, layers = 1, seed = 0 } = config;
    if (!Number.isInteger(bottleneck) || bottleneck < 1) {
      throw new Error(
        `SequenceAutoencoder: bottleneck must be a positive integer (the latent width), got ${bottleneck}`,
      );
    }
    super({
      sourceVocab: config.vocab,
      targetVocab: config.vocab,
      maxSourceLength: config.maxLength,
      maxTargetLength: config.maxLength + 1,
      embedDim: config.embedDim ?? 32,
      hidden,
      layers,
      seed,
    });
    this.bottleneck = bottleneck;
    const rng = new Rng(seed + 3);
    const states = 2 * layers * hidden;
    this.down = normalVariable(rng, [states, bottleneck], 1 / Math.sqrt(states));
    this.downB = filledVariable([bottleneck], 0);
    this.up = normalVariable(rng, [bottleneck, states], 1 / Math.sqrt(bottleneck));
    this.upB = filledVariable([states], 0);
  }

  /** Every trainable variable, the bottleneck's included. */
  override get variables(): tf.Variable[] {
    return [...super.variables, this.down, this.downB, this.up, this.upB];
  }

  /** The latent vectors (B, w) of the encoder's final states. */
  latent(final: LSTMState[]): tf.Tensor2D {
    return tf.tidy(() => {
      const all = tf.concat(final.flatMap((s) => [s.h, s.c]), 1); // (B, layers · 2H)
      return tf.add(tf.matMul(all, this.down), this.downB) as tf.Tensor2D;
    });
  }

  /** The decoder's initial states, computed from the latent vector alone. */
  protected override context(final: LSTMState[]): LSTMState[] {
    return tf.tidy(() => {
      const z = this.latent(final);
      const s = tf.add(tf.matMul(z, this.up), this.upB) as tf.Tensor2D; // (B, layers · 2H)
      const H = this.hidden;
      return final.map((_, l) => ({
        h: tf.tanh(s.slice([0, 2 * l * H], [-1, H])) as tf.Tensor2D,
        c: s.slice([0, (2 * l + 1) * H], [-1, H]) as tf.Tensor2D,
      }));
    });
  }

  /** The latent codes (B, w) of `sequences`; the caller disposes the tensor. */
  code(sequences: readonly string[]): tf.Tensor2D {
    return withEncodedSources(
      sequences,
      this.sourceVocab,
      this.maxSourceLength,
      "error",
      (src) =>
        tf.tidy(() => {
          const enc = this.encode(src);
          return this.latent(enc.final);
        }),
    );
  }

  /** Frees the weights. */
  override dispose(): void {
    super.dispose();
    tf.dispose([this.down, this.downB, this.up, this.upB]);
  }
}
