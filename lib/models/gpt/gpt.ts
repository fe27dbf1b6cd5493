/**
 * A decoder-only GPT in the GPT-2 layout: token + learned position embeddings, pre-LayerNorm
 * blocks of causal self-attention and a GELU MLP, a final LayerNorm, and an LM head tied to the
 * token embedding. Parameter names and shapes follow Hugging Face's GPT-2 (`Conv1D` weights
 * stored as (in, out)), so weights move to and from PyTorch unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { filledVariable, normalVariable, placeholderVariable } from "../../nn/init.ts";
import { countParams, requireParam } from "../../nn/params.ts";
import {
  causalSelfAttention,
  type CausalSelfAttentionWeights,
  type LayerKV,
} from "../../attention/causal_self_attention.ts";
import { addPositions } from "./layers.ts";
import { crossEntropy } from "../../ops/cross_entropy.ts";
import { gelu } from "../../ops/gelu.ts";
import { layerNorm } from "../../ops/layer_norm.ts";
import { addLayerNorm, branchLayerNorm } from "../../ops/add_layer_norm.ts";
import { linear, matMul2d } from "../../ops/linear.ts";
import { embeddingLookup } from "../../ops/embedding.ts";
import { residualAdd } from "../../ops/residual_add.ts";
import { type GPTConfig, validateGPTConfig } from "./gpt_config.ts";

// The config helpers travel with the model: `import { GPT, gptConfig } from "./gpt.ts"`.
export {
  countParams,
  GPT_PRESETS,
  type GPTConfig,
  gptConfig,
  type GPTPreset,
  type GPTPresetName,
  validateGPTConfig,
} from "./gpt_config.ts";

/** Keys/values of every layer for the tokens seen so far, and how many tokens that is. */
export interface KVCache {
  /** One entry per block, each (B*nh, length, hs). */
  layers: LayerKV[];
  /** Number of cached positions. */
  length: number;
}

/** Options for {@link GPT.forward}. */
export interface ForwardOptions {
  /** Apply dropout (default false). */
  training?: boolean;
  /** Seed for the dropout masks (default: a fresh random seed). */
  seed?: number;
}

/** A weight and an optional bias: a LayerNorm's or a linear layer's (Conv1D layout, (in, out)). */
export interface Affine {
  /** LayerNorm: (C); linear: (in, out). */
  weight: tf.Tensor;
  /** Absent in a bias-free model. */
  bias?: tf.Tensor;
}

/** The weights of one block, named after GPT-2's (`ln_1`, `attn`, `ln_2`, `mlp`). */
export interface BlockWeights {
  /** LayerNorm before the attention. */
  ln1: Affine;
  /** The attention's projections. */
  attn: CausalSelfAttentionWeights;
  /** LayerNorm before the MLP. */
  ln2: Affine;
  /** The MLP: C -> 4C, GELU, 4C -> C. */
  mlp: { fc: Affine; proj: Affine };
}

/** How a block runs: what the whole forward pass shares, and this layer's cache. */
export interface BlockRun {
  /** Sequences in the batch (rows of `x` are batch-major, B*T). */
  batch: number;
  /** Attention heads. */
  nHead: number;
  /** Mask future positions (false: BERT's bidirectional attention). */
  causal: boolean;
  /** Dropout rate, 0 when not training. */
  dropout: number;
  /** The next dropout seed; called once per dropout, in the forward pass's order. */
  nextSeed: () => number;
  /** This layer's keys/values of earlier tokens. */
  past?: LayerKV;
  /** Return this layer's keys/values including the new tokens. */
  cache: boolean;
}

/**
 * One GPT-2 block, as the maths writes it (pre-LayerNorm, residual stream `x`), nanoGPT's
 * `Block.forward`:
 *
 * ```text
 * x = x + attn(ln_1(x))
 * x = x + mlp(ln_2(x))
 * ```
 *
 * The first residual add and `ln_2` after it run as one op, `addLayerNorm` from lib/ops (one
 * TensorFlow op each way where lib's ops are loaded): it hands back both the new stream and its
 * LayerNorm, so the block keeps the shape of the two lines above. Returns the new stream and,
 * when `run.cache`, this layer's keys/values.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { gptBlock } from "./gpt.ts";
 * const C = 8, ones = tf.ones([C]), w = (i: number, o: number) => tf.randomNormal([i, o]);
 * const weights = {
 *   ln1: { weight: ones },
 *   attn: { cAttnW: w(C, 3 * C), cProjW: w(C, C) },
 *   ln2: { weight: ones },
 *   mlp: { fc: { weight: w(C, 4 * C) }, proj: { weight: w(4 * C, C) } },
 * };
 * const run = { batch: 1, nHead: 2, causal: true, dropout: 0, nextSeed: () => 0, cache: false };
 * console.log(gptBlock(tf.randomNormal([3, C]), weights, run).x.shape); // [3, 8]
 * ```
 */
