import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { countParams, gptConfig } from "../lib/models/gpt/gpt.ts";
import {
  activationElementsPerToken,
  DEVICES,
  flopsPerToken,
  matmulParams,
  maxBatchSize,
  modelPresets,
  planRun,
  tokensPerSecond,
  trainingMemory,
  trainingSeconds,
} from "../lib/compute/mod.ts";

// GPT-2 small, counted by hand:
//   wte 50257·768 = 38,597,376; wpe 1024·768 = 786,432; ln_f 2·768 = 1,536
//   per block: ln_1 + ln_2 3,072; c_attn 768·2304 + 2304 = 1,771,776; attn c_proj 590,592;
//   c_fc 768·3072 + 3072 = 2,362,368; mlp c_proj 3072·768 + 768 = 2,360,064 -> 7,087,872
//   12 blocks 85,054,464; total 124,439,808.
Deno.test("GPT-2 small parameters match the hand count", () => {
  const c = gptConfig("gpt2");
  assertEquals(countParams(c), 38_597_376 + 786_432 + 12 * 7_087_872 + 1_536);
  assertEquals(countParams(c), 124_439_808);
  const presets = Object.fromEntries(
    modelPresets().map((m) => [m.name, m.config]),
  );
  // GPT-2 medium: the published 355M (345M in the paper, which did not count everything).
  assertEquals(countParams(presets["gpt2-medium"]), 354_823_168);
  // GPT-1 in this repository's layout: 40478·768 + 512·768 + 85,054,464 + 1,536.
  assertEquals(
    countParams(presets.gpt1),
    31_087_104 + 393_216 + 85_054_464 + 1_536,
  );
});

Deno.test("FLOPs per token: 6 × matmul weights + 12 · layers · width · context", () => {
  const c = gptConfig("gpt2");
  assertEquals(matmulParams(c), 12 * 12 * 768 * 768 + 50257 * 768); // 123,532,032
  const f = flopsPerToken(c);
  assertEquals(f.dense, 6 * 123_532_032);
  assertEquals(f.attention, 12 * 12 * 768 * 1024); // 113,246,208
  assertEquals(f.total, 741_192_192 + 113_246_208);
  // A shorter context only shrinks the attention term.
  assertEquals(flopsPerToken(c, 256).attention, 12 * 12 * 768 * 256);
  assertEquals(flopsPerToken(c, 256).dense, f.dense);
});

Deno.test("forward matmul FLOPs counted layer by layer are a third of the dense term", () => {
  // notes-small, V = 65, C = 32, T = 16: count each product's 2·m·n·k for one token.
  const c = gptConfig("notes-small", { vocabSize: 65 });
  const C = 32, V = 65, T = 16, L = 2;
  const perBlock = 2 * (C * 3 * C) + 2 * (C * C) + 2 * (C * 4 * C) +
    2 * (4 * C * C);
  const attn = 2 * T * C + 2 * T * C; // q·kᵀ over T keys, weights·v over T values
  const forward = L * perBlock + 2 * C * V;
  const f = flopsPerToken(c);
  assertEquals(f.dense, 3 * forward);
  assertEquals(f.attention, 3 * L * attn);
});

Deno.test("training memory: 16 bytes per parameter in fp32 plus activations", () => {
  const c = gptConfig("notes-small", { vocabSize: 65 });
  const N = countParams(c);
  // notes-small: 2 blocks × (16·32 + 2 heads·16) + 2·32 + 2·65 = 1282 elements per token.
  assertEquals(activationElementsPerToken(c), 1282);
  const m = trainingMemory(c, { batchSize: 64 });
  assertEquals(m.weights, 4 * N);
  assertEquals(m.gradients, 4 * N);
  assertEquals(m.optimizer, 8 * N);
  assertEquals(m.activations, 64 * 16 * 1282 * 4);
  assertEquals(m.total, 16 * N + 64 * 16 * 1282 * 4);
  const mixed = trainingMemory(c, { batchSize: 64, precision: "mixed" });
  assertEquals(mixed.weights + mixed.gradients + mixed.optimizer, 16 * N);
  assertEquals(mixed.activations, m.activations / 2);
  // Dropout adds one mask per site: attention weights (2·16), two residual branches (2·32)
  // per block, and one on the embeddings (32).
  const withDropout = gptConfig("notes-small", { vocabSize: 65, dropout: 0.1 });
  assertEquals(
    activationElementsPerToken(withDropout),
    1282 + 2 * (2 * 16 + 2 * 32) + 32,
  );
});

Deno.test("GPT-2 small on an 8 GiB RTX 2080: batch 4 of 1024 tokens fits, 5 does not", () => {
  const c = gptConfig("gpt2");
  const cap = DEVICES.rtx2080.memoryBytes;
  assertEquals(cap, 8 * 2 ** 30);
  assertEquals(maxBatchSize(c, cap), 4);
  assertEquals(trainingMemory(c, { batchSize: 4 }).total <= cap, true);
  assertEquals(trainingMemory(c, { batchSize: 5 }).total > cap, true);
  // GPT-2 XL: 1.56B parameters × 16 bytes = 24.9 GB before any activation.
  const xl = modelPresets().find((m) => m.name === "gpt2-xl")!.config;
  assertEquals(maxBatchSize(xl, cap), 0);
});

Deno.test("time per epoch follows tokens × FLOPs / (peak × utilization)", () => {
  const f = flopsPerToken(gptConfig("gpt2")).total;
  assertAlmostEquals(trainingSeconds(1e9, f, 1e13, 0.5), 1e9 * f / 5e12, 1e-6);
  assertAlmostEquals(tokensPerSecond(f, 1e13, 0.5), 5e12 / f, 1e-9);
  const p = planRun(gptConfig("gpt2"), DEVICES.rtx2080, {
    tokens: 9e9,
    utilization: 0.4,
  });
  assertEquals(p.params, 124_439_808);
  assertEquals(p.fits, true);
  assertAlmostEquals(
    p.seconds,
    9e9 * f / (DEVICES.rtx2080.fp32Flops * 0.4),
    1e-3,
  );
  assertAlmostEquals(p.seconds / 86400, 22.1, 0.05);
});

Deno.test("bad inputs are refused with the fix", () => {
  const c = gptConfig("gpt2");
  assertThrows(() => trainingMemory(c, { batchSize: 0 }), Error, "batchSize");
  assertThrows(() => flopsPerToken(c, 2048), Error, "seqLen");
  assertThrows(
    () => trainingSeconds(1e9, 1e9, 1e12, 1.5),
    Error,
    "utilization",
  );
  assertThrows(() => trainingSeconds(-1, 1e9, 1e12), Error, "tokens");
  assertThrows(
    // @ts-expect-error: checking the runtime guard
    () => trainingMemory(c, { batchSize: 1, precision: "fp8" }),
    Error,
    "precision",
  );
});
