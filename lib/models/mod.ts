/**
 * Language models.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "./mod.ts";
 * const model = new GPT(gptConfig("baby", { vocabSize: 65 }));
 * console.log(model.numParams());
 * model.dispose();
 * ```
 *
 * @module
 */
export * from "./gpt.ts";
