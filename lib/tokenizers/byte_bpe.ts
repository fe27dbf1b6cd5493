/**
 * Byte-level BPE, the tokenizer of GPT-2: text becomes UTF-8 bytes, a regex cuts it into chunks,
 * and learned merges glue frequent byte pairs inside each chunk into bigger tokens. Every string
 * can be encoded (there is no unknown token) and decoded back exactly.
 *
 * Read `BasicBPE` (basic_bpe.ts) first: it is the same algorithm written plainly. ByteBPE
 * is its optimisation, with the same merges and the same ids (tested): training updates pair
 * counts incrementally with a heap (byte_bpe_train.ts) instead of recounting the corpus per
 * merge, encoding merges by rank with a cache of chunks (byte_bpe_merge.ts), and it adds what
 * a real tokenizer needs: special tokens, GPT-2's files, JSON round trips.
 *
 * @module
 */

import { checkIds, checkText, describe, expectJSON, type Tokenizer } from "./base.ts";
import { bytesToChars, charsToBytes, GPT2_PATTERN } from "./byte_unicode.ts";
import { learnByteMerges } from "./byte_bpe_train.ts";
import { gpt2ChunkEnd, splitChunks } from "./gpt2_split.ts";
import { mergeChunk } from "./_byte_bpe_merge.ts";
import { parseGPT2Files } from "./gpt2_files.ts";
import { PairMap } from "./_pair_map.ts";

/**
 * Which special tokens `ByteBPE.encode` may meet in its input, following tiktoken's rules.
 *
 * - `allowedSpecial`: these become their reserved id when they appear in the text.
 * - `disallowedSpecial`: finding one of these throws. Defaults to every special token that is not
 *   allowed, so a stray `<|endoftext|>` in user text is never silently turned into a control id.
 * - A special token in neither set is encoded as ordinary text (several ids).
 *
 * @example
 * ```ts
 * import { type EncodeOptions, loadGPT2 } from "./mod.ts";
 * const opts: EncodeOptions = { allowedSpecial: ["<|endoftext|>"] };
 * console.log(loadGPT2().encode("hi<|endoftext|>", opts)); // [ 5303, 50256 ]
 * ```
 */
export interface EncodeOptions {
  /** Special tokens to encode as their id: `"all"` or a list. Default: none. */
  allowedSpecial?: "all" | readonly string[];
  /** Special tokens whose presence is an error: `"all"` (the default) or a list. */
  disallowedSpecial?: "all" | readonly string[];
}

/**
 * Options for {@link ByteBPE.train}.
 *
 * @example
 * ```ts
 * import { ByteBPE, type ByteBPETrainOptions } from "./mod.ts";
 * const opts: ByteBPETrainOptions = { specialTokens: ["<|endoftext|>"] };
 * console.log(ByteBPE.train("aaab aaab", 259, opts).specialTokens); // { "<|endoftext|>": 258 }
 * ```
 */
export interface ByteBPETrainOptions {
  /** Pre-split regex source (compiled with flags "gu"). Default: GPT-2's. */
  pattern?: string;
  /** Special tokens, given the last ids. They count towards `vocabSize`. */
  specialTokens?: readonly string[];
}

/**
 * The parts a ByteBPE is made of, as {@link ByteBPE.fromParts} takes them.
 *
 * @example
 * ```ts
 * import { ByteBPE, type ByteBPEParts } from "./mod.ts";
 * const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
 * const parts: ByteBPEParts = { vocab: [...bytes, Uint8Array.of(104, 105)], merges: [[104, 105, 256]] };
 * console.log(ByteBPE.fromParts(parts).encode("hi")); // [ 256 ]
 * ```
 */
export interface ByteBPEParts {
  /** Bytes of every ordinary token, indexed by id. Must include each single byte once. */
  vocab: readonly Uint8Array[];
  /** `[left, right, result]` ids in priority order (lowest rank merges first). */
  merges: readonly (readonly [number, number, number])[];
  /** Special tokens and their ids, which follow the ordinary ones. Default: none. */
  specialTokens?: Readonly<Record<string, number>>;
  /** Pre-split regex source. Default: GPT-2's. */
  pattern?: string;
}

const CACHE_LIMIT = 100_000;

