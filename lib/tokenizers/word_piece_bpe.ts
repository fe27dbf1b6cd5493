/**
 * The notes' tokenizer: Python's `bpe` package (`from bpe import Encoder`), rebuilt in
 * TypeScript. A vocabulary of the most frequent whole words, plus a sub-word part for every other
 * word, spelled between `__sow` (start of word) and `__eow` (end of word) markers.
 *
 * @module
 */

import {
  checkText,
  describe,
  expectJSON,
  PY_WHITESPACE,
  pySplit,
  pyStrip,
  type Tokenizer,
} from "./base.ts";
import { rankNgrams, rankWords } from "./word_piece_bpe_fit.ts";

/**
 * How {@link WordPieceBPE} cuts a sentence into words: `"wordpunct"` (the package's default,
 * NLTK's `wordpunct_tokenize`: runs of word characters or runs of punctuation), `"whitespace"`
 * (Python's `str.split()`), or your own function.
 *
 * @example
 * ```ts
 * import { type WordSplitter, wordpunctTokenize } from "./mod.ts";
 * const split: WordSplitter = "wordpunct";
 * console.log(split, wordpunctTokenize("didn't stop!")); // wordpunct [ "didn", "'", "t", "stop", "!" ]
 * ```
 */
export type WordSplitter =
  | "wordpunct"
  | "whitespace"
  | ((sentence: string) => string[]);

const WORDPUNCT = new RegExp(
  `[\\p{L}\\p{N}_]+|[^\\p{L}\\p{N}_${PY_WHITESPACE}]+`,
  "gu",
);

/**
 * NLTK's `wordpunct_tokenize`: the regex `\w+|[^\w\s]+` with Python's Unicode `\w` (letters,
 * digits, underscore) and `\s`.
 *
 * @example
 * ```ts
 * import { wordpunctTokenize } from "./mod.ts";
 * console.log(wordpunctTokenize("We know't, we know't.")); // [ "We", "know", "'", "t", ",", "we", "know", "'", "t", "." ]
 * ```
 */
export function wordpunctTokenize(sentence: string): string[] {
  return sentence.match(WORDPUNCT) ?? [];
}

/**
 * Options of {@link WordPieceBPE}, named and defaulted as the Python package's `Encoder(...)`.
 * (Its `silent` option only hides a progress bar and is not needed here.)
 *
 * @example
 * ```ts
 * import { WordPieceBPE, type WordPieceBPEOptions } from "./mod.ts";
 * const opts: WordPieceBPEOptions = { vocabSize: 200, pctBpe: 0.88 };
 * console.log(new WordPieceBPE(opts).wordVocabSize); // 24
 * ```
 */
export interface WordPieceBPEOptions {
  /** Total ids, words plus sub-words. Default 8192. */
  vocabSize?: number;
  /** Share of `vocabSize` given to sub-words. Default 0.2. */
  pctBpe?: number;
  /** Word splitter. Default `"wordpunct"`. */
  wordTokenizer?: WordSplitter;
  /** Shortest character n-gram counted as a sub-word (besides single characters). Default 2. */
  ngramMin?: number;
  /** Longest character n-gram, and the longest piece encoding tries. Default 2. */
  ngramMax?: number;
  /** Extra words that must be in the word vocabulary (after PAD and UNK). Default none. */
  requiredTokens?: readonly string[];
  /** Decoding throws on a malformed `__sow ... __eow` sequence instead of doing its best. Default false. */
  strict?: boolean;
  /** Lowercase text before fitting and encoding. Default true. */
  lowercase?: boolean;
  /** End-of-word marker. Default `"__eow"`. */
  EOW?: string;
  /** Start-of-word marker. Default `"__sow"`. */
  SOW?: string;
  /** Unknown token. Default `"__unk"`. */
  UNK?: string;
  /** Padding token. Default `"__pad"`. */
  PAD?: string;
}

type Settings =
  & Required<Omit<WordPieceBPEOptions, "wordTokenizer" | "requiredTokens">>
  & {
    requiredTokens: string[];
  };

