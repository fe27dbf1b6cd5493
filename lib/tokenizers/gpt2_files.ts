/**
 * Reading GPT-2's own vocabulary files (`encoder.json` + `vocab.bpe`) into the parts a
 * {@link ByteBPE} is built from, with errors that say which line or entry is wrong.
 *
 * @module
 */

import { describe } from "./base.ts";
import type { ByteBPEParts } from "./byte_bpe.ts";
import { charsToBytes } from "./byte_unicode.ts";

/**
 * Parses `encoder.json` (token string to id, spelled in GPT-2's printable byte alphabet) and
 * `vocab.bpe` (a `#version` line, then one merge `left right` per line in rank order). Tokens
 * named in `specialTokens` (default `<|endoftext|>`) become special tokens. Consistency between
 * the two files is checked here and by the `ByteBPE` constructor.
 *
 * @example
 * ```ts
 * import { ByteBPE, gpt2FilePaths, parseGPT2Files } from "./mod.ts";
 * const { encoderJson, vocabBpe } = gpt2FilePaths();
 * const parts = parseGPT2Files(Deno.readTextFileSync(encoderJson), Deno.readTextFileSync(vocabBpe));
 * console.log(parts.vocab.length, parts.merges.length, parts.specialTokens); // 50256 50000 { "<|endoftext|>": 50256 }
 * console.log(ByteBPE.fromParts(parts).encode("Hello")); // [ 15496 ]
 * ```
 */
export function parseGPT2Files(
  encoderJson: string | Record<string, number>,
  vocabBpe: string,
  specialTokens: readonly string[] = ["<|endoftext|>"],
): ByteBPEParts {
  let encoder: unknown = encoderJson;
  if (typeof encoderJson === "string") {
    try {
      encoder = JSON.parse(encoderJson);
    } catch (e) {
      throw new Error(
        `ByteBPE: encoder.json is not valid JSON: ${(e as Error).message}`,
      );
    }
  }
  if (
    encoder === null || typeof encoder !== "object" || Array.isArray(encoder)
  ) {
    throw new Error(
      `ByteBPE: encoder.json must hold an object of token -> id, got ${describe(encoder)}.`,
    );
  }
  if (typeof vocabBpe !== "string") {
    throw new Error(
      `ByteBPE: vocab.bpe must be the file's text, got ${describe(vocabBpe)}.`,
    );
  }
  const vocab: Uint8Array[] = [];
  const idOf = new Map<string, number>();
  const specials: Record<string, number> = {};
  for (
    const [token, id] of Object.entries(encoder as Record<string, unknown>)
  ) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      throw new Error(
        `ByteBPE: encoder.json maps ${describe(token)} to ${describe(id)}, not an id.`,
      );
    }
    if (specialTokens.includes(token)) {
      specials[token] = id;
      continue;
    }
    const bytes = charsToBytes(token);
    if (bytes === null || bytes.length === 0) {
      throw new Error(
        `ByteBPE: encoder.json entry ${describe(token)} is not spelled in GPT-2's byte alphabet; ` +
          `is this a byte-level BPE encoder.json?`,
      );
    }
    if (vocab[id] !== undefined) {
      throw new Error(`ByteBPE: encoder.json gives id ${id} twice.`);
    }
    vocab[id] = bytes;
    idOf.set(token, id);
  }
  for (let id = 0; id < vocab.length; id++) {
    if (vocab[id] === undefined) {
      throw new Error(
        `ByteBPE: encoder.json has no token with id ${id} (ids must be 0..n-1).`,
      );
    }
  }
  const lines = vocabBpe.split("\n");
  if (!lines[0].startsWith("#version")) {
    throw new Error(
      `ByteBPE: vocab.bpe should start with a "#version" line, got ${describe(lines[0])}.`,
    );
  }
  const merges: [number, number, number][] = [];
  for (let ln = 1; ln < lines.length; ln++) {
    const line = lines[ln];
    if (line === "") continue;
    const parts = line.split(" ");
    if (parts.length !== 2) {
      throw new Error(
        `ByteBPE: vocab.bpe line ${ln + 1} is ${describe(line)}, not "left right".`,
      );
    }
    const [a, b, ab] = [
      idOf.get(parts[0]),
      idOf.get(parts[1]),
      idOf.get(parts[0] + parts[1]),
    ];
    if (a === undefined || b === undefined || ab === undefined) {
      const absent = [parts[0], parts[1], parts[0] + parts[1]].find((s) => !idOf.has(s));
      throw new Error(
        `ByteBPE: vocab.bpe line ${ln + 1} merges ${describe(parts[0])} + ${describe(parts[1])}, ` +
          `but encoder.json has no ${describe(absent)}; the two files do not belong together.`,
      );
    }
    merges.push([a, b, ab]);
  }
  return { vocab, merges, specialTokens: specials };
}
