// The Transformer's `feedForward: false` option (notebook 05's ablation): attention-only layers
// with no feed-forward weights, still causal, and trainable (every weight gets a gradient).
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { generateToyTranslations } from "../lib/data/toy_translation.ts";
import { disposeBatch, makeBatch, Transformer, Vocab } from "../lib/models/mod.ts";
import { trainSeq2Seq } from "../lib/train/mod.ts";

await initBackend();
const data = generateToyTranslations({
  seed: 3,
  train: 200,
  validation: 0,
  test: 20,
  maxLength: 6,
});
const srcVocab = Vocab.fromSentences(data.train.concat(data.test).map((p) => p.source));
const tgtVocab = Vocab.fromSentences(data.train.concat(data.test).map((p) => p.target));
const build = (feedForward: boolean) =>
  new Transformer({
    sourceVocab: srcVocab,
    targetVocab: tgtVocab,
    maxSourceLength: 6,
    maxTargetLength: 7,
    dModel: 16,
    nHead: 2,
    layers: 1,
    dFF: 32,
    seed: 1,
    feedForward,
  });

Deno.test("transformer without feed-forward layers: fewer weights, another function, still causal", () => {
  const [on, off] = [build(true), build(false)];
  assertEquals([on.feedForward, off.feedForward], [true, false]);
  // One encoder and one decoder layer lose W1 (16x32), b1 (32), W2 (32x16), b2 (16) and the
  // LayerNorm before them (2x16) each.
  const perLayer = 16 * 32 + 32 + 32 * 16 + 16 + 2 * 16;
  assertEquals(on.parameterCount() - off.parameterCount(), 2 * perLayer);
  const b = makeBatch(data.test.slice(0, 5), srcVocab, tgtVocab, 6, 7);
  const [gap, causal] = tf.tidy(() => [
    tf.max(tf.abs(tf.sub(on.logits(b), off.logits(b)))).arraySync() as number,
    tf.max(tf.abs(tf.sub(off.logits(b), off.incrementalLogits(b)))).arraySync() as number,
  ]);
  assert(gap > 1e-3, `feed-forward on/off gave the same logits (max gap ${gap})`);
  assertLess(causal, 1e-4);
  disposeBatch(b);
  on.dispose();
  off.dispose();
});

Deno.test("transformer without feed-forward layers trains: loss falls, no missing gradient", async () => {
  const m = build(false);
  const before = tf.memory().numTensors;
  const run = await trainSeq2Seq(m, data.train, { steps: 30, batchSize: 16, learningRate: 0.01 });
  assertLess(run.losses.slice(-5).reduce((a, b) => a + b) / 5, run.losses[0]);
  assertLess(tf.memory().numTensors - before, 5);
  m.dispose();
});