/**
 * Byte-level BPE tokenizer: GPT-2's regex pre-split and byte alphabet, merges either learned with
 * {@link ByteBPE.train} or loaded from GPT-2's own files ({@link ByteBPE.fromGPT2Files},
 * {@link loadGPT2}). Loaded from GPT-2's files it produces exactly GPT-2's ids.
 *
 * Encoding applies, inside each chunk, the lowest-ranked merge available (leftmost first) until
 * none applies; results are cached per chunk, since natural text repeats its words.
 *
 * @example
 * ```ts
 * import { ByteBPE } from "./mod.ts";
 * const bpe = ByteBPE.train("low lower lowest low low", 260);
 * const ids = bpe.encode("low lowest");
 * console.log(ids.length < "low lowest".length, bpe.decode(ids)); // true "low lowest"
 * ```
 */
export class ByteBPE implements Tokenizer {
  readonly #vocab: Uint8Array[];
  readonly #byteToId = new Int32Array(256);
  readonly #merges: [number, number, number][];
  readonly #mergeId: Int32Array; // rank -> resulting id
  readonly #rank: PairMap; // (left, right) -> rank
  readonly #special = new Map<string, number>();
  readonly #specialById = new Map<number, string>();
  readonly #pattern: string;
  readonly #regex: RegExp;
  readonly #cache = new Map<string, number | number[]>(); // chunk -> its id, or ids
  readonly #utf8 = new TextEncoder();

  /** Use {@link ByteBPE.train}, {@link ByteBPE.fromParts}, {@link ByteBPE.fromJSON} or {@link loadGPT2}. */
  private constructor(parts: ByteBPEParts) {
    const { vocab, merges, specialTokens = {}, pattern = GPT2_PATTERN } = parts;
    const n = vocab.length;
    this.#regex = compilePattern(pattern);
    this.#pattern = pattern;
    // Every byte must be spelled by exactly one single-byte token.
    this.#byteToId.fill(-1);
    for (let id = 0; id < n; id++) {
      const t = vocab[id];
      if (!(t instanceof Uint8Array) || t.length === 0) {
        throw new Error(
          `ByteBPE: vocabulary entry ${id} is ${describe(t)}, not non-empty bytes.`,
        );
      }
      if (t.length === 1) {
        if (this.#byteToId[t[0]] !== -1) {
          throw new Error(
            `ByteBPE: byte ${t[0]} appears twice (ids ${this.#byteToId[t[0]]}, ${id}).`,
          );
        }
        this.#byteToId[t[0]] = id;
      }
    }
    const missing = this.#byteToId.indexOf(-1);
    if (missing !== -1) {
      throw new Error(
        `ByteBPE: the vocabulary has no token for byte ${missing}; a byte-level vocabulary needs ` +
          `all 256 single bytes, so this file is truncated or is not a byte-level BPE vocabulary.`,
      );
    }
    if (n !== 256 + merges.length) {
      throw new Error(
        `ByteBPE: ${n} ordinary tokens but 256 bytes + ${merges.length} merges = ` +
          `${256 + merges.length}; the vocabulary and merges files do not belong together.`,
      );
    }
    this.#mergeId = new Int32Array(merges.length);
    this.#rank = new PairMap(merges.length);
    const made = new Uint8Array(n);
    const isId = (x: number) => Number.isInteger(x) && x >= 0 && x < n;
    for (let r = 0; r < merges.length; r++) {
      const [a, b, id] = merges[r];
      if (!isId(a) || !isId(b) || !isId(id)) {
        throw new Error(
          `ByteBPE: merge ${r} [${a}, ${b}, ${id}] names an id outside [0, ${n}).`,
        );
      }
      const ta = vocab[a], tb = vocab[b], t = vocab[id];
      if (
        t.length !== ta.length + tb.length || !startsWith(t, ta, 0) ||
        !startsWith(t, tb, ta.length)
      ) {
        throw new Error(
          `ByteBPE: merge ${r} joins ${show(ta)} + ${show(tb)} into id ${id}, which is ` +
            `${show(t)}; the vocabulary and merges do not belong together.`,
        );
      }
      if (made[id]++ || t.length === 1) {
        throw new Error(`ByteBPE: merge ${r} re-creates token ${id}.`);
      }
      if (!this.#rank.set(a, b, r)) {
        throw new Error(`ByteBPE: merge ${r} repeats an earlier pair.`);
      }
      this.#mergeId[r] = id;
    }
    this.#vocab = vocab.slice();
    this.#merges = merges.map(([a, b, id]) => [a, b, id]);
    for (const [name, id] of Object.entries(specialTokens)) {
      if (
        !Number.isInteger(id) || id < n ||
        id >= n + Object.keys(specialTokens).length
      ) {
        throw new Error(
          `ByteBPE: special token ${describe(name)} has id ${id}; special ids must follow the ` +
            `${n} ordinary tokens, i.e. lie in [${n}, ${n + Object.keys(specialTokens).length}).`,
        );
      }
      if (this.#specialById.has(id)) {
        throw new Error(`ByteBPE: two special tokens share id ${id}.`);
      }
      if (name === "") {
        throw new Error(`ByteBPE: a special token cannot be the empty string.`);
      }
      this.#special.set(name, id);
      this.#specialById.set(id, name);
    }
  }

