/**
 * Generated sequence-classification tasks (notebook 03): a whole sequence in, one label out.
 * `firstTokenTask` tests long-range memory (the label is the first symbol, every later symbol
 * is noise); `motifTask` is a toy stand-in for "does this DNA contain a pattern".
 *
 * @module
 */
import { Rng } from "../random.ts";

/** A labelled set of symbol sequences, all of one length. */
export interface SequenceTask {
  /** `count` sequences of symbol ids in `[0, symbols)`. */
  ids: number[][];
  /** One class per sequence. */
  labels: number[];
  /** Alphabet size. */
  symbols: number;
  /** Number of classes. */
  classes: number;
}

function checkCount(name: string, count: number, length: number, minLength: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`${name}: count must be a positive integer, got ${count}.`);
  }
  if (!Number.isInteger(length) || length < minLength) {
    throw new Error(`${name}: length must be an integer >= ${minLength}, got ${length}.`);
  }
}

/**
 * Sequences of `length` uniform symbols whose label is the first symbol: a model must carry
 * the first input through `length - 1` distracting steps. Chance accuracy is `1 / symbols`.
 *
 * @example
 * ```ts
 * import { firstTokenTask } from "./sequence_tasks.ts";
 * const t = firstTokenTask({ seed: 0, count: 3, length: 5, symbols: 4 });
 * console.log(t.ids[0], "->", t.labels[0]); // the label equals t.ids[0][0]
 * ```
 */
export function firstTokenTask(
  options: { seed: number; count: number; length: number; symbols?: number },
): SequenceTask {
  const { seed, count, length, symbols = 4 } = options;
  checkCount("firstTokenTask", count, length, 1);
  if (!Number.isInteger(symbols) || symbols < 2) {
    throw new Error(`firstTokenTask: symbols must be an integer >= 2, got ${symbols}.`);
  }
  const rng = new Rng(seed);
  const ids = Array.from({ length: count }, () => Array.from({ length }, () => rng.int(symbols)));
  return { ids, labels: ids.map((s) => s[0]), symbols, classes: symbols };
}

/**
 * Random sequences over A, C, G, T (ids 0-3), half of which (chosen at random) contain `motif`
 * at a random position: label 1 if the motif occurs anywhere, else 0. Negative sequences are
 * redrawn until they lack the motif, so labels are exact. Chance accuracy is 50%.
 *
 * @example
 * ```ts
 * import { motifTask } from "./sequence_tasks.ts";
 * const t = motifTask({ seed: 0, count: 4, length: 20, motif: "TATA" });
 * console.log(t.ids[0].map((i) => "ACGT"[i]).join(""), t.labels[0]);
 * ```
 */
export function motifTask(
  options: { seed: number; count: number; length: number; motif?: string },
): SequenceTask {
  const { seed, count, length, motif = "TATA" } = options;
  if (!/^[ACGT]+$/.test(motif)) {
    throw new Error(`motifTask: motif must be letters A, C, G, T only, got "${motif}".`);
  }
  checkCount("motifTask", count, length, motif.length);
  const rng = new Rng(seed);
  const m = [...motif].map((ch) => "ACGT".indexOf(ch));
  const has = (s: number[]) => s.join(",").includes(m.join(","));
  const ids: number[][] = [], labels: number[] = [];
  for (let n = 0; n < count; n++) {
    const label = rng.int(2);
    let s: number[];
    do {
      s = Array.from({ length }, () => rng.int(4));
      if (label) s.splice(rng.int(length - m.length + 1), m.length, ...m);
    } while (!label && has(s));
    ids.push(s);
    labels.push(label);
  }
  return { ids, labels, symbols: 4, classes: 2 };
}
