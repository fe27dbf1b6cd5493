/**
 * Positional encodings: attention itself ignores order, so each position adds a vector that
 * says where it is. Fixed sinusoids (the original Transformer) or a learned table (GPT).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random.ts";
import { normalVariable } from "../nn/init.ts";

/**
 * The (T, d) sinusoidal table: even columns `sin(p / 10000^(2i/d))`, odd columns the matching
 * `cos`. `offset` shifts the positions (for a cache that already holds `offset` tokens).
 *
 * @example
 * ```ts
 * import { sinusoidalPositionalEncoding } from "./positional.ts";
 * sinusoidalPositionalEncoding(4, 6).print();
 * ```
 */
export function sinusoidalPositionalEncoding(
  length: number,
  dim: number,
  offset = 0,
): tf.Tensor2D {
  if (
    !Number.isInteger(length) || length < 1 || !Number.isInteger(dim) ||
    dim < 2 || dim % 2
  ) {
    throw new Error(
      `sinusoidal encoding needs a positive length and an even width >= 2, got ${length} x ${dim}.`,
    );
  }
  const out = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dim / 2; i++) {
      const angle = (p + offset) / Math.pow(10000, (2 * i) / dim);
      out[p * dim + 2 * i] = Math.sin(angle);
      out[p * dim + 2 * i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(out, [length, dim]);
}

/**
 * A learned (maxLength, dim) position table, initialised N(0, 0.02) from a seed as in GPT-2.
 *
 * @example
 * ```ts
 * import { LearnedPositionalEncoding } from "./positional.ts";
 * const pe = new LearnedPositionalEncoding(16, 8, { seed: 1 });
 * pe.encode(5).print(); // rows 0..4 of the table, shape (5, 8)
 * pe.dispose();
 * ```
 */
export class LearnedPositionalEncoding {
  /** The trainable table, (maxLength, dim). */
  readonly table: tf.Variable;
  /** Longest sequence the table covers. */
  readonly maxLength: number;

  /** Creates the table. */
  constructor(
    maxLength: number,
    dim: number,
    opts: { seed?: number; std?: number } = {},
  ) {
    if (
      !Number.isInteger(maxLength) || maxLength < 1 || !Number.isInteger(dim) ||
      dim < 1
    ) {
      throw new Error(
        `learned positions need positive integer sizes, got ${maxLength} x ${dim}.`,
      );
    }
    const rng = new Rng(opts.seed ?? 0);
    const std = opts.std ?? 0.02;
    this.maxLength = maxLength;
    this.table = normalVariable(rng, [maxLength, dim], std);
  }

  /** Rows `offset .. offset+length-1`, (length, dim). */
  encode(length: number, offset = 0): tf.Tensor2D {
    if (offset + length > this.maxLength) {
      throw new Error(
        `positions ${offset}..${offset + length - 1} exceed the table of ${this.maxLength}; ` +
          `crop the sequence or build a longer table.`,
      );
    }
    return tf.slice(this.table, [offset, 0], [length, -1]) as tf.Tensor2D;
  }

  /** Frees the table. */
  dispose(): void {
    this.table.dispose();
  }
}
