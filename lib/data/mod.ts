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
export * from "./corpus.ts";
export * from "./download.ts";
export * from "./split.ts";
export * from "./batches.ts";
export * from "./paths.ts";
export * from "./toy_translation.ts";
export * from "./learning_to_execute.ts";
export * from "./results.ts";
