import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertGreater, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { firstTokenTask } from "../lib/data/sequence_tasks.ts";
import { RecurrentClassifier } from "../lib/models/classic/recurrent_classifier.ts";
import { fitRecurrentClassifier } from "../lib/train/recurrent_classifier.ts";

await initBackend({ report: false });

for (const cell of ["rnn", "lstm", "gru"] as const) {
  Deno.test(`RecurrentClassifier (${cell}) learns a 3-step first-token task and frees its tensors`, () => {
    const before = tf.memory().numTensors;
    const data = firstTokenTask({ seed: 0, count: 256, length: 3, symbols: 3 });
    const m = new RecurrentClassifier({ cell, symbols: 3, classes: 3, hidden: 8, seed: 0 });
    const g = m.inputGradientNorms(data.ids.slice(0, 16), data.labels.slice(0, 16));
    assertEquals(g.length, 3);
    assert(g.every((x) => Number.isFinite(x) && x > 0));
    const losses = fitRecurrentClassifier(m, data.ids, data.labels, { steps: 60, batchSize: 32 });
    assertEquals(losses.length, 60);
    assertGreater(m.accuracy(data.ids, data.labels), 0.9);
    m.dispose();
    assertEquals(tf.memory().numTensors, before);
  });
}

Deno.test("RecurrentClassifier sets the keep-gate bias and rejects bad input", () => {
  const lstm = new RecurrentClassifier({
    cell: "lstm",
    symbols: 2,
    classes: 2,
    hidden: 3,
    gateBias: 2,
  });
  const b = Array.from(lstm.model.layers[0].getWeights()[2].dataSync());
  assertEquals(b, [0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
  assertThrows(() => lstm.oneHot([[0, 2]]), Error, "not in [0, 2)");
  assertThrows(() => lstm.oneHot([[0, 1], [1]]), Error, "one length");
  assertThrows(
    () => fitRecurrentClassifier(lstm, [[0]], [], { steps: 1 }),
    Error,
    "one label per sequence",
  );
  lstm.dispose();
  const gru = new RecurrentClassifier({
    cell: "gru",
    symbols: 2,
    classes: 2,
    hidden: 2,
    gateBias: 3,
  });
  assertEquals(Array.from(gru.model.layers[0].getWeights()[2].dataSync()), [3, 3, 0, 0, 0, 0]);
  gru.dispose();
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => new RecurrentClassifier({ cell: "tanh" as any, symbols: 2, classes: 2 }),
    Error,
    '"rnn", "lstm" or "gru"',
  );
});
