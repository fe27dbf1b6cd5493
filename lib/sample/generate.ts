/**
 * Autoregressive generation from a GPT: feed the context, pick a token, append, repeat. With the
 * key/value cache (the default) each new token costs one single-token forward pass; without it,
 * every step reruns the whole context. Both give the same tokens.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkTokenIds } from "../data/token_ids.ts";
import { Rng } from "../random.ts";
import { disposeKVCache, type GPT, type KVCache } from "../models/gpt/gpt.ts";
import { sampleToken, type SamplingOptions, validateSampling } from "./pick.ts";

/** Options for {@link generate}. */
export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to add. */
  maxNewTokens: number;
  /** Seed for sampling (default 0); ignored when `rng` is given. */
  seed?: number;
  /** A generator to draw from (continues its sequence). */
  rng?: Rng;
  /** Use the key/value cache (default true). */
  useCache?: boolean;
  /** Stop after emitting this id (e.g. an end-of-text token). */
  stopToken?: number;
  /** Called with each new id as soon as it is chosen (for streaming output). */
  onToken?: (id: number) => void;
}

/** Last row of (1, T, V) logits as a JS array; disposes the logits. */
function lastRow(logits: tf.Tensor3D): Float32Array {
  const [, T, V] = logits.shape;
  const row = tf.tidy(() => tf.slice(logits, [0, T - 1, 0], [1, 1, V]));
  const out = row.dataSync() as Float32Array;
  tf.dispose([row, logits]);
  return out;
}

/**
 * Continues `prompt` (token ids) by `maxNewTokens` ids and returns only the new ids. Contexts
 * longer than the model's block size are cropped to their last `blockSize` tokens, as the
 * model was trained. Inside the block, the cache makes each step one single-token pass; once the
 * sequence outgrows the block the positions shift, so each step re-encodes the cropped window.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/mod.ts";
 * import { generate } from "./generate.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 1 });
 * console.log(generate(model, [1, 2, 3], { maxNewTokens: 5, temperature: 0.8, topK: 5, seed: 42 }));
 * model.dispose();
 * ```
 */
export function generate(
  model: GPT,
  prompt: number[],
  opts: GenerateOptions,
): number[] {
  const { vocabSize: V, blockSize } = model.config;
  if (!Array.isArray(prompt) || prompt.length === 0) {
    throw new Error(
      "generate: the prompt must be a non-empty array of token ids.",
    );
  }
  checkTokenIds(prompt, V, "generate: the prompt");
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) {
    throw new Error(
      `generate: maxNewTokens must be an integer >= 0, got ${opts.maxNewTokens}.`,
    );
  }
  validateSampling(opts);
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const useCache = opts.useCache ?? true;
  const seq = [...prompt];
  const out: number[] = [];
  let cache: KVCache | undefined;
  const encode = (ids: number[]) => tf.tensor2d([ids], [1, ids.length], "int32");

  // Logits for the next position, updating the cache when there is one.
  const next = (): Float32Array => {
    const window = seq.slice(-blockSize);
    // Past the block, positions shift every step, so a cache would be rebuilt and thrown away.
    if (!useCache || seq.length > blockSize) {
      disposeKVCache(cache);
      cache = undefined;
      const idx = encode(window);
      const row = lastRow(model.forward(idx));
      idx.dispose();
      return row;
    }
    // Extend the cache by the newest token once it holds the prompt.
    const extend = cache !== undefined;
    const idx = encode(extend ? window.slice(-1) : window);
    const result = model.forwardWithCache(idx, extend ? cache : undefined, { lastOnly: true });
    idx.dispose();
    disposeKVCache(cache);
    cache = result.cache;
    return lastRow(result.logits);
  };

  try {
    for (let i = 0; i < opts.maxNewTokens; i++) {
      const id = sampleToken(next(), rng, opts);
      seq.push(id);
      out.push(id);
      opts.onToken?.(id);
      if (id === opts.stopToken) break;
    }
  } finally {
    disposeKVCache(cache);
  }
  return out;
}

/** Anything that turns text into ids and back. */
export interface TextCodec {
  /** Text to ids. */
  encode(text: string): number[];
  /** Ids to text. */
  decode(ids: number[]): string;
}

/**
 * Text in, text out: encodes `prompt`, generates, and decodes the new tokens.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/mod.ts";
 * import { generateText } from "./generate.ts";
 * const chars = [..."abc "];
 * const codec = { encode: (s: string) => [...s].map((c) => chars.indexOf(c)), decode: (ids: number[]) => ids.map((i) => chars[i]).join("") };
 * const model = new GPT(gptConfig("notes-small", { vocabSize: chars.length }));
 * console.log(generateText(model, codec, "ab", { maxNewTokens: 8, seed: 1 }));
 * model.dispose();
 * ```
 */
export function generateText(
  model: GPT,
  codec: TextCodec,
  prompt: string,
  opts: GenerateOptions,
): string {
  return codec.decode(generate(model, codec.encode(prompt), opts));
}