export function gptBlock(
  x: tf.Tensor2D,
  w: BlockWeights,
  run: BlockRun,
): { x: tf.Tensor2D; present?: LayerKV } {
  const drop = <X extends tf.Tensor>(t: X): X =>
    run.dropout > 0 ? tf.dropout(t, run.dropout, undefined, run.nextSeed()) as X : t;
  // x = x + attn(ln_1(x)) ...
  // (the stream goes on as s0; on webgpu its two gradients meet inside LayerNorm's backward)
  const { s: s0, y: a } = branchLayerNorm(x, w.ln1.weight, w.ln1.bias);
  const attn = causalSelfAttention(a, run.batch, run.nHead, w.attn, {
    past: run.past,
    cache: run.cache,
    dropout: run.dropout,
    seed: run.dropout > 0 ? run.nextSeed() : undefined,
    causal: run.causal,
  });
  // ... and ln_2 of the new x, in the same op as the add
  const { s, y } = addLayerNorm(s0, drop(attn.y), w.ln2.weight, w.ln2.bias);
  // x = x + mlp(ln_2(x))
  return { x: residualAdd(s, drop(mlp(y, w.mlp))), present: attn.present };
}

/** GPT-2's MLP: widen to 4C, GELU, project back to C. */
function mlp(x: tf.Tensor2D, w: BlockWeights["mlp"]): tf.Tensor2D {
  const hidden = linear(x, w.fc.weight, w.fc.bias); // (B*T, 4C)
  return linear(gelu(hidden), w.proj.weight, w.proj.bias); // (B*T, C)
}

/**
 * Frees the tensors of a {@link KVCache}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { disposeKVCache, GPT, gptConfig } from "./gpt.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * const { logits, cache } = model.forwardWithCache(tf.tensor2d([[1, 2]], [1, 2], "int32"));
 * logits.dispose();
 * disposeKVCache(cache);
 * model.dispose();
 * ```
 */
export function disposeKVCache(cache: KVCache | undefined): void {
  if (!cache) return;
  for (const { k, v } of cache.layers) tf.dispose([k, v]);
}

/**
 * The GPT model. Weights live in {@link GPT.params} under Hugging Face GPT-2 names.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { GPT, gptConfig } from "./gpt.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 1 });
 * const idx = tf.tensor2d([[1, 2, 3]], [1, 3], "int32");
 * console.log(model.forward(idx).shape); // [1, 3, 10]
 * model.loss(idx, tf.tensor2d([[2, 3, 4]], [1, 3], "int32")).print(); // about ln 10
 * model.dispose();
 * ```
 */
export class GPT {
  /** The validated config. */
  readonly config: GPTConfig;
  /** Trainable weights by Hugging Face GPT-2 name; the LM head reuses `transformer.wte.weight`. */
  readonly params: Map<string, tf.Variable> = new Map();

  /** Whether attention hides future positions (false: a BERT-style bidirectional encoder). */
  readonly causal: boolean;

  /**
   * Initialises the weights as GPT-2 does, deterministically from `seed` (default 0). With
   * `init: "zeros"` the random draw is skipped (seconds for GPT-2 124M): for weights about to be
   * overwritten by a loader. `causal: false` lets every position attend to every other (used by
   * `MaskedLM`).
   */
  constructor(
    config: GPTConfig,
    opts: { seed?: number; init?: "gpt2" | "zeros"; causal?: boolean } = {},
  ) {
    this.config = validateGPTConfig({ ...config });
    this.causal = opts.causal ?? true;
    const { vocabSize: V, blockSize, nLayer, nEmbd: C, bias } = this.config;
    const rng = new Rng(opts.seed ?? 0);
    const normal = (name: string, shape: number[], std: number) => {
      // Weights a loader overwrites: placeholders that cost no memory where the backend allows.
      if (opts.init === "zeros") return void this.params.set(name, placeholderVariable(shape));
      this.params.set(name, normalVariable(rng, shape, std));
    };
    const fill = (name: string, size: number, value: number) => {
      this.params.set(name, filledVariable([size], value));
    };
    // Residual projections add into the stream once per layer twice; shrinking their init by
    // 1/sqrt(2 nLayer) keeps the stream's variance from growing with depth (GPT-2 paper).
    const residualStd = 0.02 / Math.sqrt(2 * nLayer);
    normal("transformer.wte.weight", [V, C], 0.02);
    normal("transformer.wpe.weight", [blockSize, C], 0.02);
    const layerNormParams = (prefix: string) => {
      fill(`${prefix}.weight`, C, 1);
      if (bias) fill(`${prefix}.bias`, C, 0);
    };
    const linear = (prefix: string, i: number, o: number, std: number) => {
      normal(`${prefix}.weight`, [i, o], std);
      if (bias) fill(`${prefix}.bias`, o, 0);
    };
    for (let l = 0; l < nLayer; l++) {
      const p = `transformer.h.${l}`;
      layerNormParams(`${p}.ln_1`);
      linear(`${p}.attn.c_attn`, C, 3 * C, 0.02);
      linear(`${p}.attn.c_proj`, C, C, residualStd);
      layerNormParams(`${p}.ln_2`);
      linear(`${p}.mlp.c_fc`, C, 4 * C, 0.02);
      linear(`${p}.mlp.c_proj`, 4 * C, C, residualStd);
    }
    layerNormParams("transformer.ln_f");
  }

