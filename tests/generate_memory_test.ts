/**
 * Memory of generation, token by token. lib's key/value cache is not preallocated: each step
 * concatenates the new token's keys and values onto every layer's cache and frees the old one.
 * So while the cache is in use the number of live tensors is constant (the model's weights plus
 * one key and one value tensor per layer) and the bytes grow by exactly one token's keys and
 * values per step: 2 x nLayer x nEmbd float32 numbers at batch 1. Once the sequence outgrows the
 * block, generate drops the cache and re-encodes the window, and memory returns to the weights
 * alone. Without the cache, nothing outlives a step.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { generate } from "../lib/sample/mod.ts";

await initBackend({ report: false });

/** Live tensors and bytes seen when each new token is handed out. */
function memoryPerToken(
  model: GPT,
  prompt: number[],
  maxNewTokens: number,
  useCache: boolean,
): { numTensors: number; numBytes: number }[] {
  const seen: { numTensors: number; numBytes: number }[] = [];
  generate(model, prompt, {
    maxNewTokens,
    temperature: 0,
    useCache,
    onToken: () => {
      const { numTensors, numBytes } = tf.memory();
      seen.push({ numTensors, numBytes });
    },
  });
  return seen;
}

Deno.test("generate with the KV cache: constant tensor count, bytes grow by one token's keys and values per step, back to the weights past the block", () => {
  const config = gptConfig("notes-small", { vocabSize: 11 });
  const model = new GPT(config, { seed: 3 });
  try {
    const prompt = [1, 2, 3, 4, 5];
    // Warm-up, so a backend's one-off allocations do not count as growth.
    memoryPerToken(model, prompt, 2, true);
    const base = tf.memory();
    const { nLayer, nEmbd, blockSize } = config;
    const bytesPerToken = 2 * nLayer * nEmbd * 4;
    const newTokens = blockSize - prompt.length + 4; // runs 4 steps past the block
    const seen = memoryPerToken(model, prompt, newTokens, true);
    assertEquals(seen.length, newTokens);
    seen.forEach((m, i) => {
      // At token i the sequence fed so far is the prompt plus i new tokens.
      const length = prompt.length + i;
      const cached = length <= blockSize;
      assertEquals(
        m,
        {
          numTensors: base.numTensors + (cached ? 2 * nLayer : 0),
          numBytes: base.numBytes + (cached ? length * bytesPerToken : 0),
        },
        `token ${i} (sequence length ${length})`,
      );
    });
    assertEquals(tf.memory().numTensors, base.numTensors);
    assertEquals(tf.memory().numBytes, base.numBytes);
  } finally {
    model.dispose();
  }
});

Deno.test("generate without the cache: nothing outlives a step", () => {
  const model = new GPT(gptConfig("notes-small", { vocabSize: 11 }), { seed: 3 });
  try {
    memoryPerToken(model, [1, 2, 3], 2, false);
    const base = tf.memory();
    const seen = memoryPerToken(model, [1, 2, 3], 20, false);
    assertEquals(seen.length, 20);
    seen.forEach((m, i) =>
      assertEquals(m, { numTensors: base.numTensors, numBytes: base.numBytes }, `token ${i}`)
    );
    assertEquals(tf.memory().numTensors, base.numTensors);
  } finally {
    model.dispose();
  }
});