/**
 * Word vocabulary plus character n-gram "BPE" vocabulary, as the notes' `bpe.Encoder`.
 *
 * How it learns (`fit`): lines are lowercased, stripped and split into words. The
 * `vocabSize * (1 - pctBpe)` most frequent words (PAD and UNK first) get ids 0, 1, 2, ... The
 * remaining words are counted as character n-grams: every single character and every run of
 * `ngramMin..ngramMax` characters; `__sow`, `__eow` and the most frequent n-grams fill the
 * sub-word part, whose ids start at `wordVocabSize`. Despite the package's name this is
 * frequency ranking of n-grams, not iterative pair merging (see {@link ByteBPE} for real BPE).
 *
 * How it encodes: a known word is one id; any other word becomes `__sow`, then greedy
 * longest-first pieces of at most `ngramMax` characters (a character with no piece becomes
 * `__unk`), then `__eow`. Decoding rebuilds words and joins them with single spaces, so
 * `decode(encode(s))` is `s` lowercased with one space between words (and between words and
 * punctuation), given that every character of `s` was seen in training.
 *
 * Differences from the Python package, on purpose:
 * - ids of the required tokens are fixed (PAD 0, UNK 1, then `requiredTokens` in order); Python
 *   orders them by a `set`, which can change between runs.
 * - counts are exact: Python prunes its n-gram table to the top `10 * bpe size` every 10,000
 *   distinct words to save memory, which at the default `ngramMax` 2 never changes the result.
 * - a sub-word part too small for `__sow`, `__eow` and every character of the out-of-vocabulary
 *   words is an error here; Python silently encodes those characters as `__unk`.
 * - a word left open at the end (`__sow` with no `__eow`, as in a truncated or generated
 *   sequence) is decoded as far as it goes; Python drops it.
 * - `\w` and `\s` follow Python's definitions through Unicode property classes, close to but not
 *   guaranteed identical to CPython's tables for rare characters.
 *
 * @example
 * ```ts
 * import { WordPieceBPE } from "./mod.ts";
 * // The notes: `encoder = Encoder(); encoder.fit(text.split('\n'))`, here with a tiny vocabulary.
 * const encoder = new WordPieceBPE({ vocabSize: 40, pctBpe: 0.9 }); // 3 word ids, 37 sub-word ids
 * encoder.fit(["the cat sat on the mat", "the dog sat on the log"]);
 * console.log(encoder.tokenize("The cats sat"));
 * // [ "the", "__sow", "ca", "t", "s", "__eow", "__sow", "sa", "t", "__eow" ]
 * console.log(encoder.decode(encoder.encode("The cats sat"))); // "the cats sat"
 * console.log(encoder.bpeVocabView(5)); // "'__sow' : 3, '__eow' : 4, 'a' : 5, 't' : 6, 'at' : 7"
 * ```
 */
export class WordPieceBPE implements Tokenizer {
  /** Ids reserved for whole words: `int(vocabSize * (1 - pctBpe))`, at least the required tokens. */
  readonly wordVocabSize: number;
  /** Ids available for sub-words: `vocabSize - wordVocabSize`. */
  readonly bpeVocabSize: number;
  readonly #s: Settings;
  readonly #split: (sentence: string) => string[];
  readonly #splitName: "wordpunct" | "whitespace" | "custom";
  #words = new Map<string, number>();
  #pieces = new Map<string, number>();
  #wordById: string[] = [];
  #pieceById: string[] = [];

