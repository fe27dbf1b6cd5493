/**
 * Sampling from a GPT: greedy, temperature, top-k and top-p, seeded, with a key/value cache.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/mod.ts";
 * import { generate } from "./mod.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * console.log(generate(model, [0], { maxNewTokens: 4, temperature: 0 })); // greedy
 * model.dispose();
 * ```
 *
 * @module
 */
export {
  argmax,
  sampleToken,
  samplingDistribution,
  type SamplingOptions,
  validateSampling,
} from "./pick.ts";
export { generate, type GenerateOptions, generateText, type TextCodec } from "./generate.ts";