  /**
   * Learns a byte-level BPE from `text` with `vocabSize` ids in total: 256 bytes, then merges of
   * the most frequent adjacent pair (ties: smallest ids first), then `specialTokens`. Stops early,
   * with a smaller vocabulary, if the text runs out of pairs to merge.
   *
   * @example
   * ```ts
   * import { ByteBPE } from "./mod.ts";
   * const bpe = ByteBPE.train("the cat and the hat and the bat", 262);
   * console.log(bpe.vocabSize, bpe.decode([bpe.encode(" the")[0]])); // 262 " the"
   * ```
   */
  static train(
    text: string,
    vocabSize: number,
    options: ByteBPETrainOptions = {},
  ): ByteBPE {
    checkText(text, "ByteBPE.train");
    const specials = [...(options.specialTokens ?? [])];
    const floor = 256 + specials.length;
    if (!Number.isInteger(vocabSize) || vocabSize < floor) {
      throw new RangeError(
        `ByteBPE.train: vocabSize ${vocabSize} is below the base alphabet of 256 bytes` +
          (specials.length ? ` + ${specials.length} special tokens` : "") +
          `; use at least ${floor}.`,
      );
    }
    if (text.length === 0) {
      throw new Error("ByteBPE.train: the training text is empty.");
    }
    if (new Set(specials).size !== specials.length) {
      throw new Error(
        `ByteBPE.train: specialTokens has duplicates: ${specials.join(", ")}.`,
      );
    }
    wellFormed(text, "ByteBPE.train");
    const pattern = options.pattern ?? GPT2_PATTERN;
    compilePattern(pattern);
    const chunks = new Map<string, number>();
    for (const c of splitChunks(text, pattern)) {
      chunks.set(c, (chunks.get(c) ?? 0) + 1);
    }
    const pairs = learnByteMerges(chunks, vocabSize - floor);
    const vocab: Uint8Array[] = Array.from(
      { length: 256 },
      (_, b) => Uint8Array.of(b),
    );
    const merges = pairs.map(([a, b], r): [number, number, number] => {
      vocab.push(concat(vocab[a], vocab[b]));
      return [a, b, 256 + r];
    });
    const specialTokens = Object.fromEntries(
      specials.map((s, i) => [s, vocab.length + i]),
    );
    return new ByteBPE({ vocab, merges, specialTokens, pattern });
  }

  /**
   * Builds a tokenizer from its parts (vocabulary bytes, ranked merges, special tokens), checking
   * that they are consistent.
   *
   * @example
   * ```ts
   * import { ByteBPE } from "./mod.ts";
   * const vocab = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
   * vocab.push(Uint8Array.of(97, 97));
   * console.log(ByteBPE.fromParts({ vocab, merges: [[97, 97, 256]] }).encode("aaa")); // [ 256, 97 ]
   * ```
   */
  static fromParts(parts: ByteBPEParts): ByteBPE {
    return new ByteBPE(parts);
  }

  /**
   * Loads GPT-2's vocabulary files: `encoder.json` (token string to id, in GPT-2's printable byte
   * alphabet) and `vocab.bpe` (a `#version` line, then one merge per line, `left right`, in rank
   * order). `<|endoftext|>` is registered as a special token if the encoder lists it.
   *
   * @example
   * ```ts
   * import { ByteBPE, gpt2FilePaths } from "./mod.ts";
   * const { encoderJson, vocabBpe } = gpt2FilePaths();
   * const gpt2 = ByteBPE.fromGPT2Files(Deno.readTextFileSync(encoderJson), Deno.readTextFileSync(vocabBpe));
   * console.log(gpt2.encode("Hello world")); // [ 15496, 995 ]
   * ```
   */
  static fromGPT2Files(
    encoderJson: string | Record<string, number>,
    vocabBpe: string,
    specialTokens: readonly string[] = ["<|endoftext|>"],
  ): ByteBPE {
    return new ByteBPE(parseGPT2Files(encoderJson, vocabBpe, specialTokens));
  }

