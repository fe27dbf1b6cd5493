/**
 * Tokenizers, from the simplest to GPT-2's:
 *
 * - {@link CharTokenizer}: one id per character.
 * - {@link WordTokenizer}: one id per whitespace-separated word, plus an unknown token.
 * - {@link WordPieceBPE}: the notes' Python `bpe.Encoder`: frequent words, plus character
 *   n-grams between `__sow` / `__eow` for the rest.
 * - {@link ByteBPE}: byte-level BPE, trainable, or loaded as GPT-2's exact tokenizer
 *   ({@link loadGPT2}).
 *
 * All share the {@link Tokenizer} interface and save to JSON ({@link tokenizerFromJSON} loads any).
 *
 * @example
 * ```ts
 * import { ByteBPE, CharTokenizer, loadGPT2 } from "./mod.ts";
 * const text = "To be, or not to be, that is the question.";
 * console.log(CharTokenizer.fromText(text).encode("to be").length); // 5
 * console.log(ByteBPE.train(text, 270).encode("to be").length < 5); // true
 * console.log(loadGPT2().encode("to be")); // [ 1462, 307 ]
 * ```
 *
 * @module
 */

// checkIds, checkText, expectJSON and friends in base.ts are the tokenizers' own validation
// helpers, and _heap.ts, _pair_map.ts, _byte_bpe_merge.ts the fast BPE's internals: not exported.
export { PY_WHITESPACE, pySplit, pyStrip, type Tokenizer, type TokenizerJSON } from "./base.ts";
export {
  BYTE_TO_CHAR,
  bytesToChars,
  CHAR_TO_BYTE,
  charsToBytes,
  GPT2_PATTERN,
} from "./byte_unicode.ts";
export { gpt2ChunkEnd, gpt2Split, splitChunks } from "./gpt2_split.ts";
export { learnByteMerges } from "./byte_bpe_train.ts";
export { BasicBPE } from "./basic_bpe.ts";
export { parseGPT2Files } from "./gpt2_files.ts";
export {
  ByteBPE,
  type ByteBPEParts,
  type ByteBPETrainOptions,
  type EncodeOptions,
} from "./byte_bpe.ts";
export { gpt2FilePaths, loadGPT2 } from "./gpt2.ts";
export { CharTokenizer, type CharTokenizerOptions } from "./char.ts";
export { WordTokenizer, type WordTokenizerOptions } from "./word.ts";
export {
  WordPieceBPE,
  type WordPieceBPEOptions,
  wordpunctTokenize,
  type WordSplitter,
} from "./word_piece_bpe.ts";
export { rankNgrams, rankWords } from "./word_piece_bpe_fit.ts";
export { tokenizerFromJSON } from "./from_json.ts";
