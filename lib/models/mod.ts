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
export { disposeKVCache, type ForwardOptions, GPT, type KVCache } from "./gpt.ts";
export {
  countParams,
  GPT_PRESETS,
  type GPTConfig,
  gptConfig,
  type GPTPreset,
  type GPTPresetName,
  validateGPTConfig,
} from "./gpt_config.ts";
export { LSTMStack, type LSTMState } from "./lstm_stack.ts";
export { StagedLM } from "./staged_lm.ts";
export {
  type LMStage,
  lmStages,
  type StagedLMConfig,
  type StagePieces,
  validateStagedLMConfig,
} from "./staged_lm_config.ts";
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
} from "./seq2seq_data.ts";
export {
  evaluateLoss,
  type Seq2SeqModel,
  trainSeq2Seq,
  type TrainSeq2SeqOptions,
  type TrainSeq2SeqResult,
  type TranslateOptions,
} from "./seq2seq_train.ts";
export {
  accuracyByLength,
  evaluateByLength,
  formatLengthTable,
  type LengthRow,
  scoreTranslation,
} from "./seq2seq_eval.ts";
export { type GreedyResult, Seq2SeqLSTM, type Seq2SeqLSTMConfig } from "./seq2seq_lstm.ts";
export { type RepeatVectorConfig, RepeatVectorSeq2Seq } from "./repeat_vector_seq2seq.ts";
export { SequenceAutoencoder, type SequenceAutoencoderConfig } from "./seq_autoencoder.ts";
export { dotProductAttention, LSTMAttention } from "./lstm_attention.ts";
export { Transformer, type TransformerConfig } from "./transformer.ts";
export { bertMask, type MaskedBatch, MaskedLM, type MaskingOptions } from "./masked_lm.ts";
export {
  accuracy,
  type ClassBatch,
  classBatch,
  fineTune,
  type FineTuneOptions,
  GPTClassifier,
} from "./gpt_classifier.ts";
export {
  type AnalogyQuestion,
  type AnalogyScore,
  evaluateAnalogies,
  type Neighbour,
  Word2Vec,
  type Word2VecOptions,
  type Word2VecTrainOptions,
  wordTokens,
} from "./word2vec.ts";
export { cosineSimilarity, meanPool } from "./pooling.ts";
export {
  type RecurrentCell,
  RecurrentClassifier,
  type RecurrentClassifierConfig,
} from "./recurrent_classifier.ts";
