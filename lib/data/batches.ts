/**
 * Random training batches from one long token stream, reproducible from a seed: each row is a
 * window of `blockSize` tokens at a random offset, and its target is the same window shifted
 * one token to the right (the next token at every position).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random.ts";

/**
 * Draws `(x, y)` batches of `batchSize` windows of `blockSize` tokens from `data`.
 *
 * The random offsets come from {@link Rng} seeded with `seed`; {@link BatchSampler.state}
 * saves the position in that sequence and {@link BatchSampler.setState} (or
 * {@link BatchSampler.restore}) resumes it, so a resumed run sees the batches it would have seen.
 *
 * @example
 * ```ts
 * import { BatchSampler } from "./batches.ts";
 * const data = Int32Array.from({ length: 100 }, (_, i) => i);
 * const sampler = new BatchSampler(data, 8, 4, 1337);
 * const { x, y } = sampler.next(); // each (4 * 8), row-major
 * console.log(x[0] + 1 === y[0]); // true: y is x shifted by one
 * ```
 */
export class BatchSampler {
  /** The token stream the windows are cut from. */
  readonly data: Int32Array;
  /** Tokens per row, T. */
  readonly blockSize: number;
  /** Rows per batch, B. */
  readonly batchSize: number;
  #rng: Rng;

  /** Checks the sizes and seeds the offset generator. */
  constructor(
    data: Int32Array,
    blockSize: number,
    batchSize: number,
    seed: number,
  ) {
    if (!(data instanceof Int32Array)) {
      throw new Error(
        `BatchSampler: data must be an Int32Array of token ids, got ${
          Object.prototype.toString.call(data)
        }; convert it with Int32Array.from(tokens).`,
      );
    }
    for (
      const [name, v] of [["blockSize", blockSize], [
        "batchSize",
        batchSize,
      ]] as const
    ) {
      if (!Number.isInteger(v) || v < 1) {
        throw new Error(
          `BatchSampler: ${name} must be a positive integer, got ${v}.`,
        );
      }
    }
    // A window needs blockSize inputs plus one more token for the last target.
    if (blockSize > data.length - 1) {
      throw new Error(
        `BatchSampler: blockSize ${blockSize} needs at least ${blockSize + 1} tokens ` +
          `(a window plus its shifted target), but data has ${data.length}. Use a smaller ` +
          `blockSize (at most ${Math.max(0, data.length - 1)}) or more data (for a validation ` +
          `split, a larger valFraction).`,
      );
    }
    if (!Number.isFinite(seed)) {
      throw new Error(
        `BatchSampler: seed must be a finite number, got ${seed}.`,
      );
    }
    this.data = data;
    this.blockSize = blockSize;
    this.batchSize = batchSize;
    this.#rng = new Rng(seed);
  }

  /**
   * Resumes a sampler from a saved {@link BatchSampler.state}.
   *
   * @example
   * ```ts
   * import { BatchSampler } from "./batches.ts";
   * const data = Int32Array.from({ length: 50 }, (_, i) => i % 7);
   * const a = new BatchSampler(data, 4, 2, 7);
   * a.next();
   * const b = BatchSampler.restore(data, 4, 2, a.state);
   * console.log(a.next().x.join() === b.next().x.join()); // true
   * ```
   */
  static restore(
    data: Int32Array,
    blockSize: number,
    batchSize: number,
    state: number,
  ): BatchSampler {
    const sampler = new BatchSampler(data, blockSize, batchSize, 0);
    sampler.setState(state);
    return sampler;
  }

  /**
   * The offset generator's state: save it with a checkpoint to resume the batch sequence.
   *
   * @example
   * ```ts
   * import { BatchSampler } from "./batches.ts";
   * const s = new BatchSampler(new Int32Array(20), 4, 2, 1);
   * console.log(typeof s.state); // "number"
   * ```
   */
  get state(): number {
    return this.#rng.state;
  }

  /**
   * Continues from a saved {@link BatchSampler.state}.
   *
   * @example
   * ```ts
   * import { BatchSampler } from "./batches.ts";
   * const s = new BatchSampler(new Int32Array(20), 4, 2, 1);
   * const saved = s.state;
   * const first = s.next().x.join();
   * s.setState(saved);
   * console.log(s.next().x.join() === first); // true
   * ```
   */
  setState(state: number): void {
    this.#rng = Rng.restore(state);
  }

  /**
   * The next batch as flat row-major arrays: `x[b * T + t]` is token t of row b, and
   * `y[b * T + t]` is the token after it.
   *
   * @example
   * ```ts
   * import { BatchSampler } from "./batches.ts";
   * const s = new BatchSampler(Int32Array.from({ length: 30 }, (_, i) => i), 5, 3, 42);
   * const { x, y } = s.next(); // (3 * 5) each
   * console.log(x.length, y[4] === x[4] + 1);
   * ```
   */
  next(): { x: Int32Array; y: Int32Array } {
    const B = this.batchSize, T = this.blockSize;
    const x = new Int32Array(B * T); // (B, T)
    const y = new Int32Array(B * T); // (B, T)
    const offsets = this.data.length - T; // window starts 0 .. length - T - 1 keep y in range
    for (let b = 0; b < B; b++) {
      const i = this.#rng.int(offsets);
      x.set(this.data.subarray(i, i + T), b * T);
      y.set(this.data.subarray(i + 1, i + T + 1), b * T);
    }
    return { x, y };
  }

  /**
   * The next batch as int32 tensors of shape (B, T). The caller disposes them (or calls this
   * inside `tf.tidy`).
   *
   * @example
   * ```ts
   * import { BatchSampler } from "./batches.ts";
   * const s = new BatchSampler(Int32Array.from({ length: 30 }, (_, i) => i), 5, 3, 42);
   * const { x, y } = s.nextTensors();
   * console.log(x.shape, y.dtype); // [3, 5] "int32"
   * x.dispose();
   * y.dispose();
   * ```
   */
  nextTensors(): { x: tf.Tensor2D; y: tf.Tensor2D } {
    const { x, y } = this.next();
    const shape: [number, number] = [this.batchSize, this.blockSize];
    return {
      x: tf.tensor2d(x, shape, "int32"),
      y: tf.tensor2d(y, shape, "int32"),
    };
  }
}
