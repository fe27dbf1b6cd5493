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
export { disposeKVCache, type ForwardOptions, GPT, type KVCache } from "./gpt/gpt.ts";
export {
  countParams,
  GPT_PRESETS,
  type GPTConfig,
  gptConfig,
  type GPTPreset,
  type GPTPresetName,
  validateGPTConfig,
} from "./gpt/gpt_config.ts";
export { LSTMStack, type LSTMState } from "./seq2seq/lstm_stack.ts";
export { StagedLM } from "./classic/staged_lm.ts";
export {
  type LMStage,
  lmStages,
  type StagedLMConfig,
  type StagePieces,
  validateStagedLMConfig,
} from "./classic/staged_lm_config.ts";
export {
  BOS,
  disposeBatch,
  type EncodedSources,
  encodeSources,
  EOS,
  makeBatch,
  PAD,
  type Seq2SeqBatch,
  SPECIAL_TOKENS,
  splitWords,
  UNK,
  type UnknownPolicy,
  Vocab,
  withEncodedSources,
} from "./seq2seq/seq2seq_data.ts";
export type { Seq2SeqModel, TranslateOptions } from "./seq2seq/seq2seq_model.ts";
export {
  accuracyByLength,
  evaluateByLength,
  formatLengthTable,
  type LengthRow,
  scoreTranslation,
} from "./seq2seq/seq2seq_eval.ts";
export { type GreedyResult, Seq2SeqLSTM, type Seq2SeqLSTMConfig } from "./seq2seq/seq2seq_lstm.ts";
export { type RepeatVectorConfig, RepeatVectorSeq2Seq } from "./seq2seq/repeat_vector_seq2seq.ts";
export { SequenceAutoencoder, type SequenceAutoencoderConfig } from "./seq2seq/seq_autoencoder.ts";
export { dotProductAttention, LSTMAttention } from "./seq2seq/lstm_attention.ts";
export { Transformer, type TransformerConfig } from "./seq2seq/transformer.ts";
export { bertMask, type MaskedBatch, MaskedLM, type MaskingOptions } from "./gpt/masked_lm.ts";
export { accuracy, type ClassBatch, classBatch, GPTClassifier } from "./gpt/gpt_classifier.ts";
export {
  type AnalogyQuestion,
  type AnalogyScore,
  evaluateAnalogies,
  type Neighbour,
  Word2Vec,
  type Word2VecOptions,
  wordTokens,
} from "./classic/word2vec.ts";
export { cosineSimilarity, meanPool } from "./classic/pooling.ts";
export {
  type RecurrentCell,
  RecurrentClassifier,
  type RecurrentClassifierConfig,
} from "./classic/recurrent_classifier.ts";
