import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { AdamW, frozenNames, Trainer } from "../lib/train/mod.ts";

await initBackend({ report: false });

const V = 11;
const data = Int32Array.from({ length: 2000 }, (_, i) => (i * 7 + (i >> 3)) % V);

function snapshot(params: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...params].map(([n, v]) => [n, v.dataSync() as Float32Array]));
}

Deno.test("freeze: frozen weights stay bit-identical, every other weight moves", async () => {
  const model = new GPT(gptConfig("notes-small", { vocabSize: V }), { seed: 3 });
  const freeze = ["transformer.wte.weight", "transformer.h.0"];
  const before = snapshot(model.params);
  const trainer = new Trainer({
    model,
    train: data.subarray(0, 1600),
    val: data.subarray(1600),
    progress: false,
    freeze,
    config: {
      maxIters: 6,
      batchSize: 2,
      blockSize: 8,
      lr: 1e-2,
      warmupIters: 0,
      lrDecayIters: 6,
      evalInterval: 6,
      evalIters: 1,
    },
  });
  const frozen = frozenNames(model.params.keys(), freeze);
  assertEquals(trainer.optimizer.frozen, frozen);
  // wte plus all of block 0's weights
  assert(frozen.has("transformer.h.0.attn.c_attn.weight") && frozen.has("transformer.wte.weight"));
  assert(![...frozen].some((n) => n.startsWith("transformer.h.1")));
  // Frozen parameters have no optimizer moments (no memory spent on them).
  assertEquals(trainer.optimizer.moments().size, 2 * (model.params.size - frozen.size));
  await trainer.run();
  const after = snapshot(model.params);
  for (const [name, values] of before) {
    const same = values.every((x, i) => x === after.get(name)![i]);
    assertEquals(same, frozen.has(name), `${name}: ${same ? "unchanged" : "changed"}`);
  }
  trainer.dispose();
  model.dispose();
});

Deno.test("freeze: AdamW honours a predicate and needs no gradient for frozen weights", () => {
  const params = new Map([
    ["head.weight", tf.variable(tf.ones([2, 2]))],
    ["body.weight", tf.variable(tf.ones([2, 2]))],
  ]);
  const opt = new AdamW(params, { freeze: (n) => n.startsWith("body") });
  assertEquals([...opt.frozen], ["body.weight"]);
  assertEquals(opt.trainable, ["head.weight"]);
  tf.tidy(() => opt.update({ "head.weight": tf.onesLike(params.get("head.weight")!) }, 0.1));
  assertEquals(params.get("body.weight")!.dataSync(), new Float32Array([1, 1, 1, 1]));
  assert(params.get("head.weight")!.dataSync().every((x) => x < 1));
  opt.dispose();
  tf.dispose([...params.values()]);
});

Deno.test("freeze: a name that matches nothing, or freezing everything, is refused", () => {
  const names = ["transformer.wte.weight", "transformer.h.0.ln_1.weight"];
  assertThrows(() => frozenNames(names, ["transformer.wt"]), Error, "matches no parameter");
  assertThrows(() => frozenNames(names, ["transformer"]), Error, "nothing would train");
  assertEquals([...frozenNames(names, [/ln_1/])], ["transformer.h.0.ln_1.weight"]);
});
