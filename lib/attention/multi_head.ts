/**
 * Multi-head attention: the width is cut into `nHead` slices, each slice attends on its own,
 * and all heads run as one batched product (heads are a batch dimension, never a loop).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random.ts";
import { filledVariable, normalVariable } from "../nn/init.ts";
import { scaledDotProductAttention } from "./scaled_dot_product.ts";

/**
 * (B, T, C) -> (B, nh, T, C/nh).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { splitHeads } from "./multi_head.ts";
 * console.log(splitHeads(tf.zeros([2, 5, 8]), 4).shape); // [2, 4, 5, 2]
 * ```
 */
export function splitHeads(x: tf.Tensor3D, nHead: number): tf.Tensor4D {
  const [B, T, C] = x.shape;
  if (C % nHead !== 0) {
    throw new Error(
      `splitHeads: nHead (${nHead}) must divide the width (${C}).`,
    );
  }
  return tf.transpose(tf.reshape(x, [B, T, nHead, C / nHead]), [0, 2, 1, 3]);
}

/**
 * (B, nh, T, hs) -> (B, T, nh*hs): the inverse of {@link splitHeads}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mergeHeads } from "./multi_head.ts";
 * console.log(mergeHeads(tf.zeros([2, 4, 5, 2])).shape); // [2, 5, 8]
 * ```
 */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [B, nh, T, hs] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B, T, nh * hs]);
}

/** Options for {@link MultiHeadAttention.apply}. */
export interface MultiHeadOptions {
  /** 0/1 mask broadcastable to (B, nh, Tq, Tk), e.g. `causalMask(T)`. */
  mask?: tf.Tensor;
  /** Dropout on the attention weights. */
  dropout?: number;
  /** Seed for the dropout. */
  seed?: number;
}

/**
 * Multi-head attention with its own query, key, value and output projections. Self-attention
 * passes the same tensor as query and memory; encoder-decoder attention passes the encoder's
 * output as memory.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalMask, MultiHeadAttention } from "./mod.ts";
 * const mha = new MultiHeadAttention(16, 4, { seed: 0 });
 * const x = tf.randomNormal([2, 5, 16]) as tf.Tensor3D;
 * console.log(mha.apply(x, x, { mask: causalMask(5) }).shape); // [2, 5, 16]
 * mha.dispose();
 * ```
 */
export class MultiHeadAttention {
  /** Projection weights (in, out) and biases: wq, bq, wk, bk, wv, bv, wo, bo. */
  readonly params: Map<string, tf.Variable> = new Map();
  /** Model width. */
  readonly dModel: number;
  /** Number of heads. */
  readonly nHead: number;

  /** Creates the projections, N(0, 0.02) weights and zero biases from `seed`. */
  constructor(dModel: number, nHead: number, opts: { seed?: number } = {}) {
    if (
      !Number.isInteger(dModel) || dModel < 1 || !Number.isInteger(nHead) ||
      nHead < 1
    ) {
      throw new Error(
        `MultiHeadAttention needs positive integer sizes, got dModel=${dModel}, nHead=${nHead}.`,
      );
    }
    if (dModel % nHead !== 0) {
      throw new Error(
        `MultiHeadAttention: nHead (${nHead}) must divide dModel (${dModel}).`,
      );
    }
    this.dModel = dModel;
    this.nHead = nHead;
    const rng = new Rng(opts.seed ?? 0);
    for (const p of ["q", "k", "v", "o"]) {
      this.params.set(`w${p}`, normalVariable(rng, [dModel, dModel], 0.02));
      this.params.set(`b${p}`, filledVariable([dModel], 0));
    }
  }

  #project(x: tf.Tensor3D, p: string): tf.Tensor3D {
    const [B, T, C] = x.shape;
    const y = tf.add(
      tf.matMul(tf.reshape(x, [B * T, C]), this.params.get(`w${p}`)!),
      this.params.get(`b${p}`)!,
    );
    return tf.reshape(y, [B, T, this.dModel]);
  }

  /** Attends from `query` (B, Tq, C) over `memory` (B, Tk, C); returns (B, Tq, C). */
  apply(
    query: tf.Tensor3D,
    memory: tf.Tensor3D,
    options: MultiHeadOptions = {},
  ): tf.Tensor3D {
    for (const [name, t] of [["query", query], ["memory", memory]] as const) {
      if (t.rank !== 3 || t.shape[2] !== this.dModel) {
        throw new Error(
          `MultiHeadAttention: ${name} must be (B, T, ${this.dModel}), got [${t.shape}].`,
        );
      }
    }
    if (query.shape[0] !== memory.shape[0]) {
      throw new Error(
        `MultiHeadAttention: batch sizes differ (query ${query.shape[0]}, memory ${
          memory.shape[0]
        }).`,
      );
    }
    return tf.tidy(() => {
      const q = splitHeads(this.#project(query, "q"), this.nHead); // (B, nh, Tq, hs)
      const k = splitHeads(this.#project(memory, "k"), this.nHead); // (B, nh, Tk, hs)
      const v = splitHeads(this.#project(memory, "v"), this.nHead);
      const { output } = scaledDotProductAttention(q, k, v, options);
      return this.#project(mergeHeads(output as tf.Tensor4D), "o"); // (B, Tq, C)
    });
  }

  /** Frees the projections. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
