/**
 * Byte-level BPE the plain way, to read first: {@link ByteBPE} learns exactly the same merges
 * and produces exactly the same ids, only much faster (an incremental trainer with a heap, and
 * a merge-by-rank encoder with caches). The tests check the two against each other.
 *
 * Training: cut the text into chunks with GPT-2's regex (so merges never glue a word to the
 * space or punctuation after it), turn each chunk into its UTF-8 bytes (ids 0-255), then repeat:
 * count every adjacent pair of ids over all chunks, give the most frequent pair the next id
 * (256, 257, ...), and replace it everywhere. Ties go to the smallest (left, right) pair, so
 * training does not depend on the order chunks were seen.
 *
 * Encoding: cut and convert a new text the same way, then inside each chunk keep merging the
 * adjacent pair that was learned earliest, until no learned pair is left.
 *
 * @module
 */
import { GPT2_PATTERN } from "./byte_unicode.ts";

/** Counts of adjacent id pairs in `ids`, added (times `weight`) into `counts`, keyed "a,b". */
function countPairs(ids: readonly number[], counts: Map<string, number>, weight = 1): void {
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + weight);
  }
}

/** `ids` with every occurrence of the pair (a, b), read left to right, replaced by `id`. */
function mergePair(ids: readonly number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++; // the right-hand id is part of the new token
    } else {
      out.push(ids[i]);
    }
  }
  return out;
}

/** The chunks of `text` under GPT-2's pre-split regex. */
function chunks(text: string): string[] {
  return text.match(new RegExp(GPT2_PATTERN, "gu")) ?? [];
}

/**
 * A readable byte-level BPE tokenizer (minbpe's `RegexTokenizer` in spirit).
 *
 * @example
 * ```ts
 * import { BasicBPE } from "./basic_bpe.ts";
 * const bpe = BasicBPE.train("hug hug pug hugs", 258);
 * console.log(bpe.merges); // [[117, 103], [104, 256]]: "u"+"g", then "h"+"ug"
 * console.log(bpe.decode(bpe.encode("hugs pug")) === "hugs pug"); // true
 * ```
 */
export class BasicBPE {
  /** Learned merges in order: merge `r` turns the pair into id `256 + r`. */
  readonly merges: readonly (readonly [number, number])[];
  /** Bytes of every id (0-255 one byte each, merged ids their parts' bytes joined). */
  readonly #bytes: Uint8Array[];
  /** Rank (merge index) of each learned pair, keyed "a,b". */
  readonly #rank: Map<string, number>;

  /** A tokenizer from merges learned before (e.g. by {@link BasicBPE.train}). */
  constructor(merges: readonly (readonly [number, number])[]) {
    this.merges = merges;
    this.#bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    this.#rank = new Map();
    merges.forEach(([a, b], r) => {
      if (!(a < 256 + r && b < 256 + r && a >= 0 && b >= 0)) {
        throw new Error(`BasicBPE: merge ${r} uses id ${a},${b} before it exists`);
      }
      this.#bytes.push(Uint8Array.from([...this.#bytes[a], ...this.#bytes[b]]));
      this.#rank.set(`${a},${b}`, r);
    });
  }

  /** Learns merges from `text` until the vocabulary has `vocabSize` ids (or no pair is left). */
  static train(text: string, vocabSize: number): BasicBPE {
    if (!Number.isInteger(vocabSize) || vocabSize < 256) {
      throw new Error(`BasicBPE.train: vocabSize must be an integer >= 256, got ${vocabSize}`);
    }
    const utf8 = new TextEncoder();
    // Identical chunks merge identically: keep each distinct chunk once, with its count.
    const weights = new Map<string, number>();
    for (const c of chunks(text)) weights.set(c, (weights.get(c) ?? 0) + 1);
    let words = [...weights].map(([c, w]) => ({ ids: [...utf8.encode(c)], w }));
    const merges: [number, number][] = [];
    while (256 + merges.length < vocabSize) {
      const counts = new Map<string, number>();
      for (const { ids, w } of words) countPairs(ids, counts, w);
      let best: [number, number] | undefined, bestCount = 0;
      for (const [key, n] of counts) {
        const [a, b] = key.split(",").map(Number);
        const tie = n === bestCount && (a < best![0] || (a === best![0] && b < best![1]));
        if (n > bestCount || tie) [best, bestCount] = [[a, b], n];
      }
      if (!best) break; // every chunk is a single token
      const id = 256 + merges.length;
      merges.push(best);
      words = words.map(({ ids, w }) => ({ ids: mergePair(ids, best![0], best![1], id), w }));
    }
    return new BasicBPE(merges);
  }

  /** Number of ids: 256 bytes plus one per merge. */
  get vocabSize(): number {
    return 256 + this.merges.length;
  }

  /** Token ids of `text`. */
  encode(text: string): number[] {
    const utf8 = new TextEncoder();
    const out: number[] = [];
    for (const chunk of chunks(text)) {
      let ids = [...utf8.encode(chunk)];
      for (;;) {
        // The adjacent pair learned earliest; merging it first replays training's order.
        let bestRank = Infinity, pair: [number, number] | undefined;
        for (let i = 0; i + 1 < ids.length; i++) {
          const r = this.#rank.get(`${ids[i]},${ids[i + 1]}`);
          if (r !== undefined && r < bestRank) [bestRank, pair] = [r, [ids[i], ids[i + 1]]];
        }
        if (!pair) break;
        ids = mergePair(ids, pair[0], pair[1], 256 + bestRank);
      }
      out.push(...ids);
    }
    return out;
  }

  /** The text of `ids` (invalid UTF-8, from a cut inside a character, becomes U+FFFD). */
  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => {
      const b = this.#bytes[id];
      if (!b) throw new RangeError(`BasicBPE.decode: id ${id} is outside [0, ${this.vocabSize})`);
      return b;
    });
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new TextDecoder().decode(all);
  }
}
