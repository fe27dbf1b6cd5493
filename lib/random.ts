/**
 * A small seeded pseudo-random generator (mulberry32), so that data sampling, initialisation
 * and generation are reproducible from one integer seed.
 *
 * @module
 */

/**
 * Seeded generator of uniform and normal numbers.
 *
 * @example
 * ```ts
 * import { Rng } from "./random.ts";
 * const rng = new Rng(42);
 * console.log(rng.int(10), rng.uniform(), rng.normal());
 * ```
 */
export class Rng {
  #state: number;
  #spare: number | undefined;

  /** Starts the sequence from `seed` (any integer). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new Error(`Rng seed must be a finite number, got ${seed}`);
    }
    this.#state = seed >>> 0;
  }

  /** The generator's state, to save and later {@link Rng.restore}. */
  get state(): number {
    return this.#state;
  }

  /** Continues a sequence from a saved {@link Rng.state}. */
  static restore(state: number): Rng {
    return new Rng(state);
  }

  /** A uniform number in [0, 1). */
  uniform(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int needs n >= 1, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal number (Box-Muller). */
  normal(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
