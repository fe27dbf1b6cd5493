/**
 * Saving and loading a {@link MaskedLM} with its tokenizer, as a checkpoint folder
 * (`model.type` "masked-lm" in the sidecar). The model itself lives in `lib/models`; this file
 * only joins it to the checkpoint format, so that `lib/models` need not know the file format.
 *
 * @module
 */
import { MaskedLM } from "../models/gpt/masked_lm.ts";
import type { GPTConfig } from "../models/gpt/gpt_config.ts";
import {
  assignTensors,
  type CheckpointMeta,
  loadCheckpoint,
  saveCheckpoint,
} from "../checkpoint/checkpoint.ts";
import { type Tokenizer, tokenizerFromJSON } from "../tokenizers/mod.ts";

/**
 * Saves a {@link MaskedLM} with its tokenizer (`model.type` "masked-lm" in the sidecar).
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { MaskedLM } from "../models/gpt/masked_lm.ts";
 * import { loadMaskedLM, saveMaskedLM } from "./masked_lm.ts";
 * import { ByteBPE } from "../tokenizers/mod.ts";
 * const tok = ByteBPE.train("a cat sat on a mat", 260, { specialTokens: ["[MASK]"] });
 * const m = new MaskedLM(gptConfig("notes-small", { vocabSize: tok.vocabSize }), { maskId: tok.specialTokens["[MASK]"], randomBelow: 259 });
 * const dir = (await Deno.makeTempDir()) + "/mlm";
 * await saveMaskedLM(dir, m, tok);
 * const back = await loadMaskedLM(dir);
 * console.log(back.model.maskId === m.maskId); // true
 * ```
 */
export async function saveMaskedLM(
  dir: string,
  model: MaskedLM,
  tokenizer: Tokenizer,
  extra: Partial<CheckpointMeta> = {},
): Promise<void> {
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new Error(
      `saveMaskedLM: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabSize ` +
        `is ${model.config.vocabSize}; save the tokenizer the model was built for.`,
    );
  }
  await saveCheckpoint(dir, {
    weights: model.params,
    meta: {
      step: 0,
      ...extra,
      model: {
        type: "masked-lm",
        config: {
          ...model.config,
          maskId: model.maskId,
          randomBelow: model.randomBelow,
          rate: model.rate,
        },
      },
      tokenizer: tokenizer.toJSON(),
    },
  });
}

/**
 * Loads what {@link saveMaskedLM} wrote: the model (weights assigned) and its tokenizer.
 *
 * @example
 * ```ts
 * import { loadMaskedLM } from "./masked_lm.ts";
 * try {
 *   await loadMaskedLM("/no/such/dir");
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
 */
export async function loadMaskedLM(
  dir: string,
): Promise<{ model: MaskedLM; tokenizer: Tokenizer; meta: CheckpointMeta }> {
  const ckpt = await loadCheckpoint(dir);
  const { meta } = ckpt;
  if (meta.model?.type !== "masked-lm") {
    throw new Error(
      `${ckpt.dir} holds a "${meta.model?.type}" model, not a masked LM; load it with ` +
        `loadGPTCheckpoint if it is a GPT.`,
    );
  }
  const { maskId, randomBelow, rate, ...rest } = meta.model.config as Record<string, number>;
  const model = new MaskedLM(rest as unknown as GPTConfig, { maskId, randomBelow, rate });
  try {
    assignTensors(model.params, ckpt.weights, ckpt.dir);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, tokenizer: tokenizerFromJSON(meta.tokenizer), meta };
}
