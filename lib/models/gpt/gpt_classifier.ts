/**
 * GPT-1's fine-tuning recipe: a linear layer on the final hidden state of each sequence's last
 * token (the "extract" token) predicts the label, and the language-modeling loss on the same
 * text is added with weight λ (0.5 in the paper) so that the pre-trained skill is kept.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { filledVariable, normalVariable } from "../../nn/init.ts";
import type { GPT } from "./gpt.ts";

/**
 * A batch of right-padded token sequences with their true lengths and labels.
 *
 * @example
 * ```ts
 * import type { ClassBatch } from "./gpt_classifier.ts";
 * const b: ClassBatch = { ids: [[5, 6, 7], [5, 8, 0]], lengths: [3, 2], labels: [1, 0] };
 * console.log(b.ids.length);
 * ```
 */
export interface ClassBatch {
  /** (B, T) ids; positions at and after `lengths[b]` are padding (any valid id). */
  ids: number[][];
  /** Tokens in each row before the padding (>= 1); the last one is read by the head. */
  lengths: number[];
  /** Class of each row, in `[0, nClasses)`. */
  labels: number[];
}

/**
 * A GPT with a classification head. `params` holds the GPT's weights plus `cls.weight` (C, K)
 * and `cls.bias` (K), so one optimizer updates both.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "./gpt.ts";
 * import { GPTClassifier } from "./gpt_classifier.ts";
 * const clf = new GPTClassifier(new GPT(gptConfig("notes-small", { vocabSize: 10 })), 2);
 * const b = { ids: [[1, 2, 3], [4, 5, 0]], lengths: [3, 2], labels: [1, 0] };
 * clf.loss(b).print(); // about ln 2 + 0.5 * ln 10
 * console.log(clf.predict(b)); // two labels
 * clf.dispose();
 * ```
 */
export class GPTClassifier {
  /** The transformer (pre-trained or fresh); owned and disposed by the classifier. */
  readonly gpt: GPT;
  /** Number of classes. */
  readonly nClasses: number;
  /** Weight of the auxiliary language-modeling loss (GPT-1: 0.5; 0 turns it off). */
  readonly lmWeight: number;
  /** All trainable weights: the GPT's and the head's. */
  readonly params: Map<string, tf.Variable>;

  constructor(gpt: GPT, nClasses: number, opts: { lmWeight?: number; seed?: number } = {}) {
    if (!Number.isInteger(nClasses) || nClasses < 2) {
      throw new Error(`GPTClassifier: nClasses must be an integer >= 2, got ${nClasses}.`);
    }
    this.gpt = gpt;
    this.nClasses = nClasses;
    this.lmWeight = opts.lmWeight ?? 0.5;
    const C = gpt.config.nEmbd;
    // Variables that own their data: tf.variable copies its initial tensor, which would leak.
    this.params = new Map(gpt.params);
    this.params.set("cls.weight", normalVariable(new Rng(opts.seed ?? 0), [C, nClasses], 0.02));
    this.params.set("cls.bias", filledVariable([nClasses], 0));
  }

