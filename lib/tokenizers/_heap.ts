/**
 * A binary min-heap of number pairs, ordered by the first number then the second. BPE needs
 * "the best pair next" over and over while counts change; entries are never updated in place,
 * callers push the new value and skip stale entries when they pop them ("lazy deletion").
 *
 * @module
 */

/**
 * Min-heap of `(key, tie)` pairs: `pop()` returns the smallest key, and among equal keys the
 * smallest tie. Both numbers are kept in plain arrays, so pushes and pops allocate nothing.
 *
 * @example
 * ```ts
 * import { PairHeap } from "./_heap.ts";
 * const h = new PairHeap();
 * h.push(5, 1); h.push(2, 9); h.push(2, 3);
 * h.pop(); console.log(h.key, h.tie); // 2 3
 * h.pop(); console.log(h.key, h.tie); // 2 9
 * console.log(h.size); // 1
 * ```
 */
export class PairHeap {
  #keys: number[] = [];
  #ties: number[] = [];
  /** Key of the entry the last `pop()` removed. */
  key = 0;
  /** Tie-breaker of the entry the last `pop()` removed. */
  tie = 0;

  /** Number of entries waiting. */
  get size(): number {
    return this.#keys.length;
  }

  /** Adds an entry. */
  push(key: number, tie: number): void {
    const keys = this.#keys, ties = this.#ties;
    let i = keys.length;
    keys.push(key);
    ties.push(tie);
    while (i > 0) { // sift up
      const p = (i - 1) >> 1;
      if (keys[p] < key || (keys[p] === key && ties[p] <= tie)) break;
      keys[i] = keys[p];
      ties[i] = ties[p];
      i = p;
    }
    keys[i] = key;
    ties[i] = tie;
  }

  /** Removes the smallest entry into `key` / `tie`; returns false when the heap is empty. */
  pop(): boolean {
    const keys = this.#keys, ties = this.#ties;
    const n = keys.length;
    if (n === 0) return false;
    this.key = keys[0];
    this.tie = ties[0];
    const lastKey = keys.pop()!, lastTie = ties.pop()!;
    if (n === 1) return true;
    let i = 0;
    const m = n - 1;
    for (;;) { // sift the former last entry down from the root
      let c = 2 * i + 1;
      if (c >= m) break;
      if (
        c + 1 < m &&
        (keys[c + 1] < keys[c] ||
          (keys[c + 1] === keys[c] && ties[c + 1] < ties[c]))
      ) {
        c++;
      }
      if (lastKey < keys[c] || (lastKey === keys[c] && lastTie <= ties[c])) {
        break;
      }
      keys[i] = keys[c];
      ties[i] = ties[c];
      i = c;
    }
    keys[i] = lastKey;
    ties[i] = lastTie;
    return true;
  }
}
