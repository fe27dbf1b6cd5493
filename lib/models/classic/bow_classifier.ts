/**
 * A bag-of-words logistic regression for two classes: the trivial-model baseline that a
 * fine-tuned transformer must beat on a text-classification task. Each document is the set of
 * token ids it contains (presence, not counts), L2-normalised; the weights are fit by full-batch
 * gradient descent on the mean log-loss plus an L2 penalty. Plain JavaScript, no tensors, and
 * deterministic (no random numbers at all).
 *
 * @module
 */

/**
 * Settings of {@link BowLogistic.fit}.
 *
 * @example
 * ```ts
 * import type { BowOptions } from "./bow_classifier.ts";
 * const o: BowOptions = { vocabSize: 768, l2: 1e-3 };
 * console.log(o.iterations ?? 300);
 * ```
 */
export interface BowOptions {
  /** Ids are in `[0, vocabSize)`. */
  vocabSize: number;
  /** Strength of the L2 penalty on the weights (not on the bias); 1e-3 by default. */
  l2?: number;
  /** Full-batch gradient steps; 300 by default. */
  iterations?: number;
  /** Step size; 2 by default (the features are L2-normalised, so the loss is smooth). */
  lr?: number;
}

/** Distinct ids of a document and the weight each gets (1/sqrt(count of distinct ids)). */
function features(doc: readonly number[], vocabSize: number): { ids: number[]; value: number } {
  const ids = [...new Set(doc)];
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(`BowLogistic: token id ${id} is outside [0, ${vocabSize}).`);
    }
  }
  return { ids, value: ids.length === 0 ? 0 : 1 / Math.sqrt(ids.length) };
}

/**
 * Two-class logistic regression on bag-of-words features.
 *
 * @example
 * ```ts
 * import { BowLogistic } from "./bow_classifier.ts";
 * const docs = [[1, 2], [1, 3], [4, 5], [4, 6]], labels = [0, 0, 1, 1];
 * const m = BowLogistic.fit(docs, labels, { vocabSize: 8 });
 * console.log(m.predict([[1], [4]])); // [0, 1]
 * console.log(m.accuracy(docs, labels)); // 1
 * ```
 */
export class BowLogistic {
  /** One weight per token id. */
  readonly weights: Float64Array;
  /** The intercept. */
  readonly bias: number;

  private constructor(weights: Float64Array, bias: number) {
    this.weights = weights;
    this.bias = bias;
  }

  /** Fits the weights to `docs` (lists of token ids) and their `labels` (0 or 1). */
  static fit(
    docs: readonly (readonly number[])[],
    labels: readonly number[],
    opts: BowOptions,
  ): BowLogistic {
    const n = docs.length;
    if (n === 0 || labels.length !== n) {
      throw new Error(
        `BowLogistic.fit: need as many labels as documents (>= 1); got ${n} and ${labels.length}.`,
      );
    }
    for (const y of labels) {
      if (y !== 0 && y !== 1) throw new Error(`BowLogistic.fit: labels must be 0 or 1, got ${y}.`);
    }
    const V = opts.vocabSize,
      l2 = opts.l2 ?? 1e-3,
      iters = opts.iterations ?? 300,
      lr = opts.lr ?? 2;
    const feats = docs.map((d) => features(d, V));
    const w = new Float64Array(V);
    let b = 0;
    const grad = new Float64Array(V);
    for (let it = 0; it < iters; it++) {
      grad.fill(0);
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const { ids, value } = feats[i];
        let z = b;
        for (const id of ids) z += w[id] * value;
        const err = 1 / (1 + Math.exp(-z)) - labels[i]; // d logloss / dz
        gb += err;
        for (const id of ids) grad[id] += err * value;
      }
      // The penalty as a proximal step: stable for any l2.
      for (let j = 0; j < V; j++) w[j] = (w[j] - lr * grad[j] / n) / (1 + lr * l2);
      b -= lr * gb / n;
    }
    return new BowLogistic(w, b);
  }

  /** Probability of class 1 for each document. */
  probabilities(docs: readonly (readonly number[])[]): number[] {
    return docs.map((d) => {
      const { ids, value } = features(d, this.weights.length);
      let z = this.bias;
      for (const id of ids) z += this.weights[id] * value;
      return 1 / (1 + Math.exp(-z));
    });
  }

  /** The more likely class of each document. */
  predict(docs: readonly (readonly number[])[]): number[] {
    return this.probabilities(docs).map((p) => (p > 0.5 ? 1 : 0));
  }

  /** Share of `docs` whose predicted class equals `labels`. */
  accuracy(docs: readonly (readonly number[])[], labels: readonly number[]): number {
    const pred = this.predict(docs);
    return pred.reduce((a, p, i) => a + (p === labels[i] ? 1 : 0), 0) / docs.length;
  }
}
