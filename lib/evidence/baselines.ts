/**
 * The numbers a classifier must beat before its accuracy means anything: always answering the
 * commonest class, and guessing uniformly.
 *
 * The majority baseline takes the commonest label **of the training set** (a model cannot peek
 * at the test labels) and scores it on the test set. On an imbalanced task such as spam vs ham
 * (about 87% ham) it is far above chance, so "80% accuracy" can be worse than doing nothing.
 *
 * @module
 */

/** The majority-class baseline: its label and its accuracy `k/n` on the test labels. */
export interface MajorityBaseline {
  label: number;
  accuracy: number;
  /** Test examples it gets right. */
  k: number;
  /** Test examples. */
  n: number;
}

/**
 * Predicts the commonest training label for every test example (ties go to the smaller label).
 *
 * @example
 * ```ts
 * import { majorityBaseline } from "./baselines.ts";
 * const b = majorityBaseline([0, 0, 0, 1], [0, 1, 0, 0, 1]);
 * console.log(b.label, b.accuracy); // 0 0.6
 * ```
 */
export function majorityBaseline(trainLabels: number[], testLabels: number[]): MajorityBaseline {
  if (trainLabels.length === 0 || testLabels.length === 0) {
    throw new Error(
      `majorityBaseline: needs training and test labels, got ${trainLabels.length} and ` +
        `${testLabels.length}`,
    );
  }
  const counts = new Map<number, number>();
  for (const y of trainLabels) counts.set(y, (counts.get(y) ?? 0) + 1);
  let label = NaN, best = -1;
  for (const [y, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    if (c > best) [label, best] = [y, c];
  }
  const k = testLabels.filter((y) => y === label).length;
  return { label, accuracy: k / testLabels.length, k, n: testLabels.length };
}

/**
 * Accuracy of a uniform guess among `classes` classes, `1 / classes`.
 *
 * @example
 * ```ts
 * import { chanceAccuracy } from "./baselines.ts";
 * console.log(chanceAccuracy(4)); // 0.25
 * ```
 */
export function chanceAccuracy(classes: number): number {
  if (!(Number.isInteger(classes) && classes > 0)) {
    throw new Error(`chanceAccuracy: classes must be a positive whole number, got ${classes}`);
  }
  return 1 / classes;
}
