import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import {
  lmStages,
  StagedLM,
  type StagedLMConfig,
  validateStagedLMConfig,
} from "../lib/models/mod.ts";
import { causalMask, scaledDotProductAttention } from "../lib/attention/mod.ts";
import { Trainer } from "../lib/train/mod.ts";

await initBackend({ report: false });

const sizes = { vocabSize: 11, blockSize: 8, nEmbd: 16, nHead: 2, nLayer: 2 };
const stages = lmStages(sizes);
const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

Deno.test("lmStages: six stages, each adding pieces to the one before", () => {
  assertEquals(stages.map((s) => s.name), [
    "bigram",
    "one head",
    "multi-head",
    "feed-forward",
    "2 blocks",
    "residual + LayerNorm",
  ]);
  const c = stages.map((s) => s.config);
  assertEquals([c[0].nHead, c[1].nHead, c[2].nHead], [0, 1, 2]);
  assertEquals(c.map((x) => x.nLayer), [0, 1, 1, 1, 2, 2]);
  assertEquals(c.map((x) => x.feedForward), [false, false, false, true, true, true]);
  assertEquals(c.map((x) => x.residual && x.layerNorm), [false, false, false, false, false, true]);
  assertThrows(() => lmStages({ ...sizes, nHead: 1 }), Error, "nHead >= 2");
});

Deno.test("parameter counts of every stage match a count by hand", () => {
  const V = 11, T = 8, C = 16;
  const attn = 3 * C * C, lmHead = C * V + V, emb = V * C + T * C;
  const ffwd = C * 4 * C + 4 * C + 4 * C * C + C;
  const ln = 2 * C;
  const expected = [
    V * V,
    emb + attn + lmHead,
    emb + attn + lmHead, // multi-head splits the same weights
    emb + attn + ffwd + lmHead,
    emb + 2 * (attn + ffwd) + lmHead,
    emb + 2 * (attn + C * C + C + ffwd + 2 * ln) + ln + lmHead,
  ];
  for (const [i, s] of stages.entries()) {
    const model = new StagedLM(s.config, { seed: 0 });
    assertEquals(model.numParams(), expected[i], s.name);
    model.dispose();
  }
});

Deno.test("bad configs and inputs get errors that name the problem", () => {
  const base: StagedLMConfig = stages[2].config;
  assertThrows(() => validateStagedLMConfig({ ...base, nHead: 3 }), Error, "must divide nEmbd");
  assertThrows(() => validateStagedLMConfig({ ...base, nLayer: 0 }), Error, "at least one layer");
  assertThrows(
    () => validateStagedLMConfig({ ...stages[0].config, feedForward: true }),
    Error,
    "switch off feedForward",
  );
  assertThrows(() => validateStagedLMConfig({ ...base, vocabSize: 0 }), Error, "vocabSize");
  const model = new StagedLM(base, { seed: 0 });
  assertThrows(() => model.forward(tf.zeros([1, 3]) as tf.Tensor2D), Error, "int32");
  assertThrows(() => model.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]])), Error, "crop the context");
  assertThrows(() => model.loss(ids([[1, 2]]), ids([[1, 2, 3]])), Error, "same shape");
  model.dispose();
});

Deno.test("the bigram stage's logits are its table's rows", () => {
  const model = new StagedLM(stages[0].config, { seed: 3 });
  const logits = model.forward(ids([[4, 7]]));
  const table = model.params.get("bigram")!;
  const want = tf.gather(table, tf.tensor1d([4, 7], "int32"));
  assertLess(tf.max(tf.abs(tf.sub(logits.reshape([2, 11]), want))).dataSync()[0], 1e-6);
  tf.dispose([logits, want]);
  model.dispose();
});

Deno.test("the fast path (packed, fused kernel) equals the written-out attention", () => {
  const x = ids([[1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]]);
  for (const s of stages.slice(1)) {
    const model = new StagedLM(s.config, { seed: 5 });
    const fast = model.forward(x);
    const { logits, weights } = model.inspect(x);
    assertLess(tf.max(tf.abs(tf.sub(fast, logits))).dataSync()[0], 1e-4, s.name);
    assertEquals(weights.length, s.config.nLayer);
    assertEquals(weights[0].shape, [2, s.config.nHead, 8, 8]);
    tf.dispose([fast, logits, ...weights]);
    model.dispose();
  }
});

