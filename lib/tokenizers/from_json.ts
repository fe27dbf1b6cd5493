/**
 * Loading any saved tokenizer without knowing its class in advance.
 *
 * @module
 */

import { describe, type Tokenizer } from "./base.ts";
import { ByteBPE } from "./byte_bpe.ts";
import { CharTokenizer } from "./char.ts";
import { WordTokenizer } from "./word.ts";
import { WordPieceBPE } from "./word_piece_bpe.ts";

/**
 * Rebuilds a tokenizer from any `toJSON()` output, dispatching on its `type` field.
 *
 * @example
 * ```ts
 * import { CharTokenizer, tokenizerFromJSON } from "./mod.ts";
 * const saved = JSON.stringify(CharTokenizer.fromText("hello"));
 * const t = tokenizerFromJSON(JSON.parse(saved));
 * console.log(t instanceof CharTokenizer, t.encode("hole")); // true [ 1, 3, 2, 0 ]
 * ```
 */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const type = (json as { type?: unknown } | null)?.type;
  switch (type) {
    case "CharTokenizer":
      return CharTokenizer.fromJSON(json);
    case "WordTokenizer":
      return WordTokenizer.fromJSON(json);
    case "WordPieceBPE":
      return WordPieceBPE.fromJSON(json);
    case "ByteBPE":
      return ByteBPE.fromJSON(json);
    default:
      throw new Error(
        `tokenizerFromJSON: unknown tokenizer type ${describe(type)}; expected one of ` +
          `CharTokenizer, WordTokenizer, WordPieceBPE, ByteBPE.`,
      );
  }
}
