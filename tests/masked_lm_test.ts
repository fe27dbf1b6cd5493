import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import {
  accuracy,
  bertMask,
  classBatch,
  GPT,
  GPTClassifier,
  gptConfig,
  MaskedLM,
} from "../lib/models/mod.ts";
import { fineTune } from "../lib/train/mod.ts";
import { loadMaskedLM, saveMaskedLM } from "../lib/pretrained/mod.ts";
import { ByteBPE } from "../lib/tokenizers/mod.ts";

await initBackend({ report: false });

Deno.test("bertMask: 15% chosen, of those 80% [MASK], 10% random, 10% unchanged", () => {
  const n = 200_000, V = 1000, MASK = 1000;
  const ids = Int32Array.from({ length: n }, (_, i) => (i * 7919) % V);
  const m = bertMask(ids, { maskId: MASK, randomBelow: V, seed: 7 });
  const chosen = m.positions.length;
  // Binomial(200k, 0.15): sd about 160, so 0.15 +- 0.005 is more than 6 sd.
  assertAlmostEquals(chosen / n, 0.15, 0.005);
  let masked = 0, same = 0, replaced = 0;
  m.positions.forEach((p, k) => {
    assertEquals(m.targets[k], ids[p], "targets are the original ids");
    if (m.input[p] === MASK) masked++;
    else if (m.input[p] === ids[p]) same++;
    else replaced++;
  });
  assertAlmostEquals(masked / chosen, 0.8, 0.01);
  // A random replacement equals the original 1 time in V: "same" is 0.1 + 0.1/V.
  assertAlmostEquals(same / chosen, 0.1 + 0.1 / V, 0.01);
  assertAlmostEquals(replaced / chosen, 0.1 - 0.1 / V, 0.01);
  // Positions not chosen are untouched.
  const chosenSet = new Set(m.positions);
  for (let i = 0; i < n; i += 97) if (!chosenSet.has(i)) assertEquals(m.input[i], ids[i]);
  // Deterministic in the seed, different across seeds.
  assertEquals(bertMask(ids, { maskId: MASK, randomBelow: V, seed: 7 }).positions, m.positions);
  assert(bertMask(ids, { maskId: MASK, randomBelow: V, seed: 8 }).positions[0] !== m.positions[0]);
  // Never empty, even for one token.
  assertEquals(
    bertMask(Int32Array.of(4), { maskId: 9, randomBelow: 9, seed: 1 }).positions.length,
    1,
  );
  assertThrows(
    () => bertMask(ids, { maskId: 1, randomBelow: V, rate: 1.5, seed: 1 }),
    Error,
    "rate",
  );
});

/** Largest change of position `p`'s output when token `q` is changed, for a model. */
function sensitivity(model: GPT, p: number, q: number): number {
  return tf.tidy(() => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = a.slice();
    b[q] = 9;
    const ya = model.hidden(tf.tensor2d([a], [1, 8], "int32"));
    const yb = model.hidden(tf.tensor2d([b], [1, 8], "int32"));
    return tf.max(tf.abs(tf.sub(ya.slice([p, 0], [1, -1]), yb.slice([p, 0], [1, -1]))))
      .dataSync()[0];
  });
}

Deno.test("bidirectional attention sees the future, causal attention does not", () => {
  const config = gptConfig("notes-small", { vocabSize: 12 });
  const mlm = new MaskedLM(config, { maskId: 11, randomBelow: 11, seed: 3 });
  const gpt = new GPT(config, { seed: 3 });
  const before = tf.memory().numTensors;
  // Changing token 6 changes position 2's output only in the bidirectional model.
  assertEquals(sensitivity(gpt, 2, 6), 0);
  assert(sensitivity(mlm.net, 2, 6) > 1e-4);
  // Both see the past.
  assert(sensitivity(gpt, 6, 2) > 1e-4);
  assert(sensitivity(mlm.net, 6, 2) > 1e-4);
  assertEquals(tf.memory().numTensors, before);
  mlm.dispose();
  gpt.dispose();
});

Deno.test("MaskedLM: loss near ln V at init, learns, no leaks, save/load round trip", async () => {
  const tok = ByteBPE.train("the cat sat on the mat. the dog sat on the log. ".repeat(20), 270, {
    specialTokens: ["[MASK]"],
  });
  const maskId = tok.specialTokens["[MASK]"];
  const model = new MaskedLM(gptConfig("notes-small", { vocabSize: tok.vocabSize }), {
    maskId,
    randomBelow: maskId,
    seed: 1,
  });
  const ids = tok.encode("the cat sat on the mat. the dog sat on the log. the cat sat on");
  const x = tf.tensor2d([ids.slice(0, 16)], [1, 16], "int32");
  const l0 = model.loss(x, x, { seed: 5 }).dataSync()[0];
  assertAlmostEquals(l0, Math.log(tok.vocabSize), 0.5);
  // A few steps of plain SGD on a fixed masking lower that loss.
  const before = tf.memory().numTensors;
  const vars = [...model.params.values()];
  for (let s = 0; s < 30; s++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => model.loss(x, x, { seed: 5 }), vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.5)));
    });
  }
  assertEquals(tf.memory().numTensors, before, "training steps leak no tensors");
  const l1 = model.loss(x, x, { seed: 5 }).dataSync()[0];
  assertLess(l1, l0 - 0.5);

  const dir = await Deno.makeTempDir();
  await saveMaskedLM(`${dir}/mlm`, model, tok);
  const back = await loadMaskedLM(`${dir}/mlm`);
  assertEquals(back.model.maskId, maskId);
  assertEquals(back.model.net.causal, false);
  assertEquals(back.tokenizer.encode("the cat"), tok.encode("the cat"));
  assertAlmostEquals(back.model.loss(x, x, { seed: 5 }).dataSync()[0], l1, 1e-5);
  await assertRejectsMessage(() => loadMaskedLM("/nonexistent/mlm"));
  back.model.dispose();
  model.dispose();
  x.dispose();
  await Deno.remove(dir, { recursive: true });
  assertThrows(
    () => new MaskedLM(gptConfig("notes-small", { vocabSize: 10 }), { maskId: 10, randomBelow: 9 }),
    Error,
    "[MASK]",
  );
});

