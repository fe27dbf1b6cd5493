/**
 * word2vec: skip-gram with negative sampling (Mikolov et al., 2013). Each word gets an input
 * vector (its embedding) and an output vector; training pushes the input vector of a word
 * toward the output vectors of the words seen near it and away from those of random words drawn
 * from the unigram distribution raised to 3/4. Nearest neighbours and analogies (b - a + c) are
 * read from the normalised input vectors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";

/**
 * Lower-cased words of a text: runs of letters, with inner apostrophes kept ("o'er", "don't").
 *
 * @example
 * ```ts
 * import { wordTokens } from "./word2vec.ts";
 * console.log(wordTokens("The King's men, O'er the sea!")); // ["the", "king's", "men", "o'er", "the", "sea"]
 * ```
 */
export function wordTokens(text: string): string[] {
  if (typeof text !== "string") {
    throw new Error(`wordTokens needs a string, got ${typeof text}.`);
  }
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)*/g) ?? [];
}

/** Settings of {@link Word2Vec}; every field has a default. */
export interface Word2VecOptions {
  /** Embedding width (default 64). */
  dim?: number;
  /** Largest distance between a word and a context word (default 4); each pair draws 1..window. */
  window?: number;
  /** Negative samples per positive pair (default 5). */
  negatives?: number;
  /** Words seen fewer times are dropped from the vocabulary (default 5). */
  minCount?: number;
  /** Keep at most this many of the most frequent words (default: no limit). */
  maxVocab?: number;
  /**
   * Frequent-word subsampling threshold t (default 1e-4): a word of frequency f is kept with
   * probability min(1, sqrt(t / f) + t / f), so "the" and "and" stop dominating the pairs.
   * 0 disables it.
   */
  subsample?: number;
  /** Seed of the initial vectors and of every sample drawn (default 0). */
  seed?: number;
}

/** A word and its cosine similarity to a query. */
export interface Neighbour {
  /** The word. */
  word: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * A skip-gram model with negative sampling over a word sequence.
 *
 * @example
 * ```ts
 * import { Word2Vec, wordTokens } from "./word2vec.ts";
 * import { trainWord2Vec } from "../../train/word2vec.ts";
 * const text = "the king rules the land . the queen rules the land . ".repeat(50);
 * const w2v = new Word2Vec(wordTokens(text), { dim: 8, minCount: 1, subsample: 0 });
 * await trainWord2Vec(w2v, { steps: 50, batchSize: 64 });
 * console.log(w2v.nearest("king", 2)); // the words sharing its contexts, e.g. queen, first
 * w2v.dispose();
 * ```
 */
export class Word2Vec {
  /** Vocabulary, most frequent first; a word's id is its index. */
  readonly vocab: readonly string[];
  /** Occurrences of each vocabulary word in the training text. */
  readonly counts: Int32Array;
  /** Input vectors (V, dim): the embeddings. */
  readonly inVectors: tf.Variable;
  /** Output (context) vectors (V, dim). */
  readonly outVectors: tf.Variable;
  /** The settings, defaults filled in. */
  readonly options: Readonly<Required<Word2VecOptions>>;
  readonly #index = new Map<string, number>();
  readonly #ids: Int32Array;
  readonly #noise: Int32Array;
  readonly #rng: Rng;
  #unit?: tf.Tensor2D;