  /**
   * An unfitted encoder; call {@link WordPieceBPE.fit} next.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE(); // vocabSize 8192, pctBpe 0.2
   * console.log(encoder.wordVocabSize, encoder.bpeVocabSize); // 6553 1639
   * ```
   */
  constructor(options: WordPieceBPEOptions = {}) {
    const s: Settings = {
      vocabSize: options.vocabSize ?? 8192,
      pctBpe: options.pctBpe ?? 0.2,
      ngramMin: options.ngramMin ?? 2,
      ngramMax: options.ngramMax ?? 2,
      strict: options.strict ?? false,
      lowercase: options.lowercase ?? true,
      EOW: options.EOW ?? "__eow",
      SOW: options.SOW ?? "__sow",
      UNK: options.UNK ?? "__unk",
      PAD: options.PAD ?? "__pad",
      requiredTokens: [],
    };
    if (!Number.isInteger(s.vocabSize) || s.vocabSize < 1) {
      throw new RangeError(
        `WordPieceBPE: vocabSize must be a positive integer, got ${s.vocabSize}.`,
      );
    }
    if (!(s.pctBpe >= 0 && s.pctBpe <= 1)) {
      throw new RangeError(
        `WordPieceBPE: pctBpe must be between 0 and 1, got ${s.pctBpe}.`,
      );
    }
    if (
      !Number.isInteger(s.ngramMin) || !Number.isInteger(s.ngramMax) ||
      s.ngramMin < 1 || s.ngramMax < s.ngramMin
    ) {
      throw new RangeError(
        `WordPieceBPE: need 1 <= ngramMin <= ngramMax, got ${s.ngramMin} and ${s.ngramMax}.`,
      );
    }
    for (const k of ["EOW", "SOW", "UNK", "PAD"] as const) {
      if (typeof s[k] !== "string" || s[k] === "") {
        throw new Error(`WordPieceBPE: ${k} must be a non-empty string.`);
      }
    }
    if (new Set([s.EOW, s.SOW, s.UNK, s.PAD]).size !== 4) {
      throw new Error(
        `WordPieceBPE: EOW, SOW, UNK and PAD must be four different strings.`,
      );
    }
    s.requiredTokens = [
      ...new Set([s.PAD, s.UNK, ...(options.requiredTokens ?? [])]),
    ];
    this.#s = s;
    const split = options.wordTokenizer ?? "wordpunct";
    if (split === "wordpunct") this.#split = wordpunctTokenize;
    else if (split === "whitespace") this.#split = pySplit;
    else if (typeof split === "function") this.#split = split;
    else {throw new Error(
        `WordPieceBPE: wordTokenizer must be "wordpunct", "whitespace" or a function, got ${
          describe(split)
        }.`,
      );}
    this.#splitName = typeof split === "function" ? "custom" : split;
    this.wordVocabSize = Math.max(
      Math.floor(s.vocabSize * (1 - s.pctBpe)),
      s.requiredTokens.length,
    );
    this.bpeVocabSize = s.vocabSize - this.wordVocabSize;
    if (this.bpeVocabSize < 2) {
      throw new RangeError(
        `WordPieceBPE: vocabSize ${s.vocabSize} with pctBpe ${s.pctBpe} leaves ${this.bpeVocabSize} ` +
          `sub-word ids, but ${s.SOW} and ${s.EOW} alone need 2; raise vocabSize or pctBpe.`,
      );
    }
  }

  /**
   * Learns both vocabularies from sentences (the notes pass `text.split("\n")`). Returns `this`.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 30, pctBpe: 0.5 }).fit(["a rose is a rose"]);
   * console.log([...encoder.wordVocab.keys()]); // [ "__pad", "__unk", "a", "rose", "is" ]
   * ```
   */
  fit(lines: readonly string[]): this {
    if (!Array.isArray(lines)) {
      throw new Error(
        `WordPieceBPE.fit expects an array of lines (e.g. text.split("\\n")), got ${
          describe(lines)
        }.`,
      );
    }
    const s = this.#s;
    const sentences = lines.map((l, i) => {
      if (typeof l !== "string") {
        throw new Error(
          `WordPieceBPE.fit: line ${i} is ${describe(l)}, not a string.`,
        );
      }
      return this.#split(pyStrip(s.lowercase ? l.toLowerCase() : l));
    });
    const words = rankWords(sentences, s.requiredTokens, this.wordVocabSize);
    if (sentences.every((ws) => ws.length === 0)) {
      throw new Error(
        "WordPieceBPE.fit: the corpus has no words (no lines, or only whitespace).",
      );
    }
    const { pieces, alphabet } = rankNgrams(
      sentences,
      new Set(words),
      s,
      this.bpeVocabSize,
    );
    if (this.bpeVocabSize < 2 + alphabet) {
      throw new RangeError(
        `WordPieceBPE.fit: the sub-word part has ${this.bpeVocabSize} ids, fewer than ${s.SOW}, ` +
          `${s.EOW} and the ${alphabet} characters of out-of-vocabulary words; raise ` +
          `vocabSize or pctBpe (or every unseen character would become ${s.UNK}).`,
      );
    }
    this.#setVocab(words, pieces);
    return this;
  }

