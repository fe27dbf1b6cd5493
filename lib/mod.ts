/**
 * The package root: everything on the path from text to a trained GPT and back to text, in one
 * import. It re-exports the backends, corpora and batches, tokenizers, attention, models,
 * training, sampling, checkpoints and pretrained loaders, whose names do not clash.
 *
 * The other folders have their own entry points only, because their names would clash here
 * or because a model pipeline does not need them: `/nn` (its `countParams` counts a map of
 * variables, the models' counts a config), `/compute`, `/evidence`, `/figure`, `/notebook` and
 * `/random`.
 *
 * @example
 * ```ts
 * import { CharTokenizer, generateText, GPT, gptConfig, initBackend } from "./mod.ts";
 * await initBackend({ backend: "cpu" }); // the root loads the wasm backend: pick one first
 * const tokenizer = CharTokenizer.fromText("hello world");
 * const model = new GPT(gptConfig("notes-small", { vocabSize: tokenizer.vocabSize }));
 * console.log(generateText(model, tokenizer, "hello", { maxNewTokens: 3, temperature: 0 }));
 * model.dispose();
 * ```
 *
 * @module
 */
export * from "./backend/mod.ts";
export * from "./data/mod.ts";
export * from "./tokenizers/mod.ts";
export * from "./attention/mod.ts";
export * from "./models/mod.ts";
export * from "./train/mod.ts";
export * from "./sample/mod.ts";
export * from "./checkpoint/mod.ts";
export * from "./pretrained/mod.ts";
