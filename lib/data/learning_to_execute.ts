/**
 * "Learning to execute" data: additions written as text, `"37+485"` -> `"522"`, the task of
 * Zaremba and Sutskever's paper in its simplest form. Operand lengths are controlled so that
 * accuracy can be measured against the number of digits.
 *
 * @module
 */
import { Rng } from "../random.ts";

/** One addition problem: `source` like `"37+485"`, `target` like `"522"`. */
export interface AdditionPair {
  /** The program text. */
  source: string;
  /** What it evaluates to. */
  target: string;
}

/** The characters additions are written with; the space pads to a fixed width. */
export const ADDITION_ALPHABET = " 0123456789+";

/** Options for {@link generateAdditions}. */
export interface AdditionOptions {
  /** Seed of the generator (default 0). */
  seed?: number;
  /** Number of problems. */
  count: number;
  /** Fewest digits of an operand (default 1). */
  minDigits?: number;
  /** Most digits of an operand (default 3). */
  maxDigits?: number;
}

/**
 * Random additions of two non-negative integers; each operand's digit count is uniform in
 * [minDigits, maxDigits], then the number is uniform among numbers with that many digits.
 *
 * @example
 * ```ts
 * import { generateAdditions } from "./learning_to_execute.ts";
 * const [p] = generateAdditions({ seed: 1, count: 1 });
 * console.log(p.source, "=", p.target); // e.g. 37+485 = 522
 * ```
 */
export function generateAdditions(options: AdditionOptions): AdditionPair[] {
  const { seed = 0, count, minDigits = 1, maxDigits = 3 } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(
      `generateAdditions: count must be an integer >= 0, got ${count}`,
    );
  }
  if (
    !Number.isInteger(minDigits) || !Number.isInteger(maxDigits) ||
    minDigits < 1 || maxDigits < minDigits || maxDigits > 15
  ) {
    // Past 15 digits the sum no longer fits exactly in a double.
    throw new Error(
      `generateAdditions: need integers 1 <= minDigits <= maxDigits <= 15, got ${minDigits}..${maxDigits}`,
    );
  }
  const rng = new Rng(seed);
  const operand = () => {
    const d = minDigits + rng.int(maxDigits - minDigits + 1);
    const lo = d === 1 ? 0 : 10 ** (d - 1);
    return lo + Math.floor(rng.uniform() * (10 ** d - lo));
  };
  return Array.from({ length: count }, () => {
    const a = operand(), b = operand();
    return { source: `${a}+${b}`, target: String(a + b) };
  });
}

/** Train, validation and test additions with no problem shared between splits. */
export interface AdditionSplits {
  /** Problems to fit on. */
  train: AdditionPair[];
  /** Problems for model selection. */
  validation: AdditionPair[];
  /** Problems reported at the end. */
  test: AdditionPair[];
}

/**
 * Disjoint splits of additions. With 1-digit operands only 100 problems exist, so the
 * request must fit in the number of distinct problems.
 *
 * @example
 * ```ts
 * import { generateAdditionSplits } from "./learning_to_execute.ts";
 * const s = generateAdditionSplits({ seed: 0, train: 1000, validation: 100, test: 200, maxDigits: 3 });
 * console.log(s.train.length, s.test[0]);
 * ```
 */
export function generateAdditionSplits(
  options: {
    seed?: number;
    train: number;
    validation: number;
    test: number;
    minDigits?: number;
    maxDigits?: number;
  },
): AdditionSplits {
  const { seed = 0, train, validation, test, minDigits = 1, maxDigits = 3 } = options;
  const total = train + validation + test;
  const distinct = (() => {
    let n = 0;
    for (let d = minDigits; d <= maxDigits; d++) {
      n += d === 1 ? 10 : 9 * 10 ** (d - 1);
    }
    return n * n;
  })();
  if (total > distinct / 2) {
    throw new Error(
      `generateAdditionSplits: ${total} problems asked for but only ${distinct} distinct additions ` +
        `have ${minDigits}..${maxDigits}-digit operands; raise maxDigits or ask for fewer`,
    );
  }
  const seen = new Set<string>();
  const out: AdditionPair[] = [];
  let round = 0;
  while (out.length < total) {
    const batch = generateAdditions({
      seed: seed * 7919 + round++,
      count: total - out.length,
      minDigits,
      maxDigits,
    });
    for (const p of batch) {
      if (seen.has(p.source)) continue;
      seen.add(p.source);
      out.push(p);
    }
  }
  return {
    train: out.slice(0, train),
    validation: out.slice(train, train + validation),
    test: out.slice(train + validation),
  };
}
