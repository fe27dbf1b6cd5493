/**
 * A decoder-only model for source → target tasks: lib's {@link GPT} reads the source and then
 * writes the target in one stream, `source <pad>… <bos> y1 … yn`, with one joint vocabulary
 * (source ids first, then target ids shifted by the source vocabulary's size). The source is
 * padded to `maxSourceLength`, so the target always starts at the same position and greedy
 * decoding runs a whole batch at once. The loss is the cross-entropy of the target tokens only
 * (the `<eos>` included), read from the target part of the vocabulary, so it is the same
 * quantity an encoder-decoder's loss measures.
 *
 * It implements {@link Seq2SeqModel}, so {@link trainSeq2Seq} trains it like the encoder-decoder
 * `Transformer`: the control that tells what the encoder adds.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { GPT } from "../gpt/gpt.ts";
import {
  BOS,
  type EncodedSources,
  EOS,
  type Seq2SeqBatch,
  type Vocab,
  withEncodedSources,
} from "./seq2seq_data.ts";
import type { Seq2SeqModel, TranslateOptions } from "./seq2seq_model.ts";

/** Options of {@link DecoderOnlySeq2Seq}. */
export interface DecoderOnlySeq2SeqConfig {
  sourceVocab: Vocab;
  targetVocab: Vocab;
  /** Longest source, in words. */
  maxSourceLength: number;
  /** Longest output, in tokens, `<eos>` included. */
  maxTargetLength: number;
  /** Width (default 64). */
  nEmbd?: number;
  /** Heads (default 4). */
  nHead?: number;
  /** Transformer blocks (default 4: as many as a 2 + 2 encoder-decoder). */
  nLayer?: number;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

/**
 * A GPT that reads the source and writes the target.
 *
 * @example
 * ```ts
 * import { DecoderOnlySeq2Seq } from "./decoder_seq2seq.ts";
 * import { Vocab } from "./seq2seq_data.ts";
 * const v = new Vocab(["a", "b"]);
 * const m = new DecoderOnlySeq2Seq({ sourceVocab: v, targetVocab: v, maxSourceLength: 4, maxTargetLength: 5 });
 * console.log(m.translate(["a b"]).length, m.parameterCount() > 0); // 1 true
 * m.dispose();
 * ```
 */
export class DecoderOnlySeq2Seq implements Seq2SeqModel {
  readonly sourceVocab: Vocab;
  readonly targetVocab: Vocab;
  readonly maxSourceLength: number;
  readonly maxTargetLength: number;
  /** The decoder: vocabulary `sourceVocab.size + targetVocab.size`, block `S + T`. */
  readonly gpt: GPT;

  constructor(config: DecoderOnlySeq2SeqConfig) {
    this.sourceVocab = config.sourceVocab;
    this.targetVocab = config.targetVocab;
    this.maxSourceLength = config.maxSourceLength;
    this.maxTargetLength = config.maxTargetLength;
    this.gpt = new GPT({
      vocabSize: config.sourceVocab.size + config.targetVocab.size,
      blockSize: config.maxSourceLength + config.maxTargetLength,
      nLayer: config.nLayer ?? 4,
      nHead: config.nHead ?? 4,
      nEmbd: config.nEmbd ?? 64,
      dropout: 0,
      bias: true,
    }, { seed: config.seed ?? 0 });
  }

  get variables(): tf.Variable[] {
    return [...this.gpt.params.values()];
  }

  /** Weights, all of them trainable. */
  parameterCount(): number {
    return this.gpt.numParams();
  }

  // Source ids padded on the right to maxSourceLength, then the target prefix shifted.
  #stream(srcIds: tf.Tensor2D, targetPrefix: tf.Tensor2D): tf.Tensor2D {
    const S = this.maxSourceLength, s = srcIds.shape[1];
    if (s > S) throw new Error(`DecoderOnlySeq2Seq: source of ${s} words, longer than ${S}`);
    const src = s < S ? tf.pad(srcIds, [[0, 0], [0, S - s]]) : srcIds;
    const shifted = tf.add(targetPrefix, tf.scalar(this.sourceVocab.size, "int32"));
    return tf.concat([src, shifted], 1) as tf.Tensor2D;
  }

  // Target-vocabulary logits of the positions that hold the target prefix: (B, t, Vt).
  #targetLogits(stream: tf.Tensor2D, t: number): tf.Tensor3D {
    const B = stream.shape[0], S = this.maxSourceLength;
    const logits = this.gpt.forward(stream);
    return tf.slice(logits, [0, S, this.sourceVocab.size], [B, t, this.targetVocab.size]);
  }

  /** Mean cross-entropy per real target token (`<eos>` included), teacher forced. */
  loss(batch: Seq2SeqBatch): tf.Scalar {
    return tf.tidy(() => {
      const T = batch.targetIn.shape[1];
      const logits = this.#targetLogits(this.#stream(batch.ids, batch.targetIn), T);
      const logp = tf.logSoftmax(logits);
      const picked = tf.sum(tf.mul(logp, tf.oneHot(batch.targetOut, this.targetVocab.size)), -1);
      const mask = batch.targetMask;
      return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1)).reshape(
        [],
      ) as tf.Scalar;
    });
  }

  /** Greedy target ids of a batch of encoded sources, `<eos>` included where it came. */
  greedy(src: EncodedSources): number[][] {
    const B = src.ids.shape[0];
    const ids: number[][] = Array.from({ length: B }, () => []);
    const done = new Array(B).fill(false);
    let prefix: number[][] = Array.from({ length: B }, () => [BOS]);
    for (let t = 0; t < this.maxTargetLength && done.includes(false); t++) {
      const next = tf.tidy(() => {
        const stream = this.#stream(src.ids, tf.tensor2d(prefix, [B, t + 1], "int32"));
        const l = this.#targetLogits(stream, t + 1);
        return tf.argMax(tf.squeeze(tf.slice(l, [0, t, 0], [B, 1, -1]), [1]), 1);
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
    return ids;
  }

  /** Greedy outputs of `sentences`. */
  translate(sentences: readonly string[], options: TranslateOptions = {}): string[] {
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
    this.gpt.dispose();
  }
}
