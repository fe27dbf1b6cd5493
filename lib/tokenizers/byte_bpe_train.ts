/**
 * Learning byte-level BPE merges, fast.
 *
 * The textbook loop (count every adjacent pair, merge the most frequent, repeat) recounts the
 * whole corpus once per merge. Here the corpus is first reduced to its distinct pre-split chunks
 * with their counts (tiny Shakespeare: about 300k chunks but only 25k distinct), then a merge
 * only touches the places where its pair occurs:
 *
 * - every chunk's tokens sit in one flat array, chained by `next` / `prev` links so a merge can
 *   delete the right-hand token without shifting anything;
 * - `counts` holds the weighted count of every adjacent pair, and `where` the positions at which
 *   it was seen (entries may go stale; they are checked when used);
 * - a max-heap yields the most frequent pair; counts that dropped since an entry was pushed are
 *   detected on pop and re-queued.
 *
 * @module
 */

import { PairHeap } from "./_heap.ts";

/**
 * Learns `numMerges` merges over byte sequences, each weighted by how often it occurs.
 *
 * Token ids 0-255 are the bytes themselves; merge `r` creates id `256 + r`. Pairs never cross a
 * chunk boundary. The most frequent pair wins; ties go to the smallest `(left, right)` id pair,
 * so training is deterministic and independent of input order. Stops early (returning fewer
 * merges) when no adjacent pair is left, i.e. every chunk has become a single token.
 *
 * @param chunks distinct chunks (e.g. pre-split words) and how many times each occurs
 * @param numMerges how many merges to learn at most
 * @returns the merged `[left, right]` id pairs in the order they were learned
 *
 * @example
 * ```ts
 * import { learnByteMerges } from "./byte_bpe_train.ts";
 * const merges = learnByteMerges(new Map([["hug", 10], ["pug", 5], ["hugs", 5]]), 2);
 * console.log(merges); // [ [ 117, 103 ], [ 104, 256 ] ]  i.e. "u"+"g", then "h"+"ug"
 * ```
 */
export function learnByteMerges(
  chunks: ReadonlyMap<string, number>,
  numMerges: number,
): [number, number][] {
  if (!Number.isInteger(numMerges) || numMerges < 0) {
    throw new RangeError(
      `numMerges must be a non-negative integer, got ${numMerges}.`,
    );
  }
  // Pair keys are left * V + right: unique, ordered like (left, right), and small integers
  // (fast Map keys) while V * V < 2^30.
  const V = 256 + numMerges;

  // Flatten all distinct chunks into one token array; -1 links mark chunk ends.
  const utf8 = new TextEncoder();
  const encoded: Uint8Array[] = [];
  const weights: number[] = [];
  let total = 0;
  for (const [chunk, count] of chunks) {
    const bytes = utf8.encode(chunk);
    if (bytes.length < 2) continue; // a single byte can never be part of a merge
    encoded.push(bytes);
    weights.push(count);
    total += bytes.length;
  }
  const sym = new Int32Array(total); // token id at each position, -1 once merged away
  const next = new Int32Array(total);
  const prev = new Int32Array(total);
  const weight = new Float64Array(total); // count of the chunk each position belongs to
  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  let pos = 0;
  for (let c = 0; c < encoded.length; c++) {
    const bytes = encoded[c], w = weights[c], start = pos;
    for (let k = 0; k < bytes.length; k++, pos++) {
      sym[pos] = bytes[k];
      prev[pos] = k === 0 ? -1 : pos - 1;
      next[pos] = k === bytes.length - 1 ? -1 : pos + 1;
      weight[pos] = w;
      if (pos > start) {
        const key = bytes[k - 1] * V + bytes[k];
        counts.set(key, (counts.get(key) ?? 0) + w);
        const list = where.get(key);
        if (list === undefined) where.set(key, [pos - 1]);
        else list.push(pos - 1);
      }
    }
  }

  // Max-heap on count via a min-heap on -count; the tie field is the pair key itself.
  const heap = new PairHeap();
  for (const [key, count] of counts) heap.push(-count, key);

  const add = (key: number, w: number, at: number) => {
    counts.set(key, (counts.get(key) ?? 0) + w);
    const list = where.get(key);
    if (list === undefined) where.set(key, [at]);
    else list.push(at);
  };
  const sub = (key: number, w: number) => counts.set(key, counts.get(key)! - w);

  const merges: [number, number][] = [];
  const touched = new Set<number>();
  while (merges.length < numMerges && heap.pop()) {
    const key = heap.tie;
    const count = counts.get(key) ?? 0;
    if (count <= 0) continue; // already merged, or every occurrence was absorbed
    if (count !== -heap.key) { // count fell since this entry was pushed: requeue it
      heap.push(-count, key);
      continue;
    }
    const a = Math.floor(key / V), b = key - a * V;
    const id = 256 + merges.length;
    merges.push([a, b]);

    // Left to right, so overlapping runs like "aaa" merge as (aa)a, the way encoding does.
    const list = where.get(key)!.sort((x, y) => x - y);
    touched.clear();
    for (const i of list) {
      if (sym[i] !== a) continue; // stale: this position changed since it was recorded
      const j = next[i];
      if (j < 0 || sym[j] !== b) continue;
      const w = weight[i], p = prev[i], n = next[j];
      if (p >= 0) { // (x, a) becomes (x, ab)
        sub(sym[p] * V + a, w);
        add(sym[p] * V + id, w, p);
        touched.add(sym[p] * V + id);
      }
      if (n >= 0) { // (b, y) becomes (ab, y)
        sub(b * V + sym[n], w);
        add(id * V + sym[n], w, i);
        touched.add(id * V + sym[n]);
        prev[n] = i;
      }
      sym[i] = id;
      sym[j] = -1;
      next[i] = n;
    }
    counts.delete(key);
    where.delete(key);
    for (const k of touched) {
      const c = counts.get(k)!;
      if (c > 0) heap.push(-c, k);
    }
  }
  return merges;
}
