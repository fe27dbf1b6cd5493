/**
 * A hash map from a pair of token ids to a number, for looking up merge ranks. A JavaScript
 * `Map` keyed by `left * vocabSize + right` works, but with GPT-2's 50k tokens the keys pass
 * 2^31 and stop being small integers, which makes every lookup slower; here keys stay two int32s.
 *
 * @module
 */

/**
 * Fixed-capacity open-addressing hash map `(a, b) -> value` over typed arrays. Ids and values
 * must be non-negative int32s.
 *
 * @example
 * ```ts
 * import { PairMap } from "./_pair_map.ts";
 * const ranks = new PairMap(2);
 * ranks.set(104, 105, 0);
 * console.log(ranks.get(104, 105), ranks.get(105, 104)); // 0 -1
 * ```
 */
export class PairMap {
  readonly #a: Int32Array;
  readonly #b: Int32Array;
  readonly #value: Int32Array;
  readonly #mask: number;
  #size = 0;
  readonly #capacity: number;

  /** Room for `capacity` entries (the table is kept at most half full). */
  constructor(capacity: number) {
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.#a = new Int32Array(slots).fill(-1);
    this.#b = new Int32Array(slots);
    this.#value = new Int32Array(slots);
    this.#mask = slots - 1;
    this.#capacity = capacity;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The value stored for `(a, b)`, or -1. */
  get(a: number, b: number): number {
    const slot = this.#find(a, b);
    return this.#a[slot] === -1 ? -1 : this.#value[slot];
  }

  /** Stores `value` for `(a, b)`; returns false (and stores nothing) if the pair is already there. */
  set(a: number, b: number, value: number): boolean {
    const slot = this.#find(a, b);
    if (this.#a[slot] !== -1) return false;
    if (this.#size === this.#capacity) {
      throw new RangeError(`PairMap is full (${this.#capacity} entries).`);
    }
    this.#a[slot] = a;
    this.#b[slot] = b;
    this.#value[slot] = value;
    this.#size++;
    return true;
  }

  /** Slot holding `(a, b)`, or the empty slot where it would go (linear probing). */
  #find(a: number, b: number): number {
    const keysA = this.#a, keysB = this.#b, mask = this.#mask;
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    while (keysA[slot] !== -1 && (keysA[slot] !== a || keysB[slot] !== b)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }
}
