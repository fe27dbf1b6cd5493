/**
 * `deno task generate`: continue a prompt with a trained checkpoint of ours or a Hugging Face
 * GPT-2 folder, printing tokens as they are chosen.
 *
 * ```sh
 * deno task generate --model data/checkpoints/baby-tinyshakespeare --prompt "ROMEO:"
 * deno task generate --model gpt2 --prompt "The meaning of life is" --top-k 40 --seed 1
 * ```
 *
 * @module
 */
import { initBackend } from "../lib/backend/mod.ts";
import { loadModelDir } from "../lib/pretrained/mod.ts";
import { generate } from "../lib/sample/mod.ts";
import type { Tokenizer } from "../lib/tokenizers/mod.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "./flags.ts";

/** Every flag of `deno task generate`, named after the `generate()` option it sets. */
const FLAGS = {
  model: {
    kind: "string",
    description: "our checkpoint folder (checkpoint.json) or a Hugging Face GPT-2 folder " +
      "(config.json + model.safetensors; GPT-2's tokenizer); required",
  },
  prompt: { kind: "string", description: "text to continue (default: a newline)" },
  maxNewTokens: { kind: "int", description: "tokens to add", default: 100 },
  temperature: { kind: "number", description: "0 = greedy", default: 1 },
  topK: { kind: "int", description: "sample among the K most likely tokens (default: all)" },
  topP: {
    kind: "number",
    description: "sample from the smallest set reaching probability P",
    default: 1,
  },
  seed: { kind: "int", description: "sampling seed", default: 0 },
  noCache: {
    kind: "bool",
    description: "recompute the whole context every step (slow; for comparison)",
    default: false,
  },
  backend: {
    kind: "string",
    description: "tfjs backend (wasm, cpu, webgpu, ...; default automatic)",
  },
} as const satisfies FlagSpecs;

const USAGE = flagUsage("Usage: deno task generate --model DIR [flags]", FLAGS);

/**
 * Turns ids into text as they arrive. A byte-level token can end inside a multi-byte character;
 * the text is decoded from all ids so far and a trailing replacement character is held back
 * until the next token completes it.
 *
 * @example
 * ```ts
 * import { CharTokenizer } from "../lib/tokenizers/mod.ts";
 * import { textStreamer } from "./generate.ts";
 * const parts: string[] = [];
 * const s = textStreamer(CharTokenizer.fromText("ab"), (t) => parts.push(t));
 * s.push(0); s.push(1); s.end();
 * console.log(parts.join("")); // "ab"
 * ```
 */
export function textStreamer(
  tokenizer: Tokenizer,
  write: (text: string) => void,
): { push(id: number): void; end(): void } {
  const ids: number[] = [];
  let shown = 0;
  const flush = (final: boolean) => {
    let text = tokenizer.decode(ids);
    if (!final) text = text.replace(/\uFFFD+$/, "");
    if (text.length > shown) {
      write(text.slice(shown));
      shown = text.length;
    }
  };
  return {
    push(id: number) {
      ids.push(id);
      flush(false);
    },
    end() {
      flush(true);
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const f = parseFlags(argv, FLAGS);
  if (f.help) {
    console.log(USAGE);
    return;
  }
  if (f.model === undefined) throw new Error(`--model is required\n\n${USAGE}`);
  const backend = await initBackend({ backend: f.backend, report: false });
  const { model, tokenizer, warning } = await loadModelDir(f.model);
  if (warning) console.error(`note: ${warning}`);
  try {
    const prompt = f.prompt ?? "\n";
    const ids = tokenizer.encode(prompt);
    const outside = ids.find((id) => id >= model.config.vocabSize);
    if (outside !== undefined) {
      throw new Error(
        `the prompt's token ${JSON.stringify(tokenizer.decode([outside]))} (id ${outside}) is ` +
          `outside the model's ${model.config.vocabSize} ids; use a prompt this model knows`,
      );
    }
    const encoder = new TextEncoder();
    const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
    write(prompt);
    const stream = textStreamer(tokenizer, write);
    const maxNewTokens = f.maxNewTokens;
    const start = performance.now();
    const out = generate(model, ids, {
      maxNewTokens,
      temperature: f.temperature,
      topK: f.topK,
      topP: f.topP,
      seed: f.seed,
      useCache: !f.noCache,
      onToken: (id) => stream.push(id),
    });
    stream.end();
    write("\n");
    const seconds = (performance.now() - start) / 1000;
    console.error(
      `${out.length} tokens in ${seconds.toFixed(2)} s (${(out.length / seconds).toFixed(1)} ` +
        `tokens/s, ${backend.name} backend, ${f.noCache ? "no " : ""}KV cache)`,
    );
  } finally {
    model.dispose();
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`deno task generate: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