  #check(b: ClassBatch): void {
    const B = b.ids.length;
    if (B === 0 || b.lengths.length !== B || b.labels.length !== B) {
      throw new Error(
        `GPTClassifier: a batch needs as many lengths and labels as rows; got ${B} rows, ` +
          `${b.lengths.length} lengths, ${b.labels.length} labels.`,
      );
    }
    const T = b.ids[0].length;
    for (let i = 0; i < B; i++) {
      if (b.ids[i].length !== T) {
        throw new Error(`GPTClassifier: row ${i} has ${b.ids[i].length} ids, row 0 has ${T}; pad.`);
      }
      if (!(b.lengths[i] >= 1 && b.lengths[i] <= T)) {
        throw new Error(`GPTClassifier: lengths[${i}] = ${b.lengths[i]} is not in [1, ${T}].`);
      }
      if (!Number.isInteger(b.labels[i]) || b.labels[i] < 0 || b.labels[i] >= this.nClasses) {
        throw new Error(
          `GPTClassifier: labels[${i}] = ${b.labels[i]} is not in [0, ${this.nClasses}).`,
        );
      }
    }
  }

  /** Class logits (B, K) and the final hidden states (B*T, C). */
  #logits(b: ClassBatch, training: boolean, seed?: number) {
    const B = b.ids.length, T = b.ids[0].length;
    const idx = tf.tensor2d(b.ids.flat(), [B, T], "int32");
    const h = this.gpt.hidden(idx, { training, seed });
    // Row b*T + len-1 holds the last real token; causal attention kept it blind to the padding.
    const last = tf.gather(h, tf.tensor1d(b.lengths.map((n, i) => i * T + n - 1), "int32"));
    const logits = tf.add(
      tf.matMul(last, this.params.get("cls.weight")!),
      this.params.get("cls.bias")!,
    ) as tf.Tensor2D;
    return { logits, h, idx };
  }

  /**
   * Classification cross-entropy plus `lmWeight` times the mean next-token cross-entropy over
   * the real (non-padding) tokens: L3 = L2 + λ·L1 in the paper's notation.
   */
  loss(b: ClassBatch, opts: { training?: boolean; seed?: number } = {}): tf.Scalar {
    this.#check(b);
    return tf.tidy(() => {
      const { logits, h } = this.#logits(b, opts.training ?? false, opts.seed);
      const cls = tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.tensor1d(b.labels, "int32"), this.nClasses),
        logits,
      ) as tf.Scalar;
      if (this.lmWeight === 0) return cls;
      const T = b.ids[0].length;
      const rows: number[] = [], targets: number[] = [];
      b.ids.forEach((r, i) => {
        for (let t = 0; t + 1 < b.lengths[i]; t++) {
          rows.push(i * T + t);
          targets.push(r[t + 1]);
        }
      });
      if (rows.length === 0) return cls;
      const hs = tf.gather(h, tf.tensor1d(rows, "int32"));
      const lmLogits = tf.matMul(hs, this.gpt.params.get("transformer.wte.weight")!, false, true);
      const lm = tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.tensor1d(targets, "int32"), this.gpt.config.vocabSize),
        lmLogits,
      );
      return tf.add(cls, tf.mul(lm, this.lmWeight)) as tf.Scalar;
    });
  }

  /** Class probabilities (B, K) as numbers. */
  probabilities(b: ClassBatch): number[][] {
    this.#check({ ...b, labels: b.labels ?? b.ids.map(() => 0) });
    return tf.tidy(() => tf.softmax(this.#logits(b, false).logits).arraySync() as number[][]);
  }

  /** The most likely class of each row. */
  predict(b: Omit<ClassBatch, "labels"> & { labels?: number[] }): number[] {
    const full = { ...b, labels: b.labels ?? b.ids.map(() => 0) };
    return this.probabilities(full).map((p) => p.indexOf(Math.max(...p)));
  }

  /** Frees the GPT and the head. */
  dispose(): void {
    this.gpt.dispose();
    this.params.get("cls.weight")?.dispose();
    this.params.get("cls.bias")?.dispose();
    this.params.clear();
  }
}

/**
 * Examples as GPT-1 feeds them: `[start] + tokens + [extract]`, cut to `blockSize` (the text is
 * truncated, the two markers kept), right-padded with `padId`.
 *
 * @example
 * ```ts
 * import { classBatch } from "./gpt_classifier.ts";
 * const b = classBatch([[7, 8, 9], [7]], [1, 0], { startId: 1, extractId: 2, padId: 0, blockSize: 4 });
 * console.log(b.ids, b.lengths); // [[1, 7, 8, 2], [1, 7, 2, 0]] [4, 3]
 * ```
 */
export function classBatch(
  tokens: readonly number[][],
  labels: readonly number[],
  opts: { startId: number; extractId: number; padId: number; blockSize: number },
): ClassBatch {
  if (opts.blockSize < 3) {
    throw new Error(`classBatch: blockSize ${opts.blockSize} leaves no room for text (>= 3).`);
  }
  const room = opts.blockSize - 2;
  const seqs = tokens.map((t) => [opts.startId, ...t.slice(0, room), opts.extractId]);
  const T = Math.max(...seqs.map((s) => s.length));
  return {
    ids: seqs.map((s) => [...s, ...Array(T - s.length).fill(opts.padId)]),
    lengths: seqs.map((s) => s.length),
    labels: [...labels],
  };
}

/**
 * Accuracy of `clf` on `data`, evaluated in batches of `batchSize`.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "./gpt.ts";
 * import { accuracy, classBatch, GPTClassifier } from "./gpt_classifier.ts";
 * const clf = new GPTClassifier(new GPT(gptConfig("notes-small", { vocabSize: 10 })), 2);
 * const data = classBatch([[3, 4], [5, 6]], [0, 1], { startId: 1, extractId: 2, padId: 0, blockSize: 8 });
 * console.log(accuracy(clf, data)); // 0, 0.5 or 1
 * clf.dispose();
 * ```
 */
export function accuracy(clf: GPTClassifier, data: ClassBatch, batchSize = 64): number {
  let right = 0;
  for (let i = 0; i < data.ids.length; i += batchSize) {
    const j = Math.min(i + batchSize, data.ids.length);
    const lengths = data.lengths.slice(i, j);
    const T = Math.max(...lengths);
    const pred = clf.predict({ ids: data.ids.slice(i, j).map((r) => r.slice(0, T)), lengths });
    pred.forEach((p, k) => {
      if (p === data.labels[i + k]) right++;
    });
  }
  return right / data.ids.length;
}
