/**
 * Parameter counts of LSTM encoder-decoders (Sutskever et al. 2014, notebook 03), from their
 * sizes alone, so a paper's model can be sized without building it.
 *
 * @module
 */

/** The sizes of an encoder-decoder LSTM translator. */
export interface Seq2SeqLSTMShape {
  /** Source vocabulary size. */
  sourceVocab: number;
  /** Target vocabulary size (the output softmax's width). */
  targetVocab: number;
  /** Word embedding width (source and target). */
  embed: number;
  /** LSTM cells per layer. */
  hidden: number;
  /** Stacked LSTM layers in the encoder, and again in the decoder. */
  layers: number;
}

/** Parameters of a {@link Seq2SeqLSTMShape}, by part. */
export interface Seq2SeqLSTMParams {
  /** Source and target embedding tables. */
  embeddings: number;
  /** The encoder's LSTM layers. */
  encoder: number;
  /** The decoder's LSTM layers. */
  decoder: number;
  /** The output layer: hidden -> target vocabulary, with biases. */
  output: number;
  /** Everything. */
  total: number;
}

/**
 * Weights of one LSTM layer: four gates, each with input weights, recurrent weights and a bias,
 * `4 · hidden · (input + hidden + 1)`.
 *
 * @example
 * ```ts
 * import { lstmLayerParams } from "./lstm.ts";
 * console.log(lstmLayerParams(1000, 1000)); // 8004000
 * ```
 */
export function lstmLayerParams(input: number, hidden: number): number {
  for (const [name, v] of [["input", input], ["hidden", hidden]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`lstmLayerParams: ${name} must be a positive integer, got ${v}.`);
    }
  }
  return 4 * hidden * (input + hidden + 1);
}

/**
 * Parameters of an encoder-decoder LSTM: embeddings, `layers` LSTM layers on each side (the
 * first reads the embeddings, the others the layer below), and the output softmax layer.
 *
 * @example
 * ```ts
 * import { seq2seqLSTMParams } from "./lstm.ts";
 * // Sutskever et al. (2014): 160k/80k words, 1000-wide embeddings, 4 layers of 1000 cells.
 * const p = seq2seqLSTMParams({ sourceVocab: 160_000, targetVocab: 80_000, embed: 1000, hidden: 1000, layers: 4 });
 * console.log((p.total / 1e6).toFixed(0), "M"); // 384 M
 * ```
 */
export function seq2seqLSTMParams(shape: Seq2SeqLSTMShape): Seq2SeqLSTMParams {
  for (const [name, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`seq2seqLSTMParams: ${name} must be a positive integer, got ${v}.`);
    }
  }
  const { sourceVocab, targetVocab, embed, hidden, layers } = shape;
  const stack = lstmLayerParams(embed, hidden) + (layers - 1) * lstmLayerParams(hidden, hidden);
  const embeddings = (sourceVocab + targetVocab) * embed;
  const output = hidden * targetVocab + targetVocab;
  return {
    embeddings,
    encoder: stack,
    decoder: stack,
    output,
    total: embeddings + 2 * stack + output,
  };
}
