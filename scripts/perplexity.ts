/**
 * `deno task perplexity`: how surprised a model is by a text, as the exponential of the mean
 * negative log-likelihood per token, computed with a sliding window the way Hugging Face's
 * perplexity guide does: windows of `--max-length` tokens start every `--stride` tokens, and each
 * window scores only the tokens no earlier window scored, using the rest as context. A stride
 * equal to the window gives disjoint chunks (fast, pessimistic: early tokens of each chunk see
 * little context); stride 1 gives every token a full window (slow, the best estimate).
 *
 * ```sh
 * deno task perplexity --model gpt2 --text data/tinyshakespeare.txt --stride 512 --max-tokens 4096
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { loadModelDir } from "../lib/pretrained/mod.ts";
import { crossEntropy } from "../lib/models/gpt/layers.ts";
import type { GPT } from "../lib/models/gpt/gpt.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "./flags.ts";

/** Every flag of `deno task perplexity`, named after the option of {@link slidingWindowPerplexity} it sets. */
const FLAGS = {
  model: {
    kind: "string",
    description: "our checkpoint folder or a Hugging Face GPT-2 folder; required",
  },
  text: { kind: "string", description: "the text file to score; required" },
  stride: { kind: "int", description: "tokens between window starts (default: half the window)" },
  maxLength: { kind: "int", description: "window length (default: the model's block size)" },
  maxTokens: {
    kind: "int",
    description: "score only the first N tokens of the text (default: all)",
  },
  backend: { kind: "string", description: "tfjs backend (default automatic)" },
} as const satisfies FlagSpecs;

const USAGE = flagUsage("Usage: deno task perplexity --model DIR --text FILE [flags]", FLAGS);

/** Options of {@link slidingWindowPerplexity}. */
export interface PerplexityOptions {
  /** Window length in tokens (at most the model's block size). */
  maxLength: number;
  /** Tokens between window starts, 1..maxLength. */
  stride: number;
  /** Called after each window with the tokens scored so far and the total to score. */
  onProgress?: (scored: number, total: number) => void;
}

/** What {@link slidingWindowPerplexity} returns. */
export interface PerplexityResult {
  /** exp(mean negative log-likelihood). */
  perplexity: number;
  /** Mean negative log-likelihood in nats per token. */
  nll: number;
  /** Tokens scored: all but the first (and, with disjoint windows, each window's first). */
  tokens: number;
  /** Forward passes run. */
  windows: number;
}

/**
 * Sliding-window perplexity of `ids` under `model` (see the module doc). With overlapping
 * windows (stride < maxLength) every token but the first is scored exactly once; disjoint
 * windows also skip each window's first token, which has no context inside its window.
 *
 * @example
 * ```ts
 * import { initBackend } from "../lib/backend/mod.ts";
 * import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
 * import { slidingWindowPerplexity } from "./perplexity.ts";
 * await initBackend({ backend: "cpu", report: false });
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * const ids = Array.from({ length: 40 }, (_, i) => i % 10);
 * console.log(slidingWindowPerplexity(model, ids, { maxLength: 16, stride: 8 }).perplexity); // about 10
 * model.dispose();
 * ```
 */
export function slidingWindowPerplexity(
  model: GPT,
  ids: ArrayLike<number>,
  opts: PerplexityOptions,
): PerplexityResult {
  const { maxLength, stride } = opts;
  if (!Number.isInteger(maxLength) || maxLength < 2 || maxLength > model.config.blockSize) {
    throw new Error(
      `perplexity: the window (max length ${maxLength}) must be an integer in ` +
        `[2, ${model.config.blockSize}] (the model's block size)`,
    );
  }
  if (!Number.isInteger(stride) || stride < 1 || stride > maxLength) {
    throw new Error(`perplexity: stride ${stride} must be an integer in [1, ${maxLength}]`);
  }
  if (ids.length < 2) {
    throw new Error(`perplexity: the text has ${ids.length} token(s); at least 2 are needed`);
  }
  const all = Int32Array.from(ids);
  let nll = 0, count = 0, prevEnd = 0, windows = 0;
  for (let begin = 0; begin < all.length; begin += stride) {
    const end = Math.min(begin + maxLength, all.length);
    // Absolute indices of the tokens this window scores; token j is predicted at row j-begin-1.
    const first = Math.max(prevEnd, begin + 1);
    const n = end - first;
    if (n > 0) {
      const idx = tf.tensor2d(all.subarray(begin, end), [1, end - begin], "int32");
      const loss = tf.tidy(() => {
        const logits = model.forward(idx); // (1, L, V)
        const V = logits.shape[2];
        const rows = tf.reshape(tf.slice(logits, [0, first - begin - 1, 0], [1, n, V]), [n, V]);
        const targets = tf.tensor1d(all.subarray(first, end), "int32");
        return crossEntropy(rows as tf.Tensor2D, targets);
      });
      nll += (loss.dataSync()[0]) * n;
      tf.dispose([idx, loss]);
      count += n;
      windows++;
      opts.onProgress?.(count, all.length - 1);
    }
    prevEnd = end;
    if (end === all.length) break;
  }
  return { perplexity: Math.exp(nll / count), nll: nll / count, tokens: count, windows };
}

async function main(argv: string[]): Promise<void> {
  const f = parseFlags(argv, FLAGS);
  if (f.help) {
    console.log(USAGE);
    return;
  }
  if (f.model === undefined || f.text === undefined) {
    throw new Error(`--model and --text are required\n\n${USAGE}`);
  }
  const text = await Deno.readTextFile(f.text);
  const backend = await initBackend({ backend: f.backend, report: false });
  const { model, tokenizer, warning } = await loadModelDir(f.model);
  if (warning) console.error(`note: ${warning}`);
  try {
    let ids = tokenizer.encode(text);
    if (f.maxTokens !== undefined) ids = ids.slice(0, f.maxTokens);
    const outside = ids.findIndex((id) => id >= model.config.vocabSize);
    if (outside >= 0) {
      throw new Error(
        `token ${outside} of the text (id ${ids[outside]}) is outside the model's ` +
          `${model.config.vocabSize} ids; score text in the model's vocabulary`,
      );
    }
    const maxLength = f.maxLength ?? model.config.blockSize;
    const stride = f.stride ?? Math.max(1, Math.floor(maxLength / 2));
    const start = performance.now();
    let last = 0;
    const r = slidingWindowPerplexity(model, ids, {
      maxLength,
      stride,
      onProgress: (done, total) => {
        if (performance.now() - last > 2000) {
          last = performance.now();
          console.error(`  ${done}/${total} tokens scored`);
        }
      },
    });
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `perplexity ${r.perplexity.toFixed(4)} (mean NLL ${r.nll.toFixed(4)} nats/token) over ` +
        `${r.tokens} tokens of ${f.text}; window ${maxLength}, stride ${stride}, ${r.windows} ` +
        `windows, ${seconds.toFixed(1)} s on ${backend.name}`,
    );
  } finally {
    model.dispose();
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`deno task perplexity: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
