/**
 * Hugging Face GPT-2 `config.json` <-> this project's {@link GPTConfig}, and the parameter
 * shapes a config implies. Only what `lib`'s GPT computes is accepted: every other value of a
 * field that changes the mathematics is refused by name.
 *
 * @module
 */
import type { GPTConfig } from "../models/gpt/gpt.ts";

/** The GPT-2 tokenizer's vocabulary size; `<|endoftext|>` is the last id. */
export const GPT2_VOCAB_SIZE = 50257;

// Our LayerNorm uses GPT-2's epsilon; a different one would shift every activation slightly.
const LAYER_NORM_EPSILON = 1e-5;
// "gelu_new" is GPT-2's tanh approximation; "gelu_pytorch_tanh" is the same function.
const ACTIVATIONS = ["gelu_new", "gelu_pytorch_tanh"];

/**
 * Reads a Hugging Face GPT-2 config (the parsed `config.json`) into a {@link GPTConfig},
 * refusing by name any field whose value `lib`'s GPT cannot reproduce.
 *
 * @example
 * ```ts
 * import { gptConfigFromHF } from "./hf_config.ts";
 * const config = gptConfigFromHF({ n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 });
 * console.log(config.nLayer, config.blockSize); // 12 1024
 * ```
 */
export function gptConfigFromHF(
  hf: Record<string, unknown>,
  source = "config.json",
): GPTConfig {
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why}`);
  };
  if (hf === null || typeof hf !== "object" || Array.isArray(hf)) fail("is not a JSON object");
  if (hf.model_type !== undefined && hf.model_type !== "gpt2") {
    fail(`model_type is ${JSON.stringify(hf.model_type)}; only "gpt2" checkpoints can be loaded`);
  }
  const int = (key: string): number => {
    const v = hf[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const nEmbd = int("n_embd");
  const nHead = int("n_head");
  if (nEmbd % nHead !== 0) fail(`n_head ${nHead} does not divide n_embd ${nEmbd}`);
  const eps = hf.layer_norm_epsilon ?? LAYER_NORM_EPSILON;
  if (eps !== LAYER_NORM_EPSILON) {
    fail(
      `layer_norm_epsilon ${JSON.stringify(eps)} is not supported; lib's LayerNorm uses GPT-2's ` +
        `${LAYER_NORM_EPSILON}`,
    );
  }
  const act = hf.activation_function ?? "gelu_new";
  if (!ACTIVATIONS.includes(act as string)) {
    fail(
      `activation_function ${JSON.stringify(act)} is not supported; lib's GPT uses GPT-2's tanh ` +
        `GELU (${ACTIVATIONS.map((a) => JSON.stringify(a)).join(" or ")})`,
    );
  }
  if (hf.n_inner !== undefined && hf.n_inner !== null && hf.n_inner !== 4 * nEmbd) {
    fail(`n_inner ${JSON.stringify(hf.n_inner)} is not supported; the MLP is 4 * n_embd wide`);
  }
  if (hf.scale_attn_weights === false) {
    fail("scale_attn_weights false is not supported; attention scores are divided by sqrt(d)");
  }
  if (hf.scale_attn_by_inverse_layer_idx === true) {
    fail("scale_attn_by_inverse_layer_idx true is not supported");
  }
  if (hf.add_cross_attention === true) {
    fail("add_cross_attention true is not supported; lib's GPT is decoder-only");
  }
  if (hf.tie_word_embeddings === false) {
    fail("tie_word_embeddings false is not supported; lib's GPT ties the LM head to wte");
  }
  const pdrop = hf.resid_pdrop ?? 0;
  return {
    vocabSize: int("vocab_size"),
    blockSize: int("n_positions"),
    nLayer: int("n_layer"),
    nHead,
    nEmbd,
    dropout: typeof pdrop === "number" && pdrop >= 0 && pdrop < 1 ? pdrop : 0,
    bias: true,
  };
}

/**
 * The `config.json` that makes Hugging Face's `GPT2LMHeadModel` build the same network as a
 * {@link GPTConfig}. GPT-2 always has biases, so a bias-free config is refused.
 *
 * @example
 * ```ts
 * import { hfConfigFromGPT } from "./hf_config.ts";
 * const hf = hfConfigFromGPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true });
 * console.log(hf.n_positions, hf.activation_function); // 64 "gelu_new"
 * ```
 */
export function hfConfigFromGPT(config: GPTConfig): Record<string, unknown> {
  if (!config.bias) {
    throw new Error(
      "hfConfigFromGPT: the model has no biases (bias: false), but Hugging Face's GPT-2 always " +
        "has them; train with bias: true to export",
    );
  }
  const gpt2Vocab = config.vocabSize === GPT2_VOCAB_SIZE;
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: config.vocabSize,
    n_positions: config.blockSize,
    n_ctx: config.blockSize,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_inner: null,
    activation_function: "gelu_new",
    layer_norm_epsilon: LAYER_NORM_EPSILON,
    resid_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    attn_pdrop: config.dropout,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    use_cache: true,
    // Only GPT-2's own vocabulary has <|endoftext|> at 50256.
    bos_token_id: gpt2Vocab ? GPT2_VOCAB_SIZE - 1 : null,
    eos_token_id: gpt2Vocab ? GPT2_VOCAB_SIZE - 1 : null,
    torch_dtype: "float32",
  };
}

/**
 * Every parameter of `lib`'s GPT for a config, by (prefixed) Hugging Face name, with its shape:
 * what a checkpoint must hold, known before any tensor is allocated.
 *
 * @example
 * ```ts
 * import { gpt2ParamShapes } from "./hf_config.ts";
 * const shapes = gpt2ParamShapes({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 4, dropout: 0, bias: true });
 * console.log(shapes.get("transformer.h.0.attn.c_attn.weight")); // [4, 12]
 * ```
 */
export function gpt2ParamShapes(config: GPTConfig): Map<string, number[]> {
  const { vocabSize: V, blockSize, nLayer, nEmbd: C, bias } = config;
  const shapes = new Map<string, number[]>([
    ["transformer.wte.weight", [V, C]],
    ["transformer.wpe.weight", [blockSize, C]],
  ]);
  const norm = (p: string) => {
    shapes.set(`${p}.weight`, [C]);
    if (bias) shapes.set(`${p}.bias`, [C]);
  };
  const conv1d = (p: string, i: number, o: number) => {
    shapes.set(`${p}.weight`, [i, o]); // Conv1D keeps (in, out)
    if (bias) shapes.set(`${p}.bias`, [o]);
  };
  for (let l = 0; l < nLayer; l++) {
    const p = `transformer.h.${l}`;
    norm(`${p}.ln_1`);
    conv1d(`${p}.attn.c_attn`, C, 3 * C);
    conv1d(`${p}.attn.c_proj`, C, C);
    norm(`${p}.ln_2`);
    conv1d(`${p}.mlp.c_fc`, C, 4 * C);
    conv1d(`${p}.mlp.c_proj`, 4 * C, C);
  }
  norm("transformer.ln_f");
  return shapes;
}