  /**
   * Rebuilds a tokenizer saved with {@link ByteBPE.toJSON}.
   *
   * @example
   * ```ts
   * import { ByteBPE } from "./mod.ts";
   * const a = ByteBPE.train("abcabcabd", 258);
   * const b = ByteBPE.fromJSON(JSON.parse(JSON.stringify(a)));
   * console.log(b.encode("abcabd")); // same ids as a.encode("abcabd")
   * ```
   */
  static fromJSON(json: unknown): ByteBPE {
    const obj = expectJSON(json, "ByteBPE");
    const { vocab, merges, specialTokens, pattern } = obj;
    if (!Array.isArray(vocab) || vocab.some((t) => typeof t !== "string")) {
      throw new Error(
        `ByteBPE.fromJSON: field "vocab" must be an array of strings.`,
      );
    }
    if (
      !Array.isArray(merges) ||
      merges.some((m) => !Array.isArray(m) || m.length !== 3)
    ) {
      throw new Error(
        `ByteBPE.fromJSON: field "merges" must be an array of [left, right, result] ids.`,
      );
    }
    if (typeof pattern !== "string") {
      throw new Error(`ByteBPE.fromJSON: field "pattern" must be a string.`);
    }
    if (specialTokens === null || typeof specialTokens !== "object") {
      throw new Error(
        `ByteBPE.fromJSON: field "specialTokens" must be an object of name -> id.`,
      );
    }
    const bytes = (vocab as string[]).map((t, id) => {
      const b = charsToBytes(t);
      if (b === null) {
        throw new Error(
          `ByteBPE.fromJSON: vocab[${id}] is not in GPT-2's byte alphabet.`,
        );
      }
      return b;
    });
    return new ByteBPE({
      vocab: bytes,
      merges: merges as [number, number, number][],
      specialTokens: specialTokens as Record<string, number>,
      pattern,
    });
  }

  /** Ordinary tokens plus special tokens. */
  get vocabSize(): number {
    return this.#vocab.length + this.#special.size;
  }

  /** Special token strings and their ids. */
  get specialTokens(): Record<string, number> {
    return Object.fromEntries(this.#special);
  }

  /** Number of learned merges. */
  get mergeCount(): number {
    return this.#merges.length;
  }

  /** The pre-split regex source. */
  get pattern(): string {
    return this.#pattern;
  }

  /**
   * Text to ids. Throws if the text holds a lone UTF-16 surrogate (it has no UTF-8 bytes) or a
   * disallowed special token (see {@link EncodeOptions}).
   *
   * @example
   * ```ts
   * import { loadGPT2 } from "./mod.ts";
   * const gpt2 = loadGPT2();
   * console.log(gpt2.encode("I'm  here 🙂")); // [ 40, 1101, 220, 994, 32485 ]
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    checkText(text, "ByteBPE.encode");
    wellFormed(text, "ByteBPE.encode");
    const names = [...this.#special.keys()];
    const allowed = new Set(
      options.allowedSpecial === "all" ? names : options.allowedSpecial ?? [],
    );
    const disallowed = options.disallowedSpecial === undefined ||
        options.disallowedSpecial === "all"
      ? names.filter((s) => !allowed.has(s))
      : options.disallowedSpecial;
    for (const s of [...allowed, ...disallowed]) {
      if (!this.#special.has(s)) {
        throw new Error(
          `ByteBPE.encode: ${describe(s)} is not a special token of this tokenizer.`,
        );
      }
    }
    for (const s of disallowed) {
      if (text.includes(s)) {
        throw new Error(
          `ByteBPE.encode: the text contains the special token ${s}. Pass ` +
            `{ allowedSpecial: [${JSON.stringify(s)}] } to encode it as its id ` +
            `${this.#special.get(s)}, or { disallowedSpecial: [] } to encode it as plain text.`,
        );
      }
    }
    const out: number[] = [];
    if (allowed.size === 0) {
      this.#encodeOrdinary(text, out);
      return out;
    }
    // Longest first so that one special token that prefixes another cannot shadow it.
    const alternatives = [...allowed].sort((x, y) => y.length - x.length).map(
      escapeRegex,
    );
    const specialRegex = new RegExp(alternatives.join("|"), "g");
    let start = 0;
    for (const m of text.matchAll(specialRegex)) {
      this.#encodeOrdinary(text.slice(start, m.index), out);
      out.push(this.#special.get(m[0])!);
      start = m.index + m[0].length;
    }
    this.#encodeOrdinary(text.slice(start), out);
    return out;
  }

  /**
   * Ids to text. Ids that split a multi-byte character (e.g. half of an emoji) give U+FFFD for the
   * incomplete bytes; use {@link ByteBPE.decodeBytes} to get the raw bytes.
   *
   * @example
   * ```ts
   * import { loadGPT2 } from "./mod.ts";
   * console.log(loadGPT2().decode([15496, 995, 50256])); // "Hello world<|endoftext|>"
   * ```
   */
  decode(ids: ArrayLike<number>): string {
    return new TextDecoder().decode(this.decodeBytes(ids));
  }

  /**
   * Ids to the exact bytes they stand for.
   *
   * @example
   * ```ts
   * import { loadGPT2 } from "./mod.ts";
   * console.log(loadGPT2().decodeBytes([12520])); // Uint8Array(3) [ 32, 240, 159 ]: " " + half an emoji
   * ```
   */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    checkIds(ids, this.vocabSize, "ByteBPE");
    const parts: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const t = this.tokenBytes(ids[i]);
      parts.push(t);
      length += t.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * The bytes of one token (a special token's are its UTF-8 text).
   *
   * @example
   * ```ts
   * import { loadGPT2 } from "./mod.ts";
   * console.log(new TextDecoder().decode(loadGPT2().tokenBytes(262))); // " the"
   * ```
   */
  tokenBytes(id: number): Uint8Array {
    checkIds([id], this.vocabSize, "ByteBPE");
    return id < this.#vocab.length
      ? this.#vocab[id]
      : this.#utf8.encode(this.#specialById.get(id)!);
  }

  /**
   * Saves the tokenizer as JSON-safe data: tokens spelled in GPT-2's printable byte alphabet,
   * merges as `[left, right, result]` ids in rank order.
   *
   * @example
   * ```ts
   * import { ByteBPE } from "./mod.ts";
   * const json = ByteBPE.train("hello hello", 257).toJSON();
   * console.log(json.type, (json.vocab as string[])[256]); // "ByteBPE" "el"
   * ```
   */
  toJSON(): {
    type: "ByteBPE";
    version: 1;
    pattern: string;
    vocab: string[];
    merges: [number, number, number][];
    specialTokens: Record<string, number>;
  } {
    return {
      type: "ByteBPE",
      version: 1,
      pattern: this.#pattern,
      vocab: this.#vocab.map(bytesToChars),
      merges: this.#merges.map(([a, b, id]) => [a, b, id]),
      specialTokens: this.specialTokens,
    };
  }

  #encodeOrdinary(text: string, out: number[]): void {
    if (this.#pattern === GPT2_PATTERN) { // hot path: scan boundaries without the regex engine
      for (let i = 0; i < text.length;) {
        const e = gpt2ChunkEnd(text, i);
        this.#encodeChunk(text.slice(i, e), out);
        i = e;
      }
      return;
    }
    for (const chunk of text.match(this.#regex) ?? []) {
      this.#encodeChunk(chunk, out);
    }
  }

  #encodeChunk(chunk: string, out: number[]): void {
    const hit = this.#cache.get(chunk);
    if (typeof hit === "number") { // most chunks are one token: no array to walk
      out.push(hit);
      return;
    }
    const ids = hit ?? this.#mergeChunk(chunk);
    if (hit === undefined) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(chunk, ids.length === 1 ? ids[0] : ids);
    }
    for (let k = 0; k < ids.length; k++) out.push(ids[k]);
  }

