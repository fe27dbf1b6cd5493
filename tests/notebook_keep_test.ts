import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { keep, keptNames, releaseKept } from "../lib/notebook/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";

Deno.test("keep: a cell run three times holds one run's tensors", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  let perRun = 0;
  for (let run = 0; run < 3; run++) {
    // What a cell builds: a model, a tensor, and a record with an array of tensors.
    const model = keep("t-model", new GPT(gptConfig("notes-small", { vocabSize: 8 }), { seed: 1 }));
    const x = keep("t-x", tf.ones([3, 3]));
    const r = keep("t-rec", { a: [tf.zeros([2]), tf.zeros([2])], b: tf.scalar(1) });
    if (run === 0) perRun = tf.memory().numTensors - before;
    assertEquals(tf.memory().numTensors - before, perRun, `run ${run}`);
    assertEquals(model.params.size > 0 && x.shape[0] === 3 && r.a.length === 2, true);
  }
  assertEquals(keptNames().filter((n) => n.startsWith("t-")), ["t-model", "t-x", "t-rec"]);
  releaseKept("t-model");
  releaseKept("t-x");
  releaseKept("t-rec");
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("keep: parts shared with the new value survive", () => {
  const shared = tf.ones([2]);
  keep("t-shared", [shared, tf.zeros([1])]);
  keep("t-shared", [shared]);
  assertEquals(shared.isDisposed, false);
  releaseKept("t-shared");
  assertEquals(shared.isDisposed, true);
});
