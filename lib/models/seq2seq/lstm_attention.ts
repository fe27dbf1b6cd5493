/**
 * The encoder-decoder LSTM with attention, as the notes build it: at every decoder step, the
 * dot product of the decoder's top hidden state with each encoder output is a similarity
 * score; softmax turns the scores into percentages; the encoder outputs scaled by those
 * percentages and summed are the attention values; the attention values concatenated with the
 * decoder's output feed one fully connected layer with softmax that picks the next word.
 *
 * The decoder still starts from the encoder's final states; attention adds one direct path
 * per source word on top of that context vector.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MASKED_SCORE } from "../../ops/causal_mask.ts";
import { withEncodedSources } from "./seq2seq_data.ts";
import { type GreedyResult, Seq2SeqLSTM } from "./seq2seq_lstm.ts";
import type { TranslateOptions } from "./seq2seq_model.ts";

/**
 * Dot-product attention of decoder states over encoder outputs, unscaled as in the notes.
 *
 * @param dec (B, T, H) decoder outputs, one query per output step.
 * @param enc (B, S, H) encoder outputs, one key and value per source word.
 * @param srcMask (B, S) 1 on real source words; padding gets no attention.
 * @returns `values` (B, T, H), the attention values, and `weights` (B, T, S), the softmax.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { dotProductAttention } from "./lstm_attention.ts";
 * const enc = tf.tensor3d([[[1, 0], [0, 1]]]); // two source words
 * const dec = tf.tensor3d([[[3, 0]]]); // the decoder state resembles the first
 * const { weights, values } = dotProductAttention(dec, enc, tf.ones([1, 2]));
 * weights.print(); // [[[0.95, 0.05]]]
 * values.print(); // [[[0.95, 0.05]]]
 * ```
 */
export function dotProductAttention(
  dec: tf.Tensor3D,
  enc: tf.Tensor3D,
  srcMask: tf.Tensor2D,
): { values: tf.Tensor3D; weights: tf.Tensor3D } {
  return tf.tidy(() => {
    const scores = tf.matMul(dec, enc, false, true); // (B, T, S)
    const hide = tf.mul(tf.sub(1, tf.expandDims(srcMask, 1)), MASKED_SCORE); // (B, 1, S)
    const weights = tf.softmax(tf.add(scores, hide)) as tf.Tensor3D; // (B, T, S)
    const values = tf.matMul(weights, enc) as tf.Tensor3D; // (B, T, H)
    return { values, weights };
  });
}

/**
 * {@link Seq2SeqLSTM} plus attention: its readout layer reads `[decoder output, attention
 * values]` (width 2H) instead of the decoder output alone.
 *
 * @example
 * ```ts
 * import { Vocab } from "./seq2seq_data.ts";
 * import { LSTMAttention } from "./lstm_attention.ts";
 * const model = new LSTMAttention({
 *   sourceVocab: Vocab.fromSentences(["let's go"]), targetVocab: Vocab.fromSentences(["andiamo"]),
 *   maxSourceLength: 4, maxTargetLength: 4, hidden: 16, embedDim: 8,
 * });
 * const { translations, attention } = model.translateWithAttention(["let's go"]);
 * console.log(translations, attention[0].length); // one row of weights per output token
 * model.dispose();
 * ```
 */
export class LSTMAttention extends Seq2SeqLSTM {
  /** The readout reads the decoder output and the attention values side by side. */
  protected override readoutWidth(): number {
    return 2 * this.hidden;
  }

  /** Logits (B, T, Vt) and attention weights (B, T, S). */
  protected override readout(
    dec: tf.Tensor3D,
    encOutputs: tf.Tensor3D,
    srcMask: tf.Tensor2D,
  ): { logits: tf.Tensor3D; weights: tf.Tensor3D } {
    const [B, T, H] = dec.shape;
    const { values, weights } = dotProductAttention(dec, encOutputs, srcMask);
    const both = tf.reshape(tf.concat([dec, values], 2), [B * T, 2 * H]); // (B*T, 2H)
    const logits = tf.add(tf.matMul(both, this.outW), this.outB);
    return { logits: tf.reshape(logits, [B, T, -1]), weights };
  }

  /** Greedy translations with each output word's attention over the source words. */
  translateWithAttention(
    sentences: readonly string[],
    options: TranslateOptions = {},
  ): { translations: string[]; attention: number[][][]; ids: number[][] } {
    const out: GreedyResult = withEncodedSources(
      sentences,
      this.sourceVocab,
      this.maxSourceLength,
      options.unknown,
      (src) => this.greedy(src),
    );
    return {
      translations: out.ids.map((r) => this.targetVocab.decode(r)),
      attention: out.attention!,
      ids: out.ids,
    };
  }
}
