/**
 * Character-level tokenizer: one id per distinct character of a corpus, as in karpathy's
 * char-level Shakespeare models.
 *
 * @module
 */

import {
  checkIds,
  checkText,
  describe,
  expectJSON,
  stringArrayField,
  type Tokenizer,
} from "./base.ts";

/**
 * Options for {@link CharTokenizer}.
 *
 * @example
 * ```ts
 * import { CharTokenizer, type CharTokenizerOptions } from "./mod.ts";
 * const opts: CharTokenizerOptions = { unknown: "?" };
 * console.log(CharTokenizer.fromText("ab", opts).encode("abc")); // [ 1, 2, 0 ]
 * ```
 */
export interface CharTokenizerOptions {
  /**
   * Reserve id 0 for characters outside the vocabulary, shown as this string when decoded.
   * Without it (the default) encoding an unseen character throws, naming it.
   */
  unknown?: string;
}

/**
 * Maps each character (Unicode code point, so an emoji is one token) to an id.
 *
 * Ids follow code point order of the vocabulary, after the optional unknown token at id 0.
 * Characters outside the vocabulary either throw (default) or become the unknown token, in which
 * case `decode(encode(s))` shows them as the `unknown` string: only strings made of vocabulary
 * characters round-trip exactly.
 *
 * @example
 * ```ts
 * import { CharTokenizer } from "./mod.ts";
 * const t = CharTokenizer.fromText("First Citizen:\nBefore we proceed");
 * console.log(t.vocabSize, t.encode("Fire"), t.decode(t.encode("Fire"))); // 19 [ 5, 10, 14, 8 ] "Fire"
 * ```
 */
export class CharTokenizer implements Tokenizer {
  /** The vocabulary characters, in id order (after the unknown token, if any). */
  readonly chars: readonly string[];
  /** The unknown token's text, if this tokenizer has one. */
  readonly unknown: string | undefined;
  readonly #ids = new Map<string, number>();
  readonly #offset: number;

  /**
   * Builds a tokenizer over exactly these characters (each one code point, no duplicates).
   *
   * @example
   * ```ts
   * import { CharTokenizer } from "./mod.ts";
   * console.log(new CharTokenizer(["a", "b"]).encode("ba")); // [ 1, 0 ]
   * ```
   */
  constructor(chars: readonly string[], options: CharTokenizerOptions = {}) {
    if (!Array.isArray(chars) || chars.length === 0) {
      throw new Error(
        `CharTokenizer needs a non-empty array of characters, got ${describe(chars)}.`,
      );
    }
    const { unknown } = options;
    if (
      unknown !== undefined && (typeof unknown !== "string" || unknown === "")
    ) {
      throw new Error(
        `CharTokenizer: options.unknown must be a non-empty string, got ${describe(unknown)}.`,
      );
    }
    this.unknown = unknown;
    this.#offset = unknown === undefined ? 0 : 1;
    chars.forEach((ch, i) => {
      if (typeof ch !== "string" || [...ch].length !== 1) {
        throw new Error(
          `CharTokenizer: vocabulary entry ${i} is ${describe(ch)}, not one character.`,
        );
      }
      if (this.#ids.has(ch)) {
        throw new Error(
          `CharTokenizer: character ${describe(ch)} is listed twice.`,
        );
      }
      this.#ids.set(ch, i + this.#offset);
    });
    this.chars = [...chars];
  }

  /**
   * Vocabulary = the distinct characters of `corpus`, sorted by code point.
   *
   * @example
   * ```ts
   * import { CharTokenizer } from "./mod.ts";
   * console.log(CharTokenizer.fromText("hello").chars); // [ "e", "h", "l", "o" ]
   * ```
   */
  static fromText(
    corpus: string,
    options: CharTokenizerOptions = {},
  ): CharTokenizer {
    checkText(corpus, "CharTokenizer.fromText");
    if (corpus.length === 0) {
      throw new Error(
        "CharTokenizer.fromText: the corpus is empty, so there is no vocabulary.",
      );
    }
    const chars = [...new Set(corpus)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars, options);
  }

  /**
   * Rebuilds a tokenizer saved with {@link CharTokenizer.toJSON}.
   *
   * @example
   * ```ts
   * import { CharTokenizer } from "./mod.ts";
   * const t = CharTokenizer.fromJSON(CharTokenizer.fromText("abc").toJSON());
   * console.log(t.encode("cab")); // [ 2, 0, 1 ]
   * ```
   */
  static fromJSON(json: unknown): CharTokenizer {
    const obj = expectJSON(json, "CharTokenizer");
    const unknown = obj.unknown;
    if (unknown !== null && typeof unknown !== "string") {
      throw new Error(
        `CharTokenizer.fromJSON: field "unknown" must be a string or null.`,
      );
    }
    return new CharTokenizer(stringArrayField(obj, "chars", "CharTokenizer"), {
      unknown: unknown ?? undefined,
    });
  }

  /** Number of ids: the characters plus the unknown token if any. */
  get vocabSize(): number {
    return this.chars.length + this.#offset;
  }

  /** `{ [unknown]: 0 }` when there is an unknown token, else `{}`. */
  get specialTokens(): Record<string, number> {
    return this.unknown === undefined ? {} : { [this.unknown]: 0 };
  }

  /**
   * One id per code point. Throws on a character outside the vocabulary unless `unknown` is set.
   *
   * @example
   * ```ts
   * import { CharTokenizer } from "./mod.ts";
   * console.log(CharTokenizer.fromText("ab🙂").encode("🙂a")); // [ 2, 0 ]
   * ```
   */
  encode(text: string): number[] {
    checkText(text, "CharTokenizer.encode");
    const out: number[] = [];
    let at = 0;
    for (const ch of text) {
      const id = this.#ids.get(ch);
      if (id !== undefined) out.push(id);
      else if (this.unknown !== undefined) out.push(0);
      else {
        const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(
          4,
          "0",
        );
        throw new Error(
          `CharTokenizer.encode: character ${
            JSON.stringify(ch)
          } (U+${hex}) at index ${at} is not ` +
            `in the ${this.chars.length}-character vocabulary; build the tokenizer from a corpus ` +
            `that contains it, or pass { unknown: "<unk>" } to map unseen characters to one id.`,
        );
      }
      at += ch.length;
    }
    return out;
  }

  /**
   * Ids back to text.
   *
   * @example
   * ```ts
   * import { CharTokenizer } from "./mod.ts";
   * console.log(CharTokenizer.fromText("abc").decode([2, 1, 0])); // "cba"
   * ```
   */
  decode(ids: ArrayLike<number>): string {
    checkIds(ids, this.vocabSize, "CharTokenizer");
    let s = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      s += id < this.#offset ? this.unknown! : this.chars[id - this.#offset];
    }
    return s;
  }

  /**
   * Saves the vocabulary as JSON-safe data.
   *
   * @example
   * ```ts
   * import { CharTokenizer } from "./mod.ts";
   * console.log(CharTokenizer.fromText("ba").toJSON());
   * // { type: "CharTokenizer", version: 1, chars: [ "a", "b" ], unknown: null }
   * ```
   */
  toJSON(): {
    type: "CharTokenizer";
    version: 1;
    chars: string[];
    unknown: string | null;
  } {
    return {
      type: "CharTokenizer",
      version: 1,
      chars: [...this.chars],
      unknown: this.unknown ?? null,
    };
  }
}
