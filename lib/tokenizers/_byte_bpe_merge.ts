/**
 * Byte-pair merging inside one pre-split chunk, given ranked merges: repeatedly apply the
 * lowest-ranked merge present, leftmost first, until none applies. This is how GPT-2 (and
 * tiktoken) encode; for merges learned by {@link learnByteMerges} it reproduces the training
 * segmentation.
 *
 * @module
 */

import { PairHeap } from "./_heap.ts";
import type { PairMap } from "./_pair_map.ts";

/** Chunks up to this many bytes use the simple rescan; longer ones the heap. */
const SHORT_CHUNK = 64;

/**
 * Merges token ids in place of their pairs: `rank.get(a, b)` is the rank of merge `(a, b)`
 * (-1 if none) and `mergeId[rank]` the id it produces. `ids` is consumed (modified).
 *
 * @example
 * ```ts
 * import { mergeChunk } from "./_byte_bpe_merge.ts";
 * import { PairMap } from "./_pair_map.ts";
 * const rank = new PairMap(2);
 * rank.set(97, 98, 0); // "a" + "b" -> 256
 * rank.set(256, 99, 1); // "ab" + "c" -> 257
 * console.log(mergeChunk([97, 98, 99, 97, 98], rank, Int32Array.of(256, 257))); // [ 257, 256 ]
 * ```
 */
export function mergeChunk(
  ids: number[],
  rank: PairMap,
  mergeId: Int32Array,
): number[] {
  return ids.length <= SHORT_CHUNK ? mergeShort(ids, rank, mergeId) : mergeLong(ids, rank, mergeId);
}

/** Short chunks (nearly all words): rescan a small array of pair ranks for the minimum. */
function mergeShort(
  ids: number[],
  rank: PairMap,
  mergeId: Int32Array,
): number[] {
  const ranks: number[] = []; // ranks[i]: rank of the pair (ids[i], ids[i + 1]); -1 if none
  for (let i = 0; i + 1 < ids.length; i++) {
    ranks.push(rank.get(ids[i], ids[i + 1]));
  }
  for (;;) {
    let at = -1, best = -1;
    for (let i = 0; i < ranks.length; i++) {
      const r = ranks[i];
      if (r >= 0 && (best < 0 || r < best)) best = ranks[at = i];
    }
    if (at < 0) return ids;
    ids[at] = mergeId[best];
    ids.splice(at + 1, 1);
    ranks.splice(at, 1);
    if (at < ranks.length) ranks[at] = rank.get(ids[at], ids[at + 1]);
    if (at > 0) ranks[at - 1] = rank.get(ids[at - 1], ids[at]);
  }
}

/** Long chunks (runs of spaces, digits, symbols): a heap keeps each merge O(log n). */
function mergeLong(
  ids: number[],
  rank: PairMap,
  mergeId: Int32Array,
): number[] {
  const len = ids.length;
  const sym = Int32Array.from(ids),
    next = new Int32Array(len),
    prev = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    next[i] = i + 1 < len ? i + 1 : -1;
    prev[i] = i - 1;
  }
  // Heap of (rank, left position); stale entries are detected by re-reading the rank.
  const heap = new PairHeap();
  for (let i = 0; i + 1 < len; i++) {
    const r = rank.get(sym[i], sym[i + 1]);
    if (r >= 0) heap.push(r, i);
  }
  while (heap.pop()) {
    const r = heap.key, i = heap.tie;
    const j = next[i];
    if (sym[i] < 0 || j < 0 || rank.get(sym[i], sym[j]) !== r) continue;
    const id = mergeId[r], k = next[j];
    sym[i] = id;
    sym[j] = -1;
    next[i] = k;
    if (k >= 0) {
      prev[k] = i;
      const rr = rank.get(id, sym[k]);
      if (rr >= 0) heap.push(rr, i);
    }
    const p = prev[i];
    if (p >= 0) {
      const rl = rank.get(sym[p], id);
      if (rl >= 0) heap.push(rl, p);
    }
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(sym[i]);
  return out;
}