  /** BPE inside one chunk: repeatedly apply the lowest-ranked merge present, leftmost first. */
  #mergeChunk(chunk: string): number[] {
    let ascii = true;
    for (let i = 0; ascii && i < chunk.length; i++) {
      ascii = chunk.charCodeAt(i) < 128;
    }
    const ids: number[] = [];
    if (ascii) { // ASCII is its own UTF-8: skip the encoder for the common case
      for (let i = 0; i < chunk.length; i++) {
        ids.push(this.#byteToId[chunk.charCodeAt(i)]);
      }
    } else {
      for (const b of this.#utf8.encode(chunk)) ids.push(this.#byteToId[b]);
    }
    return mergeChunk(ids, this.#rank, this.#mergeId);
  }
}

function wellFormed(text: string, where: string): void {
  if (text.isWellFormed()) return;
  const at = [...text].findIndex((ch) => {
    const c = ch.charCodeAt(0);
    return ch.length === 1 && c >= 0xd800 && c <= 0xdfff;
  });
  throw new Error(
    `${where}: the text has a lone UTF-16 surrogate (code point #${at}), which has no UTF-8 ` +
      `encoding; repair it first, e.g. with text.toWellFormed().`,
  );
}

function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "gu");
  } catch (e) {
    throw new Error(
      `ByteBPE: pre-split pattern is not a valid regex: ${(e as Error).message}`,
    );
  }
}

function startsWith(t: Uint8Array, part: Uint8Array, at: number): boolean {
  for (let i = 0; i < part.length; i++) if (t[at + i] !== part[i]) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function show(bytes: Uint8Array): string {
  return JSON.stringify(bytesToChars(bytes));
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}
