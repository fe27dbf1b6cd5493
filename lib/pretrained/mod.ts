/**
 * Models on disk: a trained model joined to the checkpoint format and its tokenizer. A GPT
 * checkpoint with its tokenizer, a masked LM, a Hugging Face GPT-2 folder (`config.json` +
 * `model.safetensors`, streamed in one tensor at a time and written back), and
 * {@link loadModelDir}, which takes either kind of folder. This folder may know models,
 * tokenizers and the file format; `lib/checkpoint` below it knows only the format.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { CharTokenizer } from "../tokenizers/mod.ts";
 * import { loadGPTCheckpoint, saveGPTCheckpoint } from "./mod.ts";
 * const tokenizer = CharTokenizer.fromText("hello world");
 * const model = new GPT(gptConfig("notes-small", { vocabSize: tokenizer.vocabSize }));
 * const dir = (await Deno.makeTempDir()) + "/hello";
 * await saveGPTCheckpoint(dir, model, tokenizer);
 * const loaded = await loadGPTCheckpoint(dir);
 * console.log(loaded.tokenizer.decode(loaded.tokenizer.encode("hello"))); // "hello"
 * ```
 *
 * @module
 */
export { type LoadedGPT, loadGPTCheckpoint, saveGPTCheckpoint } from "./gpt_checkpoint.ts";
export { loadMaskedLM, saveMaskedLM } from "./masked_lm.ts";
export { GPT2_VOCAB_SIZE, gpt2ParamShapes, gptConfigFromHF, hfConfigFromGPT } from "./hf_config.ts";
export { HF_FILES, isHFModelDir, loadHFGPT2, saveHFGPT2 } from "./hf_gpt2.ts";
export { type LoadedModel, loadModelDir } from "./load_model.ts";
