/**
 * PyTorch + Hugging Face `transformers` as a contender in `bench:generate`: a long-lived
 * `tools/torch/pt_generate_bench.py` process per thread count, holding GPT2LMHeadModel loaded
 * from a Hugging Face folder that lib wrote ({@link writeSharedWeights}), so both sides decode
 * with the same weights. Each request runs one prefill and one greedy `generate`, timed inside
 * Python; the answer carries the token arrival times and the tokens.
 *
 * @module
 */
import type { GPT } from "../lib/models/gpt/gpt.ts";
import { saveHFGPT2 } from "../lib/pretrained/mod.ts";
import { PythonServe } from "./_python_serve.ts";
import { torchEnv } from "./_torch_contender.ts";

/** What the generate process reported about itself. */
export interface TorchGenerateInfo {
  /** Threads PyTorch runs its kernels on. */
  threads: number;
  /** PyTorch's version. */
  torch: string;
  /** transformers' version. */
  transformers: string;
  /** The attention implementation GPT2LMHeadModel chose ("sdpa", "eager"). */
  attention: string;
  /** The BLAS PyTorch was built with. */
  blas: string;
  /** The SIMD level PyTorch's own kernels dispatch to. */
  cpu_capability: string;
}

/** One timed generation on the PyTorch side. */
export interface TorchGenerateRun {
  /** One forward over the prompt with the cache, last logits read back, milliseconds. */
  prefill_ms: number;
  /** Milliseconds from generate's call to each new token. */
  arrivals_ms: number[];
  /** The new token ids. */
  tokens: number[];
}

/**
 * Writes `model`'s weights as a Hugging Face GPT-2 folder in a fresh temporary directory and
 * returns its path; the caller removes it (`Deno.remove(dir, { recursive: true })`).
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
 * import { writeSharedWeights } from "./_torch_generate.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 1 });
 * const dir = await writeSharedWeights(model);
 * console.log(Deno.statSync(`${dir}/config.json`).isFile); // true
 * await Deno.remove(dir, { recursive: true });
 * model.dispose();
 * ```
 */
export async function writeSharedWeights(model: GPT): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "bench-generate-" });
  await saveHFGPT2(dir, model);
  return dir;
}

/** A running PyTorch generation contender. */
export class TorchGenerator {
  readonly info: TorchGenerateInfo;
  #serve: PythonServe<TorchGenerateInfo>;

  private constructor(serve: PythonServe<TorchGenerateInfo>) {
    this.info = serve.info;
    this.#serve = serve;
  }

  /**
   * Starts `python tools/torch/pt_generate_bench.py` on the Hugging Face folder `modelDir` with
   * `threads` threads; returns a reason string instead when it cannot run (no torch or
   * transformers in that Python, or a folder it cannot load).
   *
   * @example
   * ```ts
   * import { TorchGenerator } from "./_torch_generate.ts";
   * const t = await TorchGenerator.start("python3", 1, "/nonexistent");
   * console.log(typeof t); // "string": no such folder (or no torch)
   * ```
   */
  static async start(
    python: string,
    threads: number,
    modelDir: string,
  ): Promise<TorchGenerator | string> {
    const script = new URL("../tools/torch/pt_generate_bench.py", import.meta.url).pathname;
    const serve = await PythonServe.start<TorchGenerateInfo>(
      python,
      [script, `--model-dir=${modelDir}`, `--threads=${threads}`],
      torchEnv(threads),
    );
    return typeof serve === "string" ? serve : new TorchGenerator(serve);
  }

  /** Prefill and greedy generation of `newTokens` tokens after `prompt`. */
  run(prompt: number[], newTokens: number): Promise<TorchGenerateRun> {
    return this.#serve.request(JSON.stringify({ prompt, new_tokens: newTokens }));
  }

  /** Ends the process. */
  close(): Promise<void> {
    return this.#serve.close();
  }
}
