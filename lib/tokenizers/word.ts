/**
 * Word-level tokenizer: the notes' `text.split()` with a vocabulary of whole words and one id for
 * every word it has not seen.
 *
 * @module
 */

import {
  checkIds,
  checkText,
  describe,
  expectJSON,
  pySplit,
  stringArrayField,
  type Tokenizer,
} from "./base.ts";

/**
 * Options for {@link WordTokenizer.fromText}.
 *
 * @example
 * ```ts
 * import { WordTokenizer, type WordTokenizerOptions } from "./mod.ts";
 * const opts: WordTokenizerOptions = { vocabSize: 3 };
 * console.log(WordTokenizer.fromText("a a b c", opts).words); // [ "a", "b" ]
 * ```
 */
export interface WordTokenizerOptions {
  /** Largest vocabulary, unknown token included: keeps the most frequent words. Default: all. */
  vocabSize?: number;
  /** The unknown-word token, id 0. Default `"<unk>"`. */
  unknown?: string;
}

/**
 * Splits on whitespace (Python's `str.split()`, as in the notes) and maps each word to an id.
 * Id 0 is the unknown token; the known words follow in sorted order (the notes'
 * `sorted(set(words))`).
 *
 * Decoding joins words with single spaces, so spacing and line breaks are not kept, and unseen
 * words come back as the unknown token: `decode(encode(s)) === s` exactly when `s` is known words
 * separated by single spaces.
 *
 * @example
 * ```ts
 * import { WordTokenizer } from "./mod.ts";
 * const t = WordTokenizer.fromText("le chat est sous la table");
 * console.log(t.encode("la table  est\nrouge")); // [ 3, 6, 2, 0 ]
 * console.log(t.decode(t.encode("la table  est\nrouge"))); // "la table est <unk>"
 * ```
 */
export class WordTokenizer implements Tokenizer {
  /** Known words in id order (id = index + 1). */
  readonly words: readonly string[];
  /** The unknown-word token (id 0). */
  readonly unknown: string;
  readonly #ids = new Map<string, number>();

  /**
   * A tokenizer over exactly these words (no whitespace inside, no duplicates).
   *
   * @example
   * ```ts
   * import { WordTokenizer } from "./mod.ts";
   * console.log(new WordTokenizer(["cat", "the"]).encode("the cat sat")); // [ 2, 1, 0 ]
   * ```
   */
  constructor(words: readonly string[], options: { unknown?: string } = {}) {
    const unknown = options.unknown ?? "<unk>";
    if (
      typeof unknown !== "string" || pySplit(unknown).length !== 1 ||
      pySplit(unknown)[0] !== unknown
    ) {
      throw new Error(
        `WordTokenizer: the unknown token must be one word, got ${describe(unknown)}.`,
      );
    }
    if (!Array.isArray(words)) {
      throw new Error(
        `WordTokenizer needs an array of words, got ${describe(words)}.`,
      );
    }
    this.unknown = unknown;
    words.forEach((w, i) => {
      if (
        typeof w !== "string" || pySplit(w).length !== 1 || pySplit(w)[0] !== w
      ) {
        throw new Error(
          `WordTokenizer: vocabulary entry ${i} is ${describe(w)}, not one word.`,
        );
      }
      if (w === unknown || this.#ids.has(w)) {
        throw new Error(
          `WordTokenizer: word ${describe(w)} is listed twice (or is the unknown token).`,
        );
      }
      this.#ids.set(w, i + 1);
    });
    this.words = [...words];
  }

