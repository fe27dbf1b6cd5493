/**
 * Token ids are checked once, where they enter (trainer data, prompts, tokenTensor), the same
 * on every backend; NaN logits make sampling throw instead of returning some id.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { checkTokenIds, tokenTensor } from "../lib/data/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { Rng } from "../lib/random.ts";
import { argmax, generate, sampleToken, samplingDistribution } from "../lib/sample/mod.ts";
import { Trainer } from "../lib/train/mod.ts";

await initBackend({ report: false });

Deno.test("checkTokenIds and tokenTensor refuse ids outside [0, V) with the position", () => {
  checkTokenIds(Int32Array.from([0, 9]), 10, "data");
  for (const bad of [[1, 10], [-1], [1.5], [NaN]]) {
    assertThrows(
      () => checkTokenIds(bad, 10, "data"),
      RangeError,
      "outside the model's vocabulary",
    );
    assertThrows(() => tokenTensor([bad], 10), RangeError, "outside the model's vocabulary");
  }
  assertThrows(() => checkTokenIds([3, 12], 10, "prompt"), RangeError, "token id 12 outside");
  assertThrows(() => tokenTensor([[1, 2], [3]], 10), Error, "pad or crop");
  const before = tf.memory().numTensors;
  assertThrows(() => tokenTensor([[1], [99]], 10), RangeError, "row 1");
  assertEquals(tf.memory().numTensors, before, "a refused tokenTensor allocates nothing");
  const t = tokenTensor([[1, 2, 3]], 10);
  assertEquals([t.shape, t.dtype, Array.from(t.dataSync())], [[1, 3], "int32", [1, 2, 3]]);
  t.dispose();
});

for (const backend of [tf.getBackend(), "cpu"]) {
  Deno.test(`entry points refuse bad ids the same way (${backend})`, async () => {
    const previous = tf.getBackend();
    await tf.setBackend(backend);
    try {
      const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
      const data = Int32Array.from({ length: 100 }, (_, i) => i % 10);
      data[57] = 10;
      assertThrows(
        () =>
          new Trainer({
            model,
            train: data,
            val: data.subarray(0, 40),
            config: { blockSize: 8, batchSize: 2 },
          }),
        RangeError,
        "train data: token id 10 outside the model's vocabulary [0, 10) at position 57",
      );
      assertThrows(
        () => generate(model, [1, 11], { maxNewTokens: 1 }),
        RangeError,
        "prompt: token id 11 outside",
      );
      model.dispose();
    } finally {
      await tf.setBackend(previous);
    }
  });
}

Deno.test("NaN or +Infinity logits make sampling throw, at any temperature", () => {
  const rng = new Rng(0);
  for (const bad of [[0, NaN, 1], [NaN, NaN], [0, Infinity]]) {
    const z = Float32Array.from(bad);
    for (const temperature of [0, 0.8, 1]) {
      assertThrows(() => sampleToken(z, rng, { temperature }), Error, "non-finite");
    }
    assertThrows(() => samplingDistribution(z), Error, "non-finite");
  }
  // -Infinity is a masked token, not an error: it gets probability 0.
  const p = samplingDistribution(Float32Array.from([0, -Infinity]));
  assertEquals(Array.from(p), [1, 0]);
  assertEquals(argmax([0, 3, 1]), 1);
});