  /** Whole-word vocabulary, word to id, in id order. */
  get wordVocab(): ReadonlyMap<string, number> {
    return this.#words;
  }

  /** Sub-word vocabulary (the package's `bpe_vocab`), piece to id, in id order. */
  get bpeVocab(): ReadonlyMap<string, number> {
    return this.#pieces;
  }

  /** One past the largest id: `wordVocabSize` + learned sub-words (the notes' `vocab_size`). */
  get vocabSize(): number {
    return this.wordVocabSize + this.#pieceById.length;
  }

  /** PAD, UNK, SOW, EOW and any required tokens, with their ids. */
  get specialTokens(): Record<string, number> {
    const s = this.#s, out: Record<string, number> = {};
    for (const t of s.requiredTokens) {
      if (this.#words.has(t)) out[t] = this.#words.get(t)!;
    }
    for (const t of [s.SOW, s.EOW]) {
      if (this.#pieces.has(t)) out[t] = this.#pieces.get(t)!;
    }
    return out;
  }

  /**
   * The first `count` sub-word entries as the notes print them:
   * `', '.join([f"'{k}' : {v}" for k, v in encoder.bpe_vocab.items()][:100])`.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * console.log(encoder.bpeVocabView(4)); // "'__sow' : 2, '__eow' : 3, 'a' : 4, 'b' : 5"
   * ```
   */
  bpeVocabView(count = 100): string {
    return [...this.#pieces].slice(0, count).map(([k, v]) => `'${k}' : ${v}`)
      .join(", ");
  }

  /**
   * A sentence as tokens: known words, or `__sow` + pieces + `__eow` (the package's `tokenize`).
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * console.log(encoder.tokenize("AB abc!"));
   * // [ "__sow", "ab", "__eow", "__sow", "ab", "c", "__eow", "__sow", "__unk", "__eow" ]
   * ```
   */
  tokenize(sentence: string): string[] {
    this.#fitted("tokenize");
    checkText(sentence, "WordPieceBPE.tokenize");
    const out: string[] = [];
    for (const word of this.#words_of(sentence)) {
      if (this.#words.has(word)) out.push(word);
      else out.push(this.#s.SOW, ...this.#pieces_of(word), this.#s.EOW);
    }
    return out;
  }

  /**
   * Text to ids: {@link WordPieceBPE.tokenize}, then each token's id (pieces with no id use UNK's).
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * console.log(encoder.encode("ab abc")); // [ 2, 6, 3, 2, 6, 7, 3 ]
   * ```
   */
  encode(text: string): number[] {
    this.#fitted("encode");
    checkText(text, "WordPieceBPE.encode");
    const s = this.#s, unk = this.#words.get(s.UNK)!;
    const out: number[] = [];
    for (const word of this.#words_of(text)) {
      const id = this.#words.get(word);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      out.push(this.#pieces.get(s.SOW)!);
      for (const p of this.#pieces_of(word)) {
        out.push(this.#pieces.get(p) ?? unk);
      }
      out.push(this.#pieces.get(s.EOW)!);
    }
    return out;
  }

  /**
   * The package's `transform`: encode each sentence, optionally cut or padded (with PAD) to
   * `fixedLength`, optionally reversed.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * console.log(encoder.transform(["ab", "ab ab"], { fixedLength: 4 })); // [ [ 2, 6, 3, 0 ], [ 2, 6, 3, 2 ] ]
   * ```
   */
  transform(
    sentences: readonly string[],
    options: { reverse?: boolean; fixedLength?: number } = {},
  ): number[][] {
    const { reverse = false, fixedLength } = options;
    if (
      fixedLength !== undefined &&
      (!Number.isInteger(fixedLength) || fixedLength < 0)
    ) {
      throw new RangeError(
        `WordPieceBPE.transform: fixedLength must be a non-negative integer, got ${fixedLength}.`,
      );
    }
    return sentences.map((sentence) => {
      let ids = this.encode(sentence);
      if (fixedLength !== undefined) {
        ids = ids.slice(0, fixedLength);
        while (ids.length < fixedLength) {
          ids.push(this.#words.get(this.#s.PAD)!);
        }
      }
      return reverse ? ids.reverse() : ids;
    });
  }

  /**
   * Ids to text: words joined by single spaces (the package's `inverse_transform` for one row).
   * Throws on an id that is in neither vocabulary, and, when `strict`, on a `__sow` without its
   * `__eow` or a sub-word outside a word.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * console.log(encoder.decode([2, 6, 3, 2, 6, 7, 3])); // "ab abc"
   * ```
   */
  decode(ids: ArrayLike<number>): string {
    this.#fitted("decode");
    if (
      ids === null || typeof ids !== "object" || typeof ids.length !== "number"
    ) {
      throw new Error(
        `WordPieceBPE.decode expects an array of token ids, got ${describe(ids)}.`,
      );
    }
    const s = this.#s, words: string[] = [];
    let building = false, current = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const piece = this.#pieceById[id - this.wordVocabSize],
        word = this.#wordById[id];
      if (piece === undefined && word === undefined) {
        throw new RangeError(
          `WordPieceBPE.decode: token id ${
            describe(id)
          } at position ${i} is in neither vocabulary ` +
            `(words 0..${this.#wordById.length - 1}, sub-words ${this.wordVocabSize}..${
              this.vocabSize - 1
            }).`,
        );
      }
      if (piece === s.SOW) {
        if (building && s.strict) {
          throw new Error(
            `WordPieceBPE.decode: ${s.SOW} at position ${i} before the previous word's ${s.EOW}.`,
          );
        }
        building = true;
      } else if (piece === s.EOW) {
        if (!building && s.strict) {
          throw new Error(
            `WordPieceBPE.decode: ${s.EOW} at position ${i} without a ${s.SOW}.`,
          );
        }
        building = false;
        words.push(current);
        current = "";
      } else if (building) {
        current += piece ?? word;
      } else if (word !== undefined) {
        words.push(word);
      } else if (s.strict) {
        throw new Error(
          `WordPieceBPE.decode: sub-word id ${id} at position ${i} outside ${s.SOW} ... ${s.EOW}.`,
        );
      } else {
        words.push(piece);
      }
    }
    if (building) { // cut off before its __eow, e.g. a generated sequence: keep what is there
      if (s.strict) {
        throw new Error(
          `WordPieceBPE.decode: the last word has ${s.SOW} but no ${s.EOW}.`,
        );
      }
      words.push(current);
    }
    return words.filter((w) => w !== "").join(" ");
  }

  /**
   * The package's `inverse_transform`: {@link WordPieceBPE.decode} for each row.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * console.log(encoder.inverseTransform(encoder.transform(["abc ab"]))); // [ "abc ab" ]
   * ```
   */
  inverseTransform(rows: readonly ArrayLike<number>[]): string[] {
    return rows.map((row) => this.decode(row));
  }

  /**
   * Saves settings and both vocabularies. A custom `wordTokenizer` function cannot be saved; pass
   * it again to {@link WordPieceBPE.fromJSON}.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const json = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]).toJSON();
   * console.log(json.words, json.bytePairs.slice(0, 3)); // [ "__pad", "__unk" ] [ "__sow", "__eow", "a" ]
   * ```
   */
  toJSON(): {
    type: "WordPieceBPE";
    version: 1;
    options: Settings & {
      wordTokenizer: "wordpunct" | "whitespace" | "custom";
    };
    words: string[];
    bytePairs: string[];
  } {
    this.#fitted("toJSON");
    return {
      type: "WordPieceBPE",
      version: 1,
      options: {
        ...this.#s,
        requiredTokens: [...this.#s.requiredTokens],
        wordTokenizer: this.#splitName,
      },
      words: [...this.#wordById],
      bytePairs: [...this.#pieceById],
    };
  }

  /**
   * Rebuilds an encoder saved with {@link WordPieceBPE.toJSON}.
   *
   * @example
   * ```ts
   * import { WordPieceBPE } from "./mod.ts";
   * const a = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit(["ab ab abc"]);
   * const b = WordPieceBPE.fromJSON(JSON.parse(JSON.stringify(a)));
   * console.log(b.encode("abc ab")); // same as a.encode("abc ab")
   * ```
   */
  static fromJSON(
    json: unknown,
    extra: { wordTokenizer?: (sentence: string) => string[] } = {},
  ): WordPieceBPE {
    const obj = expectJSON(json, "WordPieceBPE");
    const { options, words, bytePairs } = obj as Record<string, unknown>;
    if (options === null || typeof options !== "object") {
      throw new Error(`WordPieceBPE.fromJSON: field "options" is missing.`);
    }
    const o = options as Omit<WordPieceBPEOptions, "wordTokenizer"> & {
      wordTokenizer: unknown;
    };
    let split: WordSplitter;
    if (o.wordTokenizer === "custom") {
      if (extra.wordTokenizer === undefined) {
        throw new Error(
          `WordPieceBPE.fromJSON: this encoder used a custom word tokenizer; pass it as { wordTokenizer }.`,
        );
      }
      split = extra.wordTokenizer;
    } else if (
      o.wordTokenizer === "wordpunct" || o.wordTokenizer === "whitespace"
    ) {
      split = o.wordTokenizer;
    } else {throw new Error(
        `WordPieceBPE.fromJSON: unknown wordTokenizer ${describe(o.wordTokenizer)}.`,
      );}
    const isStrings = (v: unknown): v is string[] =>
      Array.isArray(v) && v.every((x) => typeof x === "string");
    if (!isStrings(words) || !isStrings(bytePairs)) {
      throw new Error(
        `WordPieceBPE.fromJSON: fields "words" and "bytePairs" must be arrays of strings.`,
      );
    }
    const encoder = new WordPieceBPE({ ...o, wordTokenizer: split });
    const s = encoder.#s;
    if (
      words.length > encoder.wordVocabSize ||
      bytePairs.length > encoder.bpeVocabSize
    ) {
      throw new Error(
        `WordPieceBPE.fromJSON: vocabularies are larger than vocabSize ${s.vocabSize} allows.`,
      );
    }
    if (
      !s.requiredTokens.every((t, i) => words[i] === t) ||
      bytePairs[0] !== s.SOW || bytePairs[1] !== s.EOW
    ) {
      throw new Error(
        `WordPieceBPE.fromJSON: vocabularies do not start with the required/marker tokens.`,
      );
    }
    encoder.#setVocab(words, bytePairs);
    return encoder;
  }

  #setVocab(words: string[], pieces: string[]): void {
    this.#wordById = words;
    this.#pieceById = pieces;
    this.#words = new Map(words.map((w, i) => [w, i]));
    this.#pieces = new Map(pieces.map((p, i) => [p, i + this.wordVocabSize]));
    if (
      this.#words.size !== words.length || this.#pieces.size !== pieces.length
    ) {
      throw new Error("WordPieceBPE: a vocabulary lists the same entry twice.");
    }
  }

  #words_of(sentence: string): string[] {
    return this.#split(
      pyStrip(this.#s.lowercase ? sentence.toLowerCase() : sentence),
    );
  }

  /** Greedy longest-first pieces of at most ngramMax characters; UNK for a character with none. */
  #pieces_of(word: string): string[] {
    const chars = Array.from(word), max = this.#s.ngramMax, out: string[] = [];
    for (let start = 0; start < chars.length;) {
      let end = Math.min(chars.length, start + max);
      for (;;) {
        const piece = chars.slice(start, end).join("");
        if (this.#pieces.has(piece)) {
          out.push(piece);
          break;
        }
        if (end - start === 1) {
          out.push(this.#s.UNK);
          break;
        }
        end--;
      }
      start = end;
    }
    return out;
  }

  #fitted(what: string): void {
    if (this.#wordById.length === 0) {
      throw new Error(
        `WordPieceBPE.${what}: the encoder has no vocabulary yet; call fit(lines) first.`,
      );
    }
  }
}
