/**
 * A character-level language model whose pieces switch on one at a time: a bigram table, then
 * causal attention (one head or several), a feed-forward MLP, stacked blocks, residual
 * connections and LayerNorm. With everything on it is the notes' model in the layout of the
 * lecture it comes from (ReLU MLP, separate LM head); `GPT` is the GPT-2 layout.
 *
 * Weights are drawn N(0, 1) for the embedding tables (PyTorch's default, which the lecture
 * uses) and N(0, 1/fan_in) for linear layers, so every linear map keeps its input's scale:
 * switching a piece off does not also change the scale that the next piece sees.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { filledVariable, normalVariable } from "../../nn/init.ts";
import { linear } from "../../ops/linear.ts";
import { countParams, requireParam } from "../../nn/params.ts";
import { causalMask } from "../../ops/causal_mask.ts";
import { causalAttentionPacked } from "../../ops/causal_attention.ts";
import { mergeHeads, splitHeads } from "../../attention/multi_head.ts";
import { scaledDotProductAttention } from "../../attention/scaled_dot_product.ts";
import { addPositions } from "../gpt/layers.ts";
import { crossEntropy } from "../../ops/cross_entropy.ts";
import { layerNorm } from "../../ops/layer_norm.ts";
import { type StagedLMConfig, validateStagedLMConfig } from "./staged_lm_config.ts";

/**
 * The staged language model. Parameter names: `bigram` (V, V) for the table; otherwise `wte`,
 * `wpe`, per block `h.{l}.attn.wq|wk|wv` (C, C, no bias, as the notes' `Head`),
 * `h.{l}.attn.proj.*`, `h.{l}.ln_1.*`, `h.{l}.ffwd.fc.*`, `h.{l}.ffwd.proj.*`, `h.{l}.ln_2.*`,
 * then `ln_f.*` and `lm_head.*` (weights stored (in, out)).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { StagedLM } from "./staged_lm.ts";
 * const model = new StagedLM({ vocabSize: 10, blockSize: 8, nEmbd: 16, nHead: 2, nLayer: 1,
 *   feedForward: true, residual: false, layerNorm: false }, { seed: 1 });
 * const idx = tf.tensor2d([[1, 2, 3]], [1, 3], "int32");
 * console.log(model.forward(idx).shape, model.numParams()); // [1, 3, 10] ...
 * model.loss(idx, tf.tensor2d([[2, 3, 4]], [1, 3], "int32")).print(); // near ln 10
 * model.dispose();
 * ```
 */
export class StagedLM {
  /** The validated config. */
  readonly config: StagedLMConfig;
  /** Trainable weights by name (see the class comment). */
  readonly params: Map<string, tf.Variable> = new Map();

  /** Draws the weights of the pieces that are on, deterministically from `seed` (default 0). */
  constructor(config: StagedLMConfig, opts: { seed?: number } = {}) {
    this.config = validateStagedLMConfig({ ...config });
    const { vocabSize: V, blockSize, nEmbd: C, nHead, nLayer } = this.config;
    const { feedForward, residual, layerNorm: ln } = this.config;
    const rng = new Rng(opts.seed ?? 0);
    const normal = (name: string, shape: number[], std: number) =>
      this.params.set(name, normalVariable(rng, shape, std));
    const fill = (name: string, size: number, value: number) =>
      this.params.set(name, filledVariable([size], value));
    const dense = (prefix: string, i: number, o: number) => {
      normal(`${prefix}.weight`, [i, o], 1 / Math.sqrt(i));
      fill(`${prefix}.bias`, o, 0);
    };
    const norm = (prefix: string) => {
      fill(`${prefix}.weight`, C, 1);
      fill(`${prefix}.bias`, C, 0);
    };
    if (nHead === 0) {
      normal("bigram", [V, V], 1);
      return;
    }
    normal("wte", [V, C], 1);
    normal("wpe", [blockSize, C], 1);
    for (let l = 0; l < nLayer; l++) {
      const p = `h.${l}`;
      if (ln) norm(`${p}.ln_1`);
      for (const w of ["wq", "wk", "wv"]) normal(`${p}.attn.${w}`, [C, C], 1 / Math.sqrt(C));
      if (residual) dense(`${p}.attn.proj`, C, C);
      if (feedForward) {
        if (ln) norm(`${p}.ln_2`);
        dense(`${p}.ffwd.fc`, C, 4 * C);
        dense(`${p}.ffwd.proj`, 4 * C, C);
      }
    }
    if (ln) norm("ln_f");
    dense("lm_head", C, V);
  }

  /** Number of trainable parameters. */
  numParams(): number {
    return countParams(this.params);
  }

