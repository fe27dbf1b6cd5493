/**
 * Word vocabularies and padded batches for the sequence-to-sequence models.
 *
 * Ids 0-3 are reserved: `<pad>` fills short rows, `<bos>` starts every decoder input (the notes
 * start the decoder with EOS; a separate start token does the same job and reads more clearly),
 * `<eos>` ends every target, `<unk>` stands for a word the vocabulary lacks when the caller
 * asks for it with `{ unknown: "unk" }`. By default an unknown word is an error.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Padding id. */
export const PAD = 0;
/** Start-of-sequence id: the decoder's first input. */
export const BOS = 1;
/** End-of-sequence id: the last target of every sentence. */
export const EOS = 2;
/** Unknown-word id, used only when asked for. */
export const UNK = 3;
/**
 * The reserved tokens, in id order.
 *
 * @example
 * ```ts
 * import { EOS, SPECIAL_TOKENS } from "./seq2seq_data.ts";
 * console.log(SPECIAL_TOKENS[EOS]); // "<eos>"
 * ```
 */
export const SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>", "<unk>"] as const;

/** What to do with a word the vocabulary lacks: throw (default) or map it to `<unk>`. */
export type UnknownPolicy = "error" | "unk";

/**
 * A word <-> id table with the reserved tokens first.
 *
 * @example
 * ```ts
 * import { Vocab } from "./seq2seq_data.ts";
 * const v = Vocab.fromSentences(["the dog sleeps", "the cat runs"]);
 * console.log(v.encode("the dog runs"), v.decode(v.encode("the dog runs"))); // [..] "the dog runs"
 * ```
 */
export class Vocab {
  /** Every token, id order. */
  readonly tokens: readonly string[];
  #ids: Map<string, number>;

