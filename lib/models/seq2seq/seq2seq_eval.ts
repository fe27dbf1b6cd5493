/**
 * Exact-match and token accuracy of translations, grouped by source length: the measurement
 * that shows whether a fixed-size context vector forgets long inputs.
 *
 * Token accuracy compares position by position: output word i is right when it equals
 * reference word i. The denominator is the longer of the two, so missing and extra words
 * both count as errors.
 *
 * @module
 */
import { splitWords } from "./seq2seq_data.ts";

/** Scores of one group of sentences. */
export interface LengthRow {
  /** Source length in words (the group's lower bound when grouping several lengths). */
  length: number;
  /** Sentences in the group. */
  count: number;
  /** Fraction translated exactly. */
  exactMatch: number;
  /** Fraction of word positions right (see the module doc). */
  tokenAccuracy: number;
}

/**
 * Scores one translation: whether it is exact, and how many positions are right out of how
 * many.
 *
 * @example
 * ```ts
 * import { scoreTranslation } from "./seq2seq_eval.ts";
 * console.log(scoreTranslation("il cane dorme", "il gatto dorme")); // { exact: false, correct: 2, total: 3 }
 * ```
 */
export function scoreTranslation(
  prediction: string,
  reference: string,
): { exact: boolean; correct: number; total: number } {
  const p = splitWords(prediction), r = splitWords(reference);
  let correct = 0;
  for (let i = 0; i < Math.min(p.length, r.length); i++) {
    if (p[i] === r[i]) correct++;
  }
  const total = Math.max(p.length, r.length);
  return {
    exact: p.length === r.length && correct === r.length,
    correct,
    total,
  };
}

/**
 * Groups predictions by source length (`bucket` consecutive lengths per group) and scores
 * each group, plus the overall scores.
 *
 * @example
 * ```ts
 * import { accuracyByLength } from "./seq2seq_eval.ts";
 * const pairs = [{ source: "let's go", target: "andiamo" }, { source: "the dog sleeps", target: "il cane dorme" }];
 * const { rows, overall } = accuracyByLength(["andiamo", "il cane corre"], pairs);
 * console.log(rows, overall); // length 2: exact 1; length 3: exact 0, tokens 2/3
 * ```
 */
export function accuracyByLength(
  predictions: readonly string[],
  pairs: readonly { source: string; target: string }[],
  bucket = 1,
): { rows: LengthRow[]; overall: LengthRow } {
  if (predictions.length !== pairs.length) {
    throw new Error(
      `accuracyByLength: ${predictions.length} predictions for ${pairs.length} pairs; pass one per pair.`,
    );
  }
  if (pairs.length === 0) {
    throw new Error("accuracyByLength: no pairs to score.");
  }
  if (!Number.isInteger(bucket) || bucket < 1) {
    throw new Error(
      `accuracyByLength: bucket must be a positive integer, got ${bucket}`,
    );
  }
  const groups = new Map<
    number,
    { n: number; exact: number; ok: number; tot: number }
  >();
  const all = { n: 0, exact: 0, ok: 0, tot: 0 };
  pairs.forEach((pair, i) => {
    const len = splitWords(pair.source).length;
    const key = Math.floor((len - 1) / bucket) * bucket + 1;
    const g = groups.get(key) ?? { n: 0, exact: 0, ok: 0, tot: 0 };
    groups.set(key, g);
    const s = scoreTranslation(predictions[i], pair.target);
    for (const acc of [g, all]) {
      acc.n++;
      acc.exact += s.exact ? 1 : 0;
      acc.ok += s.correct;
      acc.tot += s.total;
    }
  });
  const row = (length: number, g: typeof all): LengthRow => ({
    length,
    count: g.n,
    exactMatch: g.exact / g.n,
    tokenAccuracy: g.tot === 0 ? 1 : g.ok / g.tot,
  });
  const rows = [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([k, g]) => row(k, g));
  return { rows, overall: row(0, all) };
}

/**
 * Translates `pairs` in batches with `model` and scores them by length (see
 * {@link accuracyByLength}). Returns the predictions too.
 *
 * @example
 * ```ts
 * import { evaluateByLength } from "./seq2seq_eval.ts";
 * const echo = { translate: (s: readonly string[]) => [...s] }; // a "model" that copies its input
 * const r = evaluateByLength(echo, [{ source: "ciao", target: "ciao" }]);
 * console.log(r.overall.exactMatch); // 1
 * ```
 */
export function evaluateByLength(
  model: { translate(sentences: readonly string[]): string[] },
  pairs: readonly { source: string; target: string }[],
  options: { batchSize?: number; bucket?: number } = {},
): { rows: LengthRow[]; overall: LengthRow; predictions: string[] } {
  const { batchSize = 200, bucket = 1 } = options;
  const predictions: string[] = [];
  for (let s = 0; s < pairs.length; s += batchSize) {
    predictions.push(
      ...model.translate(pairs.slice(s, s + batchSize).map((p) => p.source)),
    );
  }
  return { ...accuracyByLength(predictions, pairs, bucket), predictions };
}

/**
 * A plain-text table of several models' rows side by side (exact match / token accuracy, %).
 *
 * @example
 * ```ts
 * import { formatLengthTable } from "./seq2seq_eval.ts";
 * const row = { length: 2, count: 10, exactMatch: 0.9, tokenAccuracy: 0.95 };
 * console.log(formatLengthTable({ lstm: [row] }));
 * ```
 */
export function formatLengthTable(
  results: Record<string, LengthRow[]>,
): string {
  const names = Object.keys(results);
  const lengths = [
    ...new Set(names.flatMap((n) => results[n].map((r) => r.length))),
  ]
    .sort((a, b) => a - b);
  const head = ["length", "n", ...names.map((n) => `${n} exact/token %`)];
  const lines = lengths.map((L) => {
    const cells = names.map((n) => {
      const r = results[n].find((x) => x.length === L);
      return r ? `${(100 * r.exactMatch).toFixed(1)} / ${(100 * r.tokenAccuracy).toFixed(1)}` : "-";
    });
    const count = Math.max(
      ...names.map((n) => results[n].find((x) => x.length === L)?.count ?? 0),
    );
    return [String(L), String(count), ...cells];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  return [fmt(head), ...lines.map(fmt)].join("\n");
}
