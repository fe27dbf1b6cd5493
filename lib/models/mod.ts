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
export * from "./lstm_stack.ts";
export * from "./seq2seq_data.ts";
export * from "./seq2seq_train.ts";
export * from "./seq2seq_eval.ts";
export * from "./seq2seq_lstm.ts";
export * from "./lstm_attention.ts";
export * from "./transformer.ts";
export * from "./word2vec.ts";
export * from "./pooling.ts";