  /** Number of trainable parameters (the tied LM head counted once). */
  numParams(): number {
    return countParams(this.params);
  }

  #p(name: string): tf.Variable {
    return requireParam(this.params, "GPT", name);
  }

  #maybe(name: string): tf.Variable | undefined {
    return this.params.get(name);
  }

  /** Throws before any work when `idx` is not (B, T) int32 ids with T <= room. */
  #checkIds(idx: tf.Tensor, what: string, room: number): void {
    if (!(idx instanceof tf.Tensor)) {
      throw new Error(
        `GPT: ${what} must be a tf.Tensor of token ids, got ${typeof idx}.`,
      );
    }
    if (idx.rank !== 2) {
      throw new Error(
        `GPT: ${what} must have shape (B, T), got rank ${idx.rank} [${idx.shape}]; ` +
          `use tf.tensor2d(ids, [B, T], "int32") or expandDims(0) for one sequence.`,
      );
    }
    if (idx.dtype !== "int32") {
      throw new Error(
        `GPT: ${what} must be int32 token ids, got ${idx.dtype}; create it with dtype "int32".`,
      );
    }
    const [B, T] = idx.shape;
    if (B < 1 || T < 1) {
      throw new Error(`GPT: ${what} is empty [${idx.shape}].`);
    }
    if (T > room) {
      throw new Error(
        `GPT: sequence length ${T} exceeds the ${room} positions available ` +
          `(blockSize ${this.config.blockSize}); crop the context to its last ${room} tokens.`,
      );
    }
    // Ids are range-checked where they enter (checkTokenIds: the trainer's data, generate's
    // prompt, tokenTensor), not here: a read-back per forward costs a sync on every backend.
  }

  /** Block `l`'s weights, typed, from their GPT-2 names (`transformer.h.<l>.…`). */
  #block(l: number): BlockWeights {
    const p = `transformer.h.${l}`;
    const affine = (name: string) => ({
      weight: this.#p(`${p}.${name}.weight`),
      bias: this.#maybe(`${p}.${name}.bias`),
    });
    const cAttn = affine("attn.c_attn"), cProj = affine("attn.c_proj");
    return {
      ln1: affine("ln_1"),
      attn: { cAttnW: cAttn.weight, cAttnB: cAttn.bias, cProjW: cProj.weight, cProjB: cProj.bias },
      ln2: affine("ln_2"),
      mlp: { fc: affine("mlp.c_fc"), proj: affine("mlp.c_proj") },
    };
  }

  /** Final hidden states (B*T, C) for `idx`, optionally continuing from / filling a cache. */
  #hidden(
    idx: tf.Tensor2D,
    training: boolean,
    seed: number,
    past: KVCache | undefined,
    wantCache: boolean,
  ): { h: tf.Tensor2D; cache?: KVCache } {
    const { nLayer, nHead, nEmbd: C, dropout } = this.config;
    const [B, T] = idx.shape;
    const offset = past?.length ?? 0;
    const drop = training && dropout > 0 ? dropout : 0;
    let nextSeed = seed;
    const dropoutOf = <X extends tf.Tensor>(x: X): X =>
      drop > 0 ? tf.dropout(x, drop, undefined, nextSeed++) as X : x;

    const tok = embeddingLookup(
      this.#p("transformer.wte.weight") as tf.Tensor2D,
      tf.reshape(idx, [B * T]) as tf.Tensor1D,
    ); // (B*T, C)
    const wpe = this.#p("transformer.wpe.weight");
    // A full-length slice would cost a copy forward and a pad backward for nothing.
    const pos = offset === 0 && T === wpe.shape[0] ? wpe : tf.slice(wpe, [offset, 0], [T, C]); // (T, C)
    let x = addPositions(tok as tf.Tensor2D, pos as tf.Tensor2D, B);
    x = dropoutOf(x);
    const presents: LayerKV[] = [];
    const run = { batch: B, nHead, causal: this.causal, dropout: drop, nextSeed: () => nextSeed++ };
    for (let l = 0; l < nLayer; l++) {
      const out = gptBlock(x, this.#block(l), { ...run, past: past?.layers[l], cache: wantCache });
      x = out.x;
      if (out.present) presents.push(out.present);
    }
    const h = layerNorm(
      x,
      this.#p("transformer.ln_f.weight"),
      this.#maybe("transformer.ln_f.bias"),
    );
    return {
      h,
      cache: wantCache ? { layers: presents, length: offset + T } : undefined,
    };
  }

  /**
   * Final hidden states (B*T, C), after the last LayerNorm, for ids `idx` (B, T): what a
   * classification head (GPT-1 fine-tuning) or a masked-LM head reads.
   */
  hidden(idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
    this.#checkIds(idx, "idx", this.config.blockSize);
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    return tf.tidy(() => this.#hidden(idx, opts.training ?? false, seed, undefined, false).h);
  }

  /** LM head tied to the token embedding: (N, C) -> (N, V). */
  #logits(h: tf.Tensor2D): tf.Tensor2D {
    return matMul2d(h, this.#p("transformer.wte.weight") as tf.Tensor2D, true);
  }

  /**
   * Logits (B, T, V) for ids `idx` (B, T), T <= blockSize. With `training`, dropout is applied.
   * Ids are not range-checked here (that needs a read-back); build `idx` with `tokenTensor`
   * from lib/data, or check the ids where they enter with `checkTokenIds`.
   */
  forward(idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    this.#checkIds(idx, "idx", this.config.blockSize);
    const [B, T] = idx.shape;
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    return tf.tidy(() => {
      const { h } = this.#hidden(
        idx,
        opts.training ?? false,
        seed,
        undefined,
        false,
      );
      return tf.reshape(this.#logits(h), [
        B,
        T,
        this.config.vocabSize,
      ]) as tf.Tensor3D;
    });
  }

  /** Mean cross-entropy of predicting `targets` (B, T) from `idx` (B, T). */
  loss(
    idx: tf.Tensor2D,
    targets: tf.Tensor2D,
    opts: ForwardOptions = {},
  ): tf.Scalar {
    this.#checkIds(idx, "idx", this.config.blockSize);
    this.#checkIds(targets, "targets", this.config.blockSize);
    if (
      idx.shape[0] !== targets.shape[0] || idx.shape[1] !== targets.shape[1]
    ) {
      throw new Error(
        `GPT.loss: idx [${idx.shape}] and targets [${targets.shape}] must have the same shape.`,
      );
    }
    const [B, T] = idx.shape;
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    return tf.tidy(() => {
      const { h } = this.#hidden(
        idx,
        opts.training ?? false,
        seed,
        undefined,
        false,
      );
      return crossEntropy(
        this.#logits(h),
        tf.reshape(targets, [B * T]) as tf.Tensor1D,
      );
    });
  }

  /**
   * Inference with a key/value cache: logits (B, Tnew, V) for new ids that follow the `past`
   * tokens, and the cache extended by them. The caller disposes the old cache
   * ({@link disposeKVCache}) once it has the new one. Positions run up to blockSize in total.
   * With `lastOnly`, the logits are (B, 1, V), the last position's only: all that generation
   * reads, and the LM head over a whole prompt is a (T, C) x (C, V) product (about a quarter
   * of GPT-2 124M's prefill at T = 32).
   */
  forwardWithCache(
    idx: tf.Tensor2D,
    past?: KVCache,
    opts: { lastOnly?: boolean } = {},
  ): { logits: tf.Tensor3D; cache: KVCache } {
    const used = past?.length ?? 0;
    this.#checkIds(idx, "idx", this.config.blockSize - used);
    if (
      past && past.layers[0]?.k.shape[0] !== idx.shape[0] * this.config.nHead
    ) {
      throw new Error(
        `GPT.forwardWithCache: the cache was built for another batch size than ${idx.shape[0]}.`,
      );
    }
    const [B, T] = idx.shape;
    const [logits, ...kv] = tf.tidy(() => {
      const { h, cache } = this.#hidden(idx, false, 0, past, true);
      const C = this.config.nEmbd;
      // Rows are batch-major (B*T, C): each sequence's last row.
      const rows = opts.lastOnly && T > 1
        ? tf.reshape(tf.slice(tf.reshape(h, [B, T, C]), [0, T - 1, 0], [B, 1, C]), [B, C])
        : h;
      const out = tf.reshape(this.#logits(rows as tf.Tensor2D), [
        B,
        opts.lastOnly ? 1 : T,
        this.config.vocabSize,
      ]);
      return [out, ...cache!.layers.flatMap(({ k, v }) => [k, v])];
    }) as tf.Tensor3D[];
    const layers: LayerKV[] = [];
    for (let l = 0; l < kv.length; l += 2) {
      layers.push({ k: kv[l], v: kv[l + 1] });
    }
    return { logits, cache: { layers, length: (past?.length ?? 0) + T } };
  }

  /** Frees every weight. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
