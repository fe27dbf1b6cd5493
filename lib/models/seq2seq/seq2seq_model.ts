/**
 * What every sequence-to-sequence model here offers: vocabularies, length limits, its
 * variables, a teacher-forced loss and greedy translation. lib/train's `trainSeq2Seq` trains
 * any model with this shape.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Seq2SeqBatch, UnknownPolicy, Vocab } from "./seq2seq_data.ts";

/** Options of `translate`. */
export interface TranslateOptions {
  /** Unknown source words: throw (default) or read them as `<unk>`. */
  unknown?: UnknownPolicy;
}

/** A trainable translator from one word sequence to another. */
export interface Seq2SeqModel {
  /** Source words. */
  readonly sourceVocab: Vocab;
  /** Target words. */
  readonly targetVocab: Vocab;
  /** Longest source accepted, in words. */
  readonly maxSourceLength: number;
  /** Longest output, in tokens, `<eos>` included. */
  readonly maxTargetLength: number;
  /** The trainable variables. */
  readonly variables: tf.Variable[];
  /** Mean cross-entropy per real target token, teacher forced. */
  loss(batch: Seq2SeqBatch): tf.Scalar;
  /** Greedy translations of `sentences`. */
  translate(sentences: readonly string[], options?: TranslateOptions): string[];
  /** Frees the variables. */
  dispose(): void;
}
