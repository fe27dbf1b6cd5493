/**
 * The contract every tokenizer in this folder keeps, and the small checks they share.
 *
 * @module
 */

/**
 * What every tokenizer can do: turn text into token ids and back, say how many ids it uses, name
 * the special tokens it reserves, and save itself as plain JSON.
 *
 * Each class also has a static `fromJSON(json)` that rebuilds an identical tokenizer from
 * `toJSON()`'s output (TypeScript interfaces cannot describe statics, so it is not listed here).
 *
 * @example
 * ```ts
 * import { CharTokenizer, type Tokenizer } from "./mod.ts";
 * const t: Tokenizer = CharTokenizer.fromText("hello");
 * console.log(t.encode("hole"), t.vocabSize); // [ 1, 3, 2, 0 ] 4
 * console.log(t.decode(t.encode("hole"))); // "hole"
 * ```
 */
export interface Tokenizer {
  /** Number of ids this tokenizer can produce: every id is in `[0, vocabSize)`. */
  readonly vocabSize: number;
  /** Reserved tokens (unknown, padding, end of text...) and the ids they own. */
  readonly specialTokens: Readonly<Record<string, number>>;
  /** Text to token ids. */
  encode(text: string): number[];
  /** Token ids to text; throws on an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): string;
  /** Everything needed to rebuild this tokenizer, as JSON-safe data. */
  toJSON(): TokenizerJSON;
}

/**
 * The common shape of every tokenizer's saved form: a `type` tag naming the class and a format
 * `version`, plus class-specific fields.
 *
 * @example
 * ```ts
 * import { CharTokenizer, type TokenizerJSON } from "./mod.ts";
 * const json: TokenizerJSON = CharTokenizer.fromText("ab").toJSON();
 * console.log(json.type, json.version); // "CharTokenizer" 1
 * ```
 */
export interface TokenizerJSON {
  /** Class name, e.g. `"ByteBPE"`. */
  type: string;
  /** Format version of this class's JSON. */
  version: number;
  [field: string]: unknown;
}

/**
 * Whitespace as Python's `str.isspace()` sees it (which `str.split()`, `str.strip()` and the
 * `\s` of Python's `re` all use). JavaScript's `\s` differs: it lacks `\x1c`-`\x1f` and `\x85`
 * and adds `\ufeff`. The notes' tokenizers are Python, so the word-level ones split on this set.
 *
 * @example
 * ```ts
 * import { PY_WHITESPACE } from "./base.ts";
 * console.log(new RegExp(`[${PY_WHITESPACE}]`).test("\x1c")); // true
 * ```
 */
export const PY_WHITESPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const PY_SPLIT = new RegExp(`[${PY_WHITESPACE}]+`, "u");
const PY_STRIP = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, "gu");

/**
 * Python's `text.split()`: split on runs of whitespace, dropping empty pieces.
 *
 * @example
 * ```ts
 * import { pySplit } from "./base.ts";
 * console.log(pySplit("  le chat\n est ")); // [ "le", "chat", "est" ]
 * ```
 */
export function pySplit(text: string): string[] {
  return text.split(PY_SPLIT).filter((w) => w !== "");
}

/**
 * Python's `text.strip()`: remove leading and trailing whitespace.
 *
 * @example
 * ```ts
 * import { pyStrip } from "./base.ts";
 * console.log(JSON.stringify(pyStrip("\x1c hi \n"))); // "hi"
 * ```
 */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, "");
}

/**
 * Throws a clear error unless every id is an integer in `[0, vocabSize)`.
 *
 * @example
 * ```ts
 * import { checkIds } from "./base.ts";
 * checkIds([0, 3], 4, "CharTokenizer"); // fine
 * try { checkIds([4], 4, "CharTokenizer"); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function checkIds(
  ids: ArrayLike<number>,
  vocabSize: number,
  who: string,
): void {
  if (
    ids === null || typeof ids !== "object" || typeof ids.length !== "number"
  ) {
    throw new Error(
      `${who}.decode expects an array of token ids, got ${describe(ids)}.`,
    );
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new RangeError(
        `${who}.decode: token id ${describe(id)} at position ${i} is outside the vocabulary ` +
          `[0, ${vocabSize}); pass ids produced by this tokenizer's encode().`,
      );
    }
  }
}

/**
 * Throws a clear error if `text` is not a string; used at the top of every `encode`.
 *
 * @example
 * ```ts
 * import { checkText } from "./base.ts";
 * checkText("fine", "WordTokenizer.encode");
 * ```
 */
export function checkText(
  text: unknown,
  where: string,
): asserts text is string {
  if (typeof text !== "string") {
    throw new Error(`${where} expects a string, got ${describe(text)}.`);
  }
}

/**
 * Checks that `json` is an object saved by `type`'s `toJSON()` (right tag, known version) and
 * returns it typed as a record so fields can be validated one by one.
 *
 * @example
 * ```ts
 * import { expectJSON } from "./base.ts";
 * const j = expectJSON({ type: "CharTokenizer", version: 1, chars: [] }, "CharTokenizer");
 * console.log(Array.isArray(j.chars)); // true
 * ```
 */
export function expectJSON(
  json: unknown,
  type: string,
): Record<string, unknown> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new Error(
      `${type}.fromJSON expects the object from toJSON(), got ${describe(json)}.`,
    );
  }
  const obj = json as Record<string, unknown>;
  if (obj.type !== type) {
    throw new Error(
      `${type}.fromJSON got JSON of type ${describe(obj.type)}; it only reads "${type}" ` +
        `(use tokenizerFromJSON to dispatch on the type).`,
    );
  }
  if (obj.version !== 1) {
    throw new Error(
      `${type}.fromJSON: unsupported version ${describe(obj.version)} (expected 1).`,
    );
  }
  return obj;
}

/**
 * Reads a field that must be an array of strings, with an error naming the field.
 *
 * @example
 * ```ts
 * import { stringArrayField } from "./base.ts";
 * console.log(stringArrayField({ words: ["a"] }, "words", "WordTokenizer")); // [ "a" ]
 * ```
 */
export function stringArrayField(
  obj: Record<string, unknown>,
  field: string,
  type: string,
): string[] {
  const v = obj[field];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new Error(
      `${type}.fromJSON: field "${field}" must be an array of strings.`,
    );
  }
  return v as string[];
}

/**
 * Short printable description of a value, for error messages.
 *
 * @example
 * ```ts
 * import { describe } from "./base.ts";
 * console.log(describe(undefined), describe("x"), describe([1, 2])); // undefined "x" array(2)
 * ```
 */
export function describe(v: unknown): string {
  if (typeof v === "string") {
    return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  }
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null || v === undefined || typeof v !== "object") return String(v);
  return v.constructor?.name ?? "object";
}