  /** Builds the vocabulary from `tokens` and initialises the vectors. */
  constructor(tokens: readonly string[], options: Word2VecOptions = {}) {
    const o: Required<Word2VecOptions> = {
      dim: 64,
      window: 4,
      negatives: 5,
      minCount: 5,
      maxVocab: Infinity,
      subsample: 1e-4,
      seed: 0,
      ...options,
    };
    for (const k of ["dim", "window", "negatives", "minCount"] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) {
        throw new Error(`Word2Vec: ${k} must be a positive integer, got ${o[k]}.`);
      }
    }
    if (!(o.subsample >= 0)) {
      throw new Error(`Word2Vec: subsample must be >= 0 (0 disables it), got ${o.subsample}.`);
    }
    if (!Array.isArray(tokens)) {
      throw new Error(`Word2Vec needs an array of words; split a text with wordTokens(text).`);
    }
    this.options = Object.freeze(o);
    const freq = new Map<string, number>();
    for (const t of tokens) freq.set(t, (freq.get(t) ?? 0) + 1);
    const kept = [...freq].filter(([, n]) => n >= o.minCount)
      // Ties broken alphabetically so the vocabulary does not depend on the text's word order.
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, o.maxVocab);
    if (kept.length < 2) {
      throw new Error(
        `Word2Vec: only ${kept.length} word(s) occur at least minCount=${o.minCount} times in ` +
          `${tokens.length} tokens; use a longer text or a lower minCount.`,
      );
    }
    this.vocab = kept.map(([w]) => w);
    this.counts = Int32Array.from(kept, ([, n]) => n);
    this.vocab.forEach((w, i) => this.#index.set(w, i));
    this.#rng = new Rng(o.seed);
    this.#ids = this.#subsampled(tokens);
    this.#noise = noiseTable(this.counts, 1 << 20);
    const V = this.vocab.length;
    // As in the reference C code: input vectors small and random, output vectors zero.
    const init = new Float32Array(V * o.dim);
    for (let i = 0; i < init.length; i++) init[i] = (this.#rng.uniform() - 0.5) / o.dim;
    // In tidies: tf.variable keeps its own reference, so the initial tensors must be freed.
    this.inVectors = tf.tidy(() => tf.variable(tf.tensor2d(init, [V, o.dim])));
    this.outVectors = tf.tidy(() => tf.variable(tf.zeros([V, o.dim])));
  }

  /** Ids of the training sequence, out-of-vocabulary words dropped, frequent words thinned. */
  #subsampled(tokens: readonly string[]): Int32Array {
    const total = tokens.length;
    const out: number[] = [];
    const t = this.options.subsample;
    for (const w of tokens) {
      const id = this.#index.get(w);
      if (id === undefined) continue;
      if (t > 0) {
        const f = this.counts[id] / total;
        const keep = Math.sqrt(t / f) + t / f;
        if (keep < 1 && this.#rng.uniform() >= keep) continue;
      }
      out.push(id);
    }
    if (out.length < 2) {
      throw new Error(`Word2Vec: fewer than 2 words left after subsampling; lower subsample.`);
    }
    return Int32Array.from(out);
  }

  /** Number of words in the vocabulary. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Length of the (subsampled) training sequence. */
  get trainingWords(): number {
    return this.#ids.length;
  }

  /** Whether `word` is in the vocabulary. */
  has(word: string): boolean {
    return this.#index.has(word);
  }

  /** The id of `word`; throws naming the word when it is not in the vocabulary. */
  id(word: string): number {
    const i = this.#index.get(word);
    if (i === undefined) {
      throw new Error(
        `Word2Vec: "${word}" is not in the vocabulary (${this.vocab.length} words seen at least ` +
          `${this.options.minCount} times); check has(word) first or lower minCount.`,
      );
    }
    return i;
  }

  /**
   * One batch of skip-gram pairs drawn from the model's seeded stream: centres (B) and
   * [context, negatives...] ids (B, 1 + K).
   */
  sampleBatch(B: number): { centres: Int32Array; targets: Int32Array } {
    const { window, negatives: K } = this.options;
    const ids = this.#ids, n = ids.length, rng = this.#rng;
    const centres = new Int32Array(B), targets = new Int32Array(B * (1 + K));
    for (let b = 0; b < B; b++) {
      const i = rng.int(n);
      const reach = 1 + rng.int(window);
      let j = i + (rng.uniform() < 0.5 ? -reach : reach);
      if (j < 0 || j >= n) j = i + (j < 0 ? reach : -reach);
      if (j < 0 || j >= n) j = i === 0 ? 1 : i - 1;
      centres[b] = ids[i];
      targets[b * (1 + K)] = ids[j];
      for (let k = 1; k <= K; k++) {
        targets[b * (1 + K) + k] = this.#noise[rng.int(this.#noise.length)];
      }
    }
    return { centres, targets };
  }

  /** Negative-sampling loss of one batch: -log σ(u_o·v) - Σ_k log σ(-u_k·v), averaged. */
  loss(centres: tf.Tensor1D, targets: tf.Tensor2D): tf.Scalar {
    const K = this.options.negatives;
    const v = tf.gather(this.inVectors, centres); // (B, D)
    const u = tf.gather(this.outVectors, targets.flatten()).reshape([
      targets.shape[0],
      1 + K,
      this.options.dim,
    ]); // (B, 1+K, D)
    const logits = tf.sum(tf.mul(u, v.expandDims(1)), 2); // (B, 1+K)
    const labels = tf.concat([
      tf.ones([targets.shape[0], 1]),
      tf.zeros([targets.shape[0], K]),
    ], 1);
    // Summed over the 1+K terms of a pair, averaged over pairs: the objective of the paper.
    return tf.mul(tf.losses.sigmoidCrossEntropy(labels, logits), 1 + K) as tf.Scalar;
  }

  /**
   * Drops the cached unit-length vectors that {@link nearest} reads; a training loop calls it
   * before it changes the vectors.
   */
  weightsChanged(): void {
    this.#unit?.dispose();
    this.#unit = undefined;
  }

  /** The input vectors normalised to unit length (V, dim), cached until the weights change. */
  #unitVectors(): tf.Tensor2D {
    if (!this.#unit) {
      this.#unit = tf.tidy(() => {
        const norms = tf.norm(this.inVectors, 2, 1, true);
        return tf.div(this.inVectors, tf.maximum(norms, 1e-8)) as tf.Tensor2D;
      });
    }
    return this.#unit;
  }

  /** The embedding of `word` (a copy). */
  vector(word: string): Float32Array {
    const i = this.id(word);
    const row = this.inVectors.slice([i, 0], [1, this.options.dim]);
    const out = row.dataSync() as Float32Array;
    row.dispose();
    return out;
  }

  /**
   * The `k` words closest to a word or a vector by cosine similarity, most similar first.
   * `exclude` words are skipped (a word given as the query is always skipped).
   */
  nearest(query: string | ArrayLike<number>, k = 10, exclude: readonly string[] = []): Neighbour[] {
    const skip = new Set(exclude);
    if (typeof query === "string") skip.add(query);
    const q = typeof query === "string" ? this.vector(query) : Float32Array.from(query);
    if (q.length !== this.options.dim) {
      throw new Error(
        `Word2Vec.nearest: the query has ${q.length} numbers, the vectors ${this.options.dim}.`,
      );
    }
    // Built outside the tidy below, which would otherwise free the cached matrix.
    const all = this.#unitVectors();
    const sims = tf.tidy(() => {
      const v = tf.tensor2d(q, [this.options.dim, 1]);
      const unit = tf.div(v, tf.maximum(tf.norm(v), 1e-8));
      return tf.matMul(all, unit).dataSync() as Float32Array;
    });
    const order = Array.from(sims.keys()).sort((a, b) => sims[b] - sims[a]);
    const out: Neighbour[] = [];
    for (const i of order) {
      if (skip.has(this.vocab[i])) continue;
      out.push({ word: this.vocab[i], similarity: sims[i] });
      if (out.length === k) break;
    }
    return out;
  }

  /**
   * "a is to b as c is to ?": the `k` words nearest to unit(b) - unit(a) + unit(c), the three
   * question words excluded (as in the original evaluation: otherwise b or c usually wins).
   */
  analogy(a: string, b: string, c: string, k = 5): Neighbour[] {
    const [va, vb, vc] = [a, b, c].map((w) => unitArray(this.vector(w)));
    const target = va.map((_, d) => vb[d] - va[d] + vc[d]);
    return this.nearest(target, k, [a, b, c]);
  }

  /** Frees the vectors. */
  dispose(): void {
    this.#unit?.dispose();
    this.inVectors.dispose();
    this.outVectors.dispose();
  }
}

