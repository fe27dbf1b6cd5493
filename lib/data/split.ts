/**
 * The train/validation split: a fixed cut, not a shuffle, so the validation text is a
 * contiguous stretch the model never trains on.
 *
 * @module
 */

/**
 * Splits `tokens` into the first `1 - valFraction` (train) and the rest (val).
 *
 * Typed arrays come back as views (`subarray`) that share memory with `tokens`; plain arrays
 * come back as copies. Deterministic: the cut is `floor(length * (1 - valFraction))`.
 *
 * @example
 * ```ts
 * import { splitTrainVal } from "./split.ts";
 * const { train, val } = splitTrainVal(new Int32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.2);
 * console.log(train.length, val.length); // 8 2
 * ```
 */
export function splitTrainVal<T extends ArrayLike<number>>(
  tokens: T,
  valFraction = 0.1,
): { train: T; val: T } {
  if (!(valFraction > 0 && valFraction < 1)) {
    throw new Error(
      `splitTrainVal: valFraction must be between 0 and 1 (exclusive), got ${valFraction}; ` +
        `0.1 keeps the last 10% for validation.`,
    );
  }
  const n = Math.floor(tokens.length * (1 - valFraction));
  // The validation part can only come out empty when 1 - valFraction rounds to 1 (f < 1e-16).
  if (n === 0 || n === tokens.length) {
    throw new Error(
      `splitTrainVal: ${tokens.length} tokens with valFraction ${valFraction} leave an empty ` +
        `${n === 0 ? "train" : "validation"} set; use a longer text or a different valFraction.`,
    );
  }
  const cut = tokens as unknown as {
    subarray?: (a: number, b?: number) => T;
    slice?: (a: number, b?: number) => T;
  };
  if (typeof cut.subarray === "function") {
    return { train: cut.subarray(0, n), val: cut.subarray(n) };
  }
  if (typeof cut.slice === "function") {
    return { train: cut.slice(0, n), val: cut.slice(n) };
  }
  throw new Error(
    "splitTrainVal: tokens must be an array or a typed array (it has neither subarray nor slice).",
  );
}