  /**
   * Vocabulary from a corpus: its whitespace-separated words, the `vocabSize - 1` most frequent
   * ones if a size is given (ties: the word that sorts first), then sorted.
   *
   * @example
   * ```ts
   * import { WordTokenizer } from "./mod.ts";
   * console.log(WordTokenizer.fromText("to be or not to be").words); // [ "be", "not", "or", "to" ]
   * ```
   */
  static fromText(
    corpus: string,
    options: WordTokenizerOptions = {},
  ): WordTokenizer {
    checkText(corpus, "WordTokenizer.fromText");
    const { vocabSize } = options;
    if (
      vocabSize !== undefined && (!Number.isInteger(vocabSize) || vocabSize < 2)
    ) {
      throw new RangeError(
        `WordTokenizer.fromText: vocabSize ${vocabSize} is too small; it needs at least 2 ` +
          `(the unknown token and one word).`,
      );
    }
    const counts = new Map<string, number>();
    for (const w of pySplit(corpus)) counts.set(w, (counts.get(w) ?? 0) + 1);
    counts.delete(options.unknown ?? "<unk>");
    if (counts.size === 0) {
      throw new Error(
        "WordTokenizer.fromText: the corpus has no words (it is empty or only whitespace).",
      );
    }
    let words = [...counts.keys()];
    if (vocabSize !== undefined && words.length > vocabSize - 1) {
      words = words.sort((a, b) => counts.get(b)! - counts.get(a)! || compareCodePoints(a, b))
        .slice(0, vocabSize - 1);
    }
    return new WordTokenizer(words.sort(compareCodePoints), options);
  }

  /**
   * Rebuilds a tokenizer saved with {@link WordTokenizer.toJSON}.
   *
   * @example
   * ```ts
   * import { WordTokenizer } from "./mod.ts";
   * const t = WordTokenizer.fromJSON(WordTokenizer.fromText("a b").toJSON());
   * console.log(t.encode("b a c")); // [ 2, 1, 0 ]
   * ```
   */
  static fromJSON(json: unknown): WordTokenizer {
    const obj = expectJSON(json, "WordTokenizer");
    if (typeof obj.unknown !== "string") {
      throw new Error(
        `WordTokenizer.fromJSON: field "unknown" must be a string.`,
      );
    }
    return new WordTokenizer(stringArrayField(obj, "words", "WordTokenizer"), {
      unknown: obj.unknown,
    });
  }

  /** Known words plus the unknown token. */
  get vocabSize(): number {
    return this.words.length + 1;
  }

  /** `{ [unknown]: 0 }`. */
  get specialTokens(): Record<string, number> {
    return { [this.unknown]: 0 };
  }

  /**
   * Whitespace-separated words to ids; unseen words give 0.
   *
   * @example
   * ```ts
   * import { WordTokenizer } from "./mod.ts";
   * console.log(WordTokenizer.fromText("a b").encode(" b\tz a ")); // [ 2, 0, 1 ]
   * ```
   */
  encode(text: string): number[] {
    checkText(text, "WordTokenizer.encode");
    return pySplit(text).map((w) => this.#ids.get(w) ?? 0);
  }

  /**
   * Ids to words joined by single spaces.
   *
   * @example
   * ```ts
   * import { WordTokenizer } from "./mod.ts";
   * console.log(WordTokenizer.fromText("a b").decode([2, 0, 1])); // "b <unk> a"
   * ```
   */
  decode(ids: ArrayLike<number>): string {
    checkIds(ids, this.vocabSize, "WordTokenizer");
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      out.push(ids[i] === 0 ? this.unknown : this.words[ids[i] - 1]);
    }
    return out.join(" ");
  }

  /**
   * Saves the vocabulary as JSON-safe data.
   *
   * @example
   * ```ts
   * import { WordTokenizer } from "./mod.ts";
   * console.log(WordTokenizer.fromText("b a").toJSON());
   * // { type: "WordTokenizer", version: 1, words: [ "a", "b" ], unknown: "<unk>" }
   * ```
   */
  toJSON(): {
    type: "WordTokenizer";
    version: 1;
    words: string[];
    unknown: string;
  } {
    return {
      type: "WordTokenizer",
      version: 1,
      words: [...this.words],
      unknown: this.unknown,
    };
  }
}

/** Code point order, as Python's sorted() orders strings (and independent of locale). */
function compareCodePoints(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a.codePointAt(i)!, y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