function unitArray(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

/** A table where each id fills a share of slots proportional to count^(3/4). */
function noiseTable(counts: Int32Array, size: number): Int32Array {
  const weights = Array.from(counts, (c) => Math.pow(c, 0.75));
  const total = weights.reduce((a, b) => a + b, 0);
  const table = new Int32Array(size);
  let id = 0, cum = weights[0] / total;
  for (let i = 0; i < size; i++) {
    table[i] = id;
    if ((i + 1) / size > cum && id < counts.length - 1) cum += weights[++id] / total;
  }
  return table;
}

/** One analogy question "a : b :: c : expected". */
export interface AnalogyQuestion {
  /** First word of the known pair. */
  a: string;
  /** Second word of the known pair. */
  b: string;
  /** First word of the asked pair. */
  c: string;
  /** The answer. */
  expected: string;
}

/** Result of {@link evaluateAnalogies}. */
export interface AnalogyScore {
  /** Questions whose four words are all in the vocabulary. */
  asked: number;
  /** Questions skipped because a word is missing. */
  skipped: number;
  /** Share of asked questions whose answer is the top word. */
  acc1: number;
  /** Share whose answer is among the top 5. */
  acc5: number;
  /** acc@1 of guessing uniformly among the other V - 3 words: 1 / (V - 3). */
  random1: number;
  /** acc@5 of that guess: 5 / (V - 3). */
  random5: number;
  /** Per question: the top 5 words. */
  answers: { question: AnalogyQuestion; top: string[] }[];
}

/**
 * Accuracy@1 and @5 of {@link Word2Vec.analogy} on `questions`, next to a random guess.
 *
 * @example
 * ```ts
 * import { evaluateAnalogies, Word2Vec, wordTokens } from "./word2vec.ts";
 * const w2v = new Word2Vec(wordTokens("a b c d e f g h ".repeat(20)), { dim: 4, minCount: 1, subsample: 0 });
 * const s = evaluateAnalogies(w2v, [{ a: "a", b: "b", c: "c", expected: "d" }]);
 * console.log(s.asked, s.random1); // 1 0.2
 * w2v.dispose();
 * ```
 */
export function evaluateAnalogies(
  model: Word2Vec,
  questions: readonly AnalogyQuestion[],
): AnalogyScore {
  let hit1 = 0, hit5 = 0, skipped = 0;
  const answers: AnalogyScore["answers"] = [];
  for (const q of questions) {
    if (![q.a, q.b, q.c, q.expected].every((w) => model.has(w))) {
      skipped++;
      continue;
    }
    const top = model.analogy(q.a, q.b, q.c, 5).map((n) => n.word);
    if (top[0] === q.expected) hit1++;
    if (top.includes(q.expected)) hit5++;
    answers.push({ question: q, top });
  }
  const asked = answers.length, pool = model.vocabSize - 3;
  return {
    asked,
    skipped,
    acc1: asked ? hit1 / asked : 0,
    acc5: asked ? hit5 / asked : 0,
    random1: 1 / pool,
    random5: Math.min(1, 5 / pool),
    answers,
  };
}
