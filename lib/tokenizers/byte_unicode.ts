/**
 * GPT-2's two conventions for byte-level BPE: the regex that pre-splits text into chunks, and the
 * table that shows each of the 256 byte values as a printable character (so a vocabulary of byte
 * strings can be stored as ordinary JSON text).
 *
 * @module
 */

/**
 * GPT-2's pre-split pattern: English contractions, letter runs, number runs and punctuation runs,
 * each optionally with one leading space, then whitespace. `\s+(?!\S)` leaves the last space of a
 * run to start the next word, so " the" stays one chunk after several spaces. Merges never
 * cross a chunk boundary.
 *
 * @example
 * ```ts
 * import { GPT2_PATTERN } from "./byte_unicode.ts";
 * console.log("Hi  there, it's 2024!".match(new RegExp(GPT2_PATTERN, "gu")));
 * // [ "Hi", " ", " there", ",", " it", "'s", " 2024", "!" ]
 * ```
 */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/**
 * The 256 characters GPT-2 uses to spell bytes, indexed by byte value. Printable Latin-1 bytes
 * stand for themselves; the other 68 (control codes, space, DEL, NBSP, soft hyphen) are moved to
 * U+0100 and up, in byte order, so that no byte shows as whitespace or an invisible character.
 * Byte 32 (space) becomes "Ġ" (U+0120), byte 10 (newline) "Ċ".
 *
 * @example
 * ```ts
 * import { BYTE_TO_CHAR } from "./byte_unicode.ts";
 * console.log(BYTE_TO_CHAR[65], BYTE_TO_CHAR[32], BYTE_TO_CHAR[10]); // "A" "Ġ" "Ċ"
 * ```
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) ||
    (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    table.push(String.fromCharCode(printable(b) ? b : 256 + shifted++));
  }
  return table;
})();

/**
 * Inverse of {@link BYTE_TO_CHAR}: character to byte value.
 *
 * @example
 * ```ts
 * import { CHAR_TO_BYTE } from "./byte_unicode.ts";
 * console.log(CHAR_TO_BYTE.get("Ġ")); // 32
 * ```
 */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(
  BYTE_TO_CHAR.map((c, b) => [c, b]),
);

/**
 * Spells raw bytes in GPT-2's printable alphabet.
 *
 * @example
 * ```ts
 * import { bytesToChars } from "./byte_unicode.ts";
 * console.log(bytesToChars(new TextEncoder().encode(" hé"))); // "ĠhÃ©"
 * ```
 */
export function bytesToChars(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/**
 * Reads a string in GPT-2's printable byte alphabet back into bytes; returns `null` if it holds a
 * character that spells no byte (so callers can name the bad entry in their own error).
 *
 * @example
 * ```ts
 * import { charsToBytes } from "./byte_unicode.ts";
 * console.log(charsToBytes("Ġhi")); // Uint8Array(3) [ 32, 104, 105 ]
 * console.log(charsToBytes(" ")); // null: a raw space is not in the alphabet
 * ```
 */
export function charsToBytes(chars: string): Uint8Array | null {
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    const b = c < CODE_TO_BYTE.length ? CODE_TO_BYTE[c] : -1;
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}

// Char code -> byte (-1: not in the alphabet); a flat table because loading GPT-2 reads 50k tokens.
const CODE_TO_BYTE = (() => {
  const table = new Int16Array(256 + 68).fill(-1);
  BYTE_TO_CHAR.forEach((ch, b) => table[ch.charCodeAt(0)] = b);
  return table;
})();