async function assertRejectsMessage(f: () => Promise<unknown>): Promise<void> {
  let threw = false;
  try {
    await f();
  } catch (e) {
    threw = true;
    assert((e as Error).message.length > 10);
  }
  assert(threw, "expected a rejection");
}

Deno.test("GPTClassifier: loss = CE + 0.5 LM by hand; padding does not change the answer", () => {
  const gpt = new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 2 });
  const clf = new GPTClassifier(gpt, 2, { seed: 2 });
  const b = classBatch([[3, 4, 5], [6]], [1, 0], {
    startId: 1,
    extractId: 2,
    padId: 0,
    blockSize: 8,
  });
  assertEquals(b.ids, [[1, 3, 4, 5, 2], [1, 6, 2, 0, 0]]);
  const total = clf.loss(b).dataSync()[0];
  // By hand: head on the extract token's state, LM loss over real next tokens.
  const hand = tf.tidy(() => {
    const h = gpt.hidden(tf.tensor2d(b.ids.flat(), [2, 5], "int32")).arraySync() as number[][];
    const W = clf.params.get("cls.weight")!.arraySync() as number[][];
    const logsm = (z: number[], k: number) => {
      const m = Math.max(...z);
      return z[k] - m - Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    };
    const head = (row: number[]) => [0, 1].map((k) => row.reduce((a, v, c) => a + v * W[c][k], 0));
    const cls = -(logsm(head(h[4]), 1) + logsm(head(h[5 + 2]), 0)) / 2;
    const E = gpt.params.get("transformer.wte.weight")!.arraySync() as number[][];
    const lmRow = (row: number[]) => E.map((e) => e.reduce((a, v, c) => a + v * row[c], 0));
    const pairs: [number, number][] = [[0, 3], [1, 4], [2, 5], [3, 2], [5, 6], [6, 2]];
    const lm = -pairs.reduce((a, [r, t]) => a + logsm(lmRow(h[r]), t), 0) / pairs.length;
    return cls + 0.5 * lm;
  });
  assertAlmostEquals(total, hand, 1e-4);
  // Row 1's prediction is the same alone as padded in a batch.
  const alone = clf.probabilities({ ids: [[1, 6, 2]], lengths: [3], labels: [0] })[0];
  const padded = clf.probabilities(b)[1];
  assertAlmostEquals(alone[0], padded[0], 1e-5);
  assertThrows(() => clf.loss({ ...b, labels: [2, 0] }), Error, "labels[0]");
  clf.dispose();
});

Deno.test("fineTune: learns a separable task and leaks no tensors", async () => {
  const clf = new GPTClassifier(
    new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 4 }),
    2,
  );
  // Label 1 iff the text contains token 7.
  const texts: number[][] = [], labels: number[] = [];
  for (let i = 0; i < 32; i++) {
    const t = [3 + (i % 3), 4 + (i % 4), i % 2 ? 7 : 8, 5];
    texts.push(t);
    labels.push(i % 2);
  }
  const data = classBatch(texts, labels, { startId: 1, extractId: 2, padId: 0, blockSize: 8 });
  const before = tf.memory().numTensors;
  const losses = await fineTune(clf, data, { steps: 60, batchSize: 8, lr: 3e-3, seed: 1 });
  assertEquals(tf.memory().numTensors, before, "no tensors left behind by fine-tuning");
  assertEquals(losses.length, 60);
  assertLess(losses.slice(-5).reduce((a, b) => a + b) / 5, losses[0]);
  assertEquals(accuracy(clf, data), 1);
  assertEquals(tf.memory().numTensors, before, "nor by evaluation");
  clf.dispose();
});

Deno.test("GPTClassifier: building and disposing one leaves no tensors behind", () => {
  const before = tf.memory().numTensors;
  const clf = new GPTClassifier(new GPT(gptConfig("notes-small", { vocabSize: 12 })), 3, {
    seed: 4,
  });
  assertEquals(clf.params.get("cls.weight")!.shape, [clf.gpt.config.nEmbd, 3]);
  clf.dispose();
  assertEquals(tf.memory().numTensors, before);
});
