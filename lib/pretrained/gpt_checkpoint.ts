/**
 * GPT checkpoints as one call each way: save a model with its tokenizer, and load both back
 * ready to sample from (a notebook after `deno task train`, for example).
 *
 * @module
 */
import { GPT, type GPTConfig, validateGPTConfig } from "../models/gpt/gpt.ts";
import { type Tokenizer, tokenizerFromJSON } from "../tokenizers/mod.ts";
import {
  assignTensors,
  checkConfig,
  type CheckpointMeta,
  loadCheckpoint,
  saveCheckpoint,
} from "../checkpoint/checkpoint.ts";

/** What {@link loadGPTCheckpoint} returns. */
export interface LoadedGPT {
  /** The model, weights loaded. The caller disposes it. */
  model: GPT;
  /** The tokenizer the model was trained with. */
  tokenizer: Tokenizer;
  /** The checkpoint's sidecar (step, metrics, training settings...). */
  meta: CheckpointMeta;
}

/**
 * Saves a GPT's weights and its tokenizer (no optimizer state: enough to sample or fine-tune
 * from, not to resume the exact run; the trainer's checkpoints do that).
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { CharTokenizer } from "../tokenizers/mod.ts";
 * import { loadGPTCheckpoint, saveGPTCheckpoint } from "./gpt_checkpoint.ts";
 * const tokenizer = CharTokenizer.fromText("hello world");
 * const model = new GPT(gptConfig("notes-small", { vocabSize: tokenizer.vocabSize }));
 * const dir = (await Deno.makeTempDir()) + "/hello";
 * await saveGPTCheckpoint(dir, model, tokenizer);
 * const loaded = await loadGPTCheckpoint(dir);
 * console.log(loaded.model.numParams() === model.numParams()); // true
 * ```
 */
export async function saveGPTCheckpoint(
  dir: string,
  model: GPT,
  tokenizer: Tokenizer,
  extra: Partial<CheckpointMeta> = {},
): Promise<void> {
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new Error(
      `saveGPTCheckpoint: the tokenizer has ${tokenizer.vocabSize} tokens but the model's ` +
        `vocabSize is ${model.config.vocabSize}; save the tokenizer the model was built for`,
    );
  }
  await saveCheckpoint(dir, {
    weights: model.params,
    meta: {
      step: 0,
      ...extra,
      model: { type: "gpt", config: { ...model.config } },
      tokenizer: tokenizer.toJSON(),
    },
  });
}

/**
 * Rebuilds the model and tokenizer saved in `dir` (by the trainer or
 * {@link saveGPTCheckpoint}). With `expect`, refuses a checkpoint whose config differs in any
 * of those fields.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { CharTokenizer } from "../tokenizers/mod.ts";
 * import { loadGPTCheckpoint, saveGPTCheckpoint } from "./gpt_checkpoint.ts";
 * const tokenizer = CharTokenizer.fromText("abc");
 * const dir = (await Deno.makeTempDir()) + "/abc";
 * await saveGPTCheckpoint(dir, new GPT(gptConfig("notes-small", { vocabSize: 3 })), tokenizer);
 * try {
 *   await loadGPTCheckpoint(dir, { expect: { nLayer: 4 } });
 * } catch (e) {
 *   console.log((e as Error).message); // "... nLayer: checkpoint 2, requested 4 ..."
 * }
 * ```
 */
export async function loadGPTCheckpoint(
  dir: string,
  opts: { expect?: Partial<GPTConfig> } = {},
): Promise<LoadedGPT> {
  const ckpt = await loadCheckpoint(dir);
  const { meta } = ckpt;
  if (meta.model?.type !== "gpt") {
    throw new Error(
      `${ckpt.dir} holds a "${meta.model?.type}" model, not a GPT`,
    );
  }
  if (opts.expect) checkConfig(opts.expect, meta.model.config, ckpt.dir);
  const config = validateGPTConfig(meta.model.config as unknown as GPTConfig);
  if (meta.tokenizer === undefined) {
    throw new Error(
      `${ckpt.dir} has no tokenizer in its sidecar, so its ids cannot be decoded`,
    );
  }
  const tokenizer = tokenizerFromJSON(meta.tokenizer);
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new Error(
      `${ckpt.dir}: its tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabSize ` +
        `is ${config.vocabSize}; the checkpoint is inconsistent`,
    );
  }
  const model = new GPT(config);
  try {
    assignTensors(model.params, ckpt.weights, ckpt.dir);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, tokenizer, meta };
}
