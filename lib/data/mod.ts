/**
 * Corpora, the train/validation split and seeded batch sampling.
 *
 * @example
 * ```ts
 * import { BatchSampler, loadCorpus, splitTrainVal } from "./mod.ts";
 * const corpus = await loadCorpus("moby-dick");
 * const ids = Int32Array.from(corpus.text.slice(0, 10_000), (c) => c.charCodeAt(0));
 * const { train } = splitTrainVal(ids, 0.1);
 * const { x, y } = new BatchSampler(train, 64, 12, 1337).next(); // (12 * 64) each
 * console.log(x.length, y.length);
 * ```
 *
 * @module
 */
export { type Corpus, CORPUS_NAMES, loadCorpus, type LoadCorpusOptions } from "./corpus.ts";
export {
  fetchCached,
  type FetchCachedOptions,
  REMOTE_CORPORA,
  type RemoteFile,
  seedCorpusCache,
  sha256Hex,
  TINY_SHAKESPEARE,
} from "./download.ts";
export { splitTrainVal } from "./split.ts";
export { BatchSampler } from "./batches.ts";
export { checkTokenIds, tokenTensor } from "./token_ids.ts";
export { dataDir, findRepoRoot } from "./paths.ts";
export {
  generateToyTranslations,
  TOY_LEXICON,
  type ToyTranslationOptions,
  type TranslationPair,
  translationPairOfLength,
  type TranslationSplits,
} from "./toy_translation.ts";
export {
  ADDITION_ALPHABET,
  type AdditionOptions,
  type AdditionPair,
  type AdditionSplits,
  generateAdditions,
  generateAdditionSplits,
} from "./learning_to_execute.ts";
export {
  balancedSample,
  emailText,
  type LabeledText,
  loadSpamAssassin,
  stratifiedSplit,
} from "./spam.ts";
export { firstTokenTask, motifTask, type SequenceTask } from "./sequence_tasks.ts";
export { loadSotuAddresses, loadSotuCorpus, type SotuAddress } from "./sotu.ts";
export { loadResults, resultsFile, type RunMode, saveResults } from "./results.ts";