  #p(name: string): tf.Variable {
    return requireParam(this.params, "StagedLM", name);
  }

  #checkIds(idx: tf.Tensor, what: string): void {
    if (!(idx instanceof tf.Tensor) || idx.rank !== 2 || idx.dtype !== "int32") {
      throw new Error(
        `StagedLM: ${what} must be int32 token ids of shape (B, T); build it with ` +
          `tf.tensor2d(ids, [B, T], "int32").`,
      );
    }
    const T = idx.shape[1] as number;
    if (T < 1 || T > this.config.blockSize) {
      throw new Error(
        `StagedLM: ${what} has ${T} positions, the model has 1 to ${this.config.blockSize}; ` +
          `crop the context to its last ${this.config.blockSize} tokens.`,
      );
    }
  }

  /**
   * Logits (B*T, V) and, with `explicit`, each layer's attention weights (B, nh, T, T). The
   * explicit path is `scaledDotProductAttention` with a causal mask (or none, with
   * `causal: false`), as written in the notes;
   * the other path packs the three projections and runs lib's fused causal kernel (the same
   * function, several times faster on wasm, but it never materialises the weights).
   */
  #run(idx: tf.Tensor2D, explicit: boolean): { logits: tf.Tensor2D; weights: tf.Tensor4D[] } {
    const { vocabSize: V, nEmbd: C, nHead, nLayer, feedForward, residual } = this.config;
    const [B, T] = idx.shape;
    const flat = tf.reshape(idx, [B * T]);
    if (nHead === 0) {
      return { logits: tf.gather(this.#p("bigram"), flat) as tf.Tensor2D, weights: [] };
    }
    const maybeNorm = (x: tf.Tensor2D, name: string) =>
      this.config.layerNorm ? layerNorm(x, this.#p(`${name}.weight`), this.#p(`${name}.bias`)) : x;
    const dense = (x: tf.Tensor2D, name: string) =>
      linear(x, this.#p(`${name}.weight`), this.#p(`${name}.bias`));
    const wpe = this.#p("wpe");
    const pos = T === wpe.shape[0] ? wpe : tf.slice(wpe, [0, 0], [T, C]);
    let x = addPositions(
      tf.gather(this.#p("wte"), flat) as tf.Tensor2D,
      pos as tf.Tensor2D,
      B,
    ); // (B*T, C)
    const causal = this.config.causal ?? true;
    // The fused kernel is causal only; attention over the whole window takes the written-out path.
    explicit ||= !causal;
    const mask = explicit && causal ? causalMask(T) : undefined;
    const weights: tf.Tensor4D[] = [];
    for (let l = 0; l < nLayer; l++) {
      const p = `h.${l}`;
      const a = maybeNorm(x, `${p}.ln_1`);
      const w = (name: string) => this.#p(`${p}.attn.${name}`);
      let y: tf.Tensor2D;
      if (explicit) {
        const heads = (name: string) =>
          splitHeads(tf.reshape(tf.matMul(a, w(name)), [B, T, C]), nHead);
        const att = scaledDotProductAttention(heads("wq"), heads("wk"), heads("wv"), { mask });
        weights.push(att.weights as tf.Tensor4D);
        y = tf.reshape(mergeHeads(att.output as tf.Tensor4D), [B * T, C]);
      } else {
        y = packedAttention(a, B, nHead, tf.concat([w("wq"), w("wk"), w("wv")], 1));
      }
      x = residual ? tf.add(x, dense(y, `${p}.attn.proj`)) : y;
      if (feedForward) {
        const m = maybeNorm(x, `${p}.ln_2`);
        const f = dense(tf.relu(dense(m, `${p}.ffwd.fc`)), `${p}.ffwd.proj`);
        x = residual ? tf.add(x, f) : f;
      }
    }
    const logits = dense(maybeNorm(x, "ln_f"), "lm_head");
    return { logits: tf.reshape(logits, [B * T, V]), weights };
  }

  /** Logits (B, T, V) for ids `idx` (B, T), T <= blockSize. */
  forward(idx: tf.Tensor2D): tf.Tensor3D {
    this.#checkIds(idx, "idx");
    const [B, T] = idx.shape;
    return tf.tidy(() => tf.reshape(this.#run(idx, false).logits, [B, T, this.config.vocabSize]));
  }

  /**
   * The forward pass written out with `scaledDotProductAttention`: logits (B, T, V) and the
   * attention weights of every layer, each (B, nHead, T, T), where row i is how much position i
   * took from each position j <= i. `weights` is empty for the bigram table.
   */
  inspect(idx: tf.Tensor2D): { logits: tf.Tensor3D; weights: tf.Tensor4D[] } {
    this.#checkIds(idx, "idx");
    const [B, T] = idx.shape;
    return tf.tidy(() => {
      const { logits, weights } = this.#run(idx, true);
      return { logits: tf.reshape(logits, [B, T, this.config.vocabSize]), weights };
    });
  }

  /** Mean cross-entropy of predicting `targets` (B, T) from `idx` (B, T). No dropout to seed. */
  loss(
    idx: tf.Tensor2D,
    targets: tf.Tensor2D,
    _opts: { training?: boolean; seed?: number } = {},
  ): tf.Scalar {
    this.#checkIds(idx, "idx");
    this.#checkIds(targets, "targets");
    if (idx.shape[0] !== targets.shape[0] || idx.shape[1] !== targets.shape[1]) {
      throw new Error(
        `StagedLM.loss: idx [${idx.shape}] and targets [${targets.shape}] must have the same shape.`,
      );
    }
    const [B, T] = idx.shape;
    return tf.tidy(() =>
      crossEntropy(this.#run(idx, false).logits, tf.reshape(targets, [B * T]) as tf.Tensor1D)
    );
  }

  /** Frees every weight. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/**
 * Causal attention of `x` (B*T, C) through the packed projection `wqkv` (C, 3C), no biases:
 * (B*T, C). Heads go first in the batch order, the layout lib's fused kernel reads.
 */
function packedAttention(x: tf.Tensor2D, B: number, nHead: number, wqkv: tf.Tensor): tf.Tensor2D {
  const [N, C] = x.shape;
  const T = N / B, hs = C / nHead;
  const qkv = tf.matMul(x, wqkv as tf.Tensor2D); // (B*T, 3C)
  const heads = tf.reshape(
    tf.transpose(tf.reshape(qkv, [N, 3 * nHead, hs]), [1, 0, 2]),
    [3, nHead * B, T, hs],
  ) as tf.Tensor4D;
  const y = causalAttentionPacked(heads); // (nh*B, T, hs): loops on wasm and cpu
  // (nh*B, T, hs) -> (nh, B*T, hs) -> (B*T, nh, hs) -> (B*T, C)
  return tf.reshape(tf.transpose(tf.reshape(y, [nHead, N, hs]), [1, 0, 2]), [N, C]);
}
