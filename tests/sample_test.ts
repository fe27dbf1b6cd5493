import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertLess,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { GPT, type GPTConfig } from "../lib/models/mod.ts";
import { Rng } from "../lib/random.ts";
import {
  argmax,
  generate,
  generateText,
  sampleToken,
  samplingDistribution,
} from "../lib/sample/mod.ts";

await initBackend({ report: false });

/** The parity fixture's model: random weights large enough that logits are far from uniform. */
function fixtureModel(): GPT {
  const fixture = JSON.parse(
    Deno.readTextFileSync(
      new URL("./fixtures/gpt_parity.json", import.meta.url),
    ),
  ) as {
    config: GPTConfig;
    weights: Record<string, { shape: number[]; data: number[] }>;
  };
  const model = new GPT(fixture.config);
  for (const [name, { shape, data }] of Object.entries(fixture.weights)) {
    model.params.get(name)!.assign(tf.tensor(data, shape));
  }
  return model;
}

Deno.test("cached and uncached generation give identical tokens, past the block size too", () => {
  const model = fixtureModel(); // blockSize 8
  const prompt = [3, 14, 15, 9];
  const settings = [
    { temperature: 0 },
    { temperature: 1 },
    { temperature: 0.7, topK: 5 },
    { temperature: 1.3, topP: 0.9 },
  ];
  for (const s of settings) {
    const opts = { ...s, maxNewTokens: 20, seed: 11 };
    const cached = generate(model, prompt, opts);
    const uncached = generate(model, prompt, { ...opts, useCache: false });
    assertEquals(cached.length, 20);
    assertEquals(cached, uncached, JSON.stringify(s));
  }
  // Different seeds give different samples (and the same seed the same ones).
  const a = generate(model, prompt, { maxNewTokens: 20, seed: 1 });
  assertEquals(a, generate(model, prompt, { maxNewTokens: 20, seed: 1 }));
  assertNotEquals(a, generate(model, prompt, { maxNewTokens: 20, seed: 2 }));
  model.dispose();
});

Deno.test("inside the block each new token is a single-token forward pass", () => {
  const model = fixtureModel();
  const lengths: number[] = [];
  const original = model.forwardWithCache.bind(model);
  model.forwardWithCache = (idx, past) => {
    lengths.push(idx.shape[1]);
    return original(idx, past);
  };
  generate(model, [1, 2, 3], { maxNewTokens: 5, temperature: 0 });
  // prefill of 3, then one token per step; the 5th token is chosen from the 4th step's logits
  assertEquals(lengths, [3, 1, 1, 1, 1]);
  model.dispose();
});

Deno.test("generation leaves no tensors behind", () => {
  const model = fixtureModel();
  generate(model, [1, 2], { maxNewTokens: 3 }); // warm up lazily created tensors
  const before = tf.memory().numTensors;
  generate(model, [1, 2], { maxNewTokens: 12, topK: 4 });
  generate(model, [1, 2], { maxNewTokens: 12, useCache: false });
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("greedy, temperature, top-k and top-p distributions match hand computation", () => {
  const logits = new Float32Array([2, 1, 0, -1]);
  assertEquals(argmax(logits), 0);
  assertEquals(Array.from(samplingDistribution(logits, { temperature: 0 })), [
    1,
    0,
    0,
    0,
  ]);
  const z = [2, 1, 0, -1].map(Math.exp), s = z.reduce((a, b) => a + b);
  const p = samplingDistribution(logits);
  z.forEach((v, i) => assertAlmostEquals(p[i], v / s, 1e-12));
  // temperature 2 halves the logits
  const z2 = [1, 0.5, 0, -0.5].map(Math.exp), s2 = z2.reduce((a, b) => a + b);
  const p2 = samplingDistribution(logits, { temperature: 2 });
  z2.forEach((v, i) => assertAlmostEquals(p2[i], v / s2, 1e-12));
  // top-k 2 keeps e^2, e^1 renormalised
  const pk = samplingDistribution(logits, { topK: 2 });
  assertAlmostEquals(pk[0], z[0] / (z[0] + z[1]), 1e-12);
  assertEquals([pk[2], pk[3]], [0, 0]);
  // probabilities are 0.644, 0.237, 0.087, 0.032: top-p 0.85 keeps the first two (0.881 >= 0.85)
  const pp = samplingDistribution(logits, { topP: 0.85 });
  assert(pp[0] > 0 && pp[1] > 0 && pp[2] === 0 && pp[3] === 0);
  // top-p 0.5 still keeps the single most likely token
  assertEquals(Array.from(samplingDistribution(logits, { topP: 0.5 })), [
    1,
    0,
    0,
    0,
  ]);
});

Deno.test("sampleToken draws with the stated frequencies and is reproducible from the seed", () => {
  const logits = new Float32Array([1, 0, 2, -1, 0.5]);
  const expected = samplingDistribution(logits, { topK: 3 });
  const counts = new Array(5).fill(0);
  const rng = new Rng(123);
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken(logits, rng, { topK: 3 })]++;
  for (let i = 0; i < 5; i++) {
    assertLess(Math.abs(counts[i] / n - expected[i]), 0.015);
  }
  assertEquals([counts[1], counts[3]], [0, 0]);
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return Array.from({ length: 10 }, () => sampleToken(logits, r));
  };
  assertEquals(draw(5), draw(5));
});

Deno.test("bad sampling input is refused with a clear message", () => {
  const model = fixtureModel();
  assertThrows(
    () => generate(model, [], { maxNewTokens: 1 }),
    Error,
    "non-empty",
  );
  assertThrows(
    () => generate(model, [23], { maxNewTokens: 1 }),
    Error,
    "outside the model's vocabulary",
  );
  assertThrows(
    () => generate(model, [1], { maxNewTokens: -1 }),
    Error,
    "maxNewTokens",
  );
  assertThrows(
    () => generate(model, [1], { maxNewTokens: 1, temperature: -1 }),
    Error,
    "temperature",
  );
  assertThrows(
    () => generate(model, [1], { maxNewTokens: 1, topK: 0 }),
    Error,
    "topK",
  );
  assertThrows(
    () => generate(model, [1], { maxNewTokens: 1, topP: 0 }),
    Error,
    "topP",
  );
  model.dispose();
});

Deno.test("generateText round-trips through a codec and stops at the stop token", () => {
  const model = fixtureModel();
  const chars = [..."abcdefghijklmnopqrstuvw"]; // 23 symbols, the fixture's vocabulary
  const codec = {
    encode: (s: string) => [...s].map((c) => chars.indexOf(c)),
    decode: (ids: number[]) => ids.map((i) => chars[i]).join(""),
  };
  const text = generateText(model, codec, "abc", { maxNewTokens: 10, seed: 3 });
  assertEquals(text.length, 10);
  const ids = generate(model, [0, 1, 2], { maxNewTokens: 10, seed: 3 });
  assertEquals(codec.decode(ids), text);
  const stop = ids[4];
  const stopped = generate(model, [0, 1, 2], {
    maxNewTokens: 10,
    seed: 3,
    stopToken: stop,
  });
  assertEquals(stopped, ids.slice(0, ids.indexOf(stop) + 1));
  const streamed: number[] = [];
  generate(model, [0, 1, 2], {
    maxNewTokens: 10,
    seed: 3,
    onToken: (id) => streamed.push(id),
  });
  assertEquals(streamed, ids);
  model.dispose();
});