  /** A vocabulary of the reserved tokens followed by `words` (duplicates dropped). */
  constructor(words: readonly string[]) {
    const tokens: string[] = [...SPECIAL_TOKENS];
    for (const w of words) {
      if (!tokens.includes(w)) tokens.push(w);
    }
    this.tokens = tokens;
    this.#ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /** The sorted words of `sentences` (space-separated), so the ids do not depend on order. */
  static fromSentences(sentences: readonly string[]): Vocab {
    const words = new Set<string>();
    for (const s of sentences) for (const w of splitWords(s)) words.add(w);
    return new Vocab([...words].sort());
  }

  /** Number of tokens, reserved ones included. */
  get size(): number {
    return this.tokens.length;
  }

  /** Whether `word` has an id. */
  has(word: string): boolean {
    return this.#ids.has(word);
  }

  /** Ids of the words of `sentence`, without `<bos>`/`<eos>`. */
  encode(sentence: string, unknown: UnknownPolicy = "error"): number[] {
    return splitWords(sentence).map((w) => {
      const id = this.#ids.get(w);
      if (id !== undefined) return id;
      if (unknown === "unk") return UNK;
      throw new Error(
        `Unknown word "${w}" in "${sentence}": it is not in the training vocabulary ` +
          `(${this.size} tokens). Fix the spelling, or pass unknown: "unk" to map it to <unk>.`,
      );
    });
  }

  /** The words of `ids`, stopping at `<eos>` and skipping `<pad>` and `<bos>`. */
  decode(ids: readonly number[]): string {
    const out: string[] = [];
    for (const id of ids) {
      if (id === EOS) break;
      if (id === PAD || id === BOS) continue;
      out.push(this.tokens[id] ?? "<unk>");
    }
    return out.join(" ");
  }
}

/**
 * Words of a sentence: split on runs of whitespace.
 *
 * @example
 * ```ts
 * import { splitWords } from "./seq2seq_data.ts";
 * console.log(splitWords("  let's   go ")); // ["let's", "go"]
 * ```
 */
export function splitWords(sentence: string): string[] {
  const t = sentence.trim();
  return t === "" ? [] : t.split(/\s+/);
}

/** Padded source ids and their mask. */
export interface EncodedSources {
  /** (B, S) int32 ids, `<pad>` after each sentence. */
  ids: tf.Tensor2D;
  /** (B, S) float32, 1 on real words. */
  mask: tf.Tensor2D;
  /** Words per sentence. */
  lengths: number[];
}

/** A teacher-forcing batch: decoder inputs are the targets shifted right behind `<bos>`. */
export interface Seq2SeqBatch extends EncodedSources {
  /** (B, T) int32: `<bos> y1 .. yn <pad>..`. */
  targetIn: tf.Tensor2D;
  /** (B, T) int32: `y1 .. yn <eos> <pad>..`. */
  targetOut: tf.Tensor2D;
  /** (B, T) float32, 1 where `targetOut` is a real token (the `<eos>` included). */
  targetMask: tf.Tensor2D;
}

/**
 * Encodes and pads source sentences. Throws, before any tensor is made, on an empty batch, an
 * unknown word (unless `unknown` is `"unk"`), or a sentence longer than `maxLength` words.
 *
 * @example
 * ```ts
 * import { encodeSources, Vocab } from "./seq2seq_data.ts";
 * const v = Vocab.fromSentences(["the dog sleeps"]);
 * const { ids, mask } = encodeSources(["the dog sleeps", "the dog"], v, 10);
 * ids.print(); mask.print();
 * ```
 */
export function encodeSources(
  sentences: readonly string[],
  vocab: Vocab,
  maxLength: number,
  unknown: UnknownPolicy = "error",
): EncodedSources {
  const rows = encodeRows(sentences, vocab, maxLength, unknown, "source");
  const S = Math.max(1, ...rows.map((r) => r.length));
  return {
    ids: padded(rows, S, "int32"),
    mask: maskOf(rows, S),
    lengths: rows.map((r) => r.length),
  };
}

/**
 * Encodes source/target pairs into a teacher-forcing batch (see {@link Seq2SeqBatch}).
 *
 * @example
 * ```ts
 * import { makeBatch, Vocab } from "./seq2seq_data.ts";
 * const en = Vocab.fromSentences(["let's go"]), it = Vocab.fromSentences(["andiamo"]);
 * const b = makeBatch([{ source: "let's go", target: "andiamo" }], en, it, 10, 10);
 * b.targetIn.print(); // [[1, 4]]: <bos> andiamo
 * b.targetOut.print(); // [[4, 2]]: andiamo <eos>
 * ```
 */
export function makeBatch(
  pairs: readonly { source: string; target: string }[],
  sourceVocab: Vocab,
  targetVocab: Vocab,
  maxSourceLength: number,
  maxTargetLength: number,
): Seq2SeqBatch {
  const src = encodeRows(
    pairs.map((p) => p.source),
    sourceVocab,
    maxSourceLength,
    "error",
    "source",
  );
  // maxTargetLength counts the <eos>, so a target may have one word fewer.
  const tgt = encodeRows(
    pairs.map((p) => p.target),
    targetVocab,
    maxTargetLength - 1,
    "error",
    "target",
  );
  const S = Math.max(1, ...src.map((r) => r.length));
  const T = Math.max(...tgt.map((r) => r.length)) + 1;
  return {
    ids: padded(src, S, "int32"),
    mask: maskOf(src, S),
    lengths: src.map((r) => r.length),
    targetIn: padded(tgt.map((r) => [BOS, ...r]), T, "int32"),
    targetOut: padded(tgt.map((r) => [...r, EOS]), T, "int32"),
    targetMask: maskOf(tgt.map((r) => [...r, EOS]), T),
  };
}

/**
 * Disposes every tensor of a batch.
 *
 * @example
 * ```ts
 * import { disposeBatch, makeBatch, Vocab } from "./seq2seq_data.ts";
 * const v = Vocab.fromSentences(["a b"]);
 * disposeBatch(makeBatch([{ source: "a b", target: "b a" }], v, v, 4, 4));
 * ```
 */
export function disposeBatch(batch: EncodedSources | Seq2SeqBatch): void {
  tf.dispose(Object.values(batch).filter((t) => t instanceof tf.Tensor));
}

/**
 * Encodes `sentences` as sources, runs `run` on them and frees the encoding, even if `run`
 * throws: the shared shape of every model's `translate`.
 *
 * @example
 * ```ts
 * import { Vocab, withEncodedSources } from "./seq2seq_data.ts";
 * const v = Vocab.fromSentences(["the dog sleeps"]);
 * console.log(withEncodedSources(["the dog"], v, 10, "error", (src) => src.lengths)); // [2]
 * ```
 */
export function withEncodedSources<R>(
  sentences: readonly string[],
  vocab: Vocab,
  maxLength: number,
  unknown: UnknownPolicy | undefined,
  run: (src: EncodedSources) => R,
): R {
  const src = encodeSources(sentences, vocab, maxLength, unknown);
  try {
    return run(src);
  } finally {
    disposeBatch(src);
  }
}

function encodeRows(
  sentences: readonly string[],
  vocab: Vocab,
  maxLength: number,
  unknown: UnknownPolicy,
  what: "source" | "target",
): number[][] {
  if (sentences.length === 0) {
    throw new Error(
      `Empty batch: no ${what} sentences were given. Pass at least one sentence.`,
    );
  }
  return sentences.map((s, i) => {
    const ids = vocab.encode(s, unknown);
    if (ids.length === 0) {
      throw new Error(
        `${what} sentence ${i} is empty; every sentence needs at least one word.`,
      );
    }
    if (ids.length > maxLength) {
      throw new Error(
        `${what} sentence ${i} has ${ids.length} words but the model takes at most ${maxLength} ` +
          `(max${what === "source" ? "Source" : "Target"}Length). Shorten or split it, ` +
          `or build the model with a larger limit.`,
      );
    }
    return ids;
  });
}

function padded(
  rows: number[][],
  width: number,
  dtype: "int32" | "float32",
): tf.Tensor2D {
  const out = new (dtype === "int32" ? Int32Array : Float32Array)(
    rows.length * width,
  );
  rows.forEach((r, i) => out.set(r, i * width)); // PAD is 0
  return tf.tensor2d(out, [rows.length, width], dtype);
}

function maskOf(rows: number[][], width: number): tf.Tensor2D {
  return padded(rows.map((r) => r.map(() => 1)), width, "float32");
}
