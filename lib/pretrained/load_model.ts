/**
 * One entry point for "a model on disk": either one of our checkpoints (weights plus a sidecar
 * that holds the tokenizer it was trained with) or a Hugging Face GPT-2 folder (which uses
 * GPT-2's tokenizer). The generate and perplexity scripts take either.
 *
 * @module
 */
import type { GPT } from "../models/gpt/gpt.ts";
import { loadGPT2, type Tokenizer } from "../tokenizers/mod.ts";
import { CHECKPOINT_FILES } from "../checkpoint/checkpoint.ts";
import { loadGPTCheckpoint } from "./gpt_checkpoint.ts";
import { GPT2_VOCAB_SIZE } from "./hf_config.ts";
import { HF_FILES, isHFModelDir, loadHFGPT2 } from "./hf_gpt2.ts";

/** What {@link loadModelDir} returns. */
export interface LoadedModel {
  /** The model; the caller disposes it. */
  model: GPT;
  /** The tokenizer its ids mean. */
  tokenizer: Tokenizer;
  /** Which kind of folder it came from. */
  format: "checkpoint" | "huggingface";
  /** Something the user should know about this pairing of model and tokenizer, if anything. */
  warning?: string;
}

/**
 * Loads a GPT and its tokenizer from our checkpoint folder (`checkpoint.json` present) or a
 * Hugging Face GPT-2 folder (`config.json` + `model.safetensors`; GPT-2's tokenizer).
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { saveHFGPT2 } from "./hf_gpt2.ts";
 * import { loadModelDir } from "./load_model.ts";
 * const dir = await Deno.makeTempDir();
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 300 }));
 * await saveHFGPT2(dir, model);
 * const loaded = await loadModelDir(dir);
 * console.log(loaded.format, loaded.tokenizer.decode([15])); // "huggingface" "0"
 * loaded.model.dispose();
 * model.dispose();
 * ```
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const has = (name: string) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  };
  if (has(CHECKPOINT_FILES.meta)) {
    const { model, tokenizer } = await loadGPTCheckpoint(dir);
    return { model, tokenizer, format: "checkpoint" };
  }
  if (isHFModelDir(dir)) {
    const model = await loadHFGPT2(dir);
    // Smaller vocabularies (our test fixtures) use GPT-2's first ids; a prompt must stay in them.
    const warning = model.config.vocabSize < GPT2_VOCAB_SIZE
      ? `${dir} has ${model.config.vocabSize} ids, fewer than GPT-2's ${GPT2_VOCAB_SIZE}; ` +
        `GPT-2's tokenizer is used, so prompts may only use its first ${model.config.vocabSize} ids`
      : undefined;
    return { model, tokenizer: loadGPT2(), format: "huggingface", warning };
  }
  throw new Error(
    `${dir} is neither a checkpoint of ours (no ${CHECKPOINT_FILES.meta}) nor a Hugging Face ` +
      `GPT-2 folder (no ${HF_FILES.config} + ${HF_FILES.weights}); train one with ` +
      `\`deno task train\` or download gpt2 as the README shows`,
  );
}