Deno.test("one head is the notes' Head: softmax(xWq (xWk)^T / sqrt(C) + mask) xWv", () => {
  const model = new StagedLM(stages[1].config, { seed: 9 });
  const seq = [3, 1, 4, 1, 5];
  const p = (n: string) => model.params.get(n)!;
  const { weights } = model.inspect(ids([seq]));
  const byHand = tf.tidy(() => {
    const x = tf.add(
      tf.gather(p("wte"), tf.tensor1d(seq, "int32")),
      tf.slice(p("wpe"), [0, 0], [5, 16]),
    );
    const w = scaledDotProductAttention(
      tf.matMul(x, p("h.0.attn.wq")),
      tf.matMul(x, p("h.0.attn.wk")),
      tf.matMul(x, p("h.0.attn.wv")),
      { mask: causalMask(5) },
    ).weights;
    return w;
  });
  const lib = weights[0].reshape([5, 5]);
  assertLess(tf.max(tf.abs(tf.sub(byHand, lib))).dataSync()[0], 1e-5);
  const rows = lib.arraySync() as number[][];
  for (let i = 0; i < 5; i++) {
    assertAlmostEquals(rows[i].reduce((a, b) => a + b, 0), 1, 1e-5);
    for (let j = i + 1; j < 5; j++) assertEquals(rows[i][j], 0); // no looking ahead
  }
  tf.dispose([byHand, lib, ...weights]);
  model.dispose();
});

Deno.test("a position's logits do not depend on later tokens", () => {
  const model = new StagedLM(stages[5].config, { seed: 2 });
  const a = model.forward(ids([[1, 2, 3, 4]]));
  const b = model.forward(ids([[1, 2, 9, 10]]));
  const first2 = (t: tf.Tensor3D) => tf.slice(t, [0, 0, 0], [1, 2, 11]);
  assertLess(tf.max(tf.abs(tf.sub(first2(a), first2(b)))).dataSync()[0], 1e-5);
  tf.dispose([a, b]);
  model.dispose();
});

Deno.test("every stage trains with the Trainer and no tensors leak", async () => {
  // A repeating sequence: every stage with attention can learn it, the bigram only half of it.
  const data = Int32Array.from({ length: 600 }, (_, i) => [1, 2, 1, 3][i % 4]);
  const config = {
    maxIters: 30,
    evalInterval: 30,
    evalIters: 2,
    batchSize: 4,
    blockSize: 8,
    lr: 1e-2,
    minLr: 1e-2,
    warmupIters: 0,
    lrDecayIters: 30,
    seed: 1,
  };
  for (const s of stages) {
    const model = new StagedLM(s.config, { seed: 1 });
    const before = tf.memory().numTensors;
    const trainer = new Trainer({ model, train: data, val: data, config });
    const result = await trainer.run();
    trainer.dispose(); // its AdamW moments
    assertEquals(tf.memory().numTensors, before, `${s.name}: training leaks tensors`);
    const x = tf.tensor2d([[1, 2, 1, 3]], [1, 4], "int32");
    tf.dispose([model.forward(x), model.loss(x, x), ...Object.values(model.inspect(x)).flat()]);
    x.dispose();
    assertEquals(tf.memory().numTensors, before, `${s.name}: forward or inspect leaks tensors`);
    assertLess(result.last!.valLoss, Math.log(11), s.name);
    const nVars = model.params.size;
    model.dispose();
    assertEquals(tf.memory().numTensors, before - nVars, `${s.name}: dispose frees every weight`);
  }
});

Deno.test("causal: false lets a position see later tokens (the notes' Head has no mask)", () => {
  const model = new StagedLM({ ...stages[1].config, causal: false }, { seed: 2 });
  const a = model.forward(ids([[1, 2, 3, 4]]));
  const b = model.forward(ids([[1, 2, 9, 10]]));
  const first = (t: tf.Tensor3D) => tf.slice(t, [0, 0, 0], [1, 1, 11]);
  assertLess(1e-4, tf.max(tf.abs(tf.sub(first(a), first(b)))).dataSync()[0]);
  const { weights } = model.inspect(ids([[1, 2, 3, 4]]));
  assertLess(0, (weights[0].arraySync() as number[][][][])[0][0][0][3]); // query 0 sees key 3
  tf.dispose([a, b, ...weights]);
  model.dispose();
  assertThrows(
    () => validateStagedLMConfig({ ...stages[1].config, causal: "no" as unknown as boolean }),
    Error,
    "causal must be true or false",
  );
});
