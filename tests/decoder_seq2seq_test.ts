import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { DecoderOnlySeq2Seq } from "../lib/models/seq2seq/decoder_seq2seq.ts";
import { makeBatch, Vocab } from "../lib/models/seq2seq/seq2seq_data.ts";
import { trainSeq2Seq } from "../lib/train/seq2seq.ts";

await initBackend();

Deno.test("decoder-only seq2seq: loss at init is about ln(target vocabulary), no tensors leak", () => {
  const v = new Vocab(["a", "b", "c"]);
  const m = new DecoderOnlySeq2Seq({
    sourceVocab: v,
    targetVocab: v,
    maxSourceLength: 4,
    maxTargetLength: 5,
    nLayer: 1,
    nEmbd: 16,
    seed: 1,
  });
  const before = tf.memory().numTensors;
  const batch = makeBatch(
    [{ source: "a b", target: "b a" }, { source: "c", target: "c" }],
    v,
    v,
    4,
    5,
  );
  const l = m.loss(batch);
  assertAlmostEquals(l.dataSync()[0], Math.log(v.size), 0.3);
  tf.dispose([l, batch.ids, batch.mask, batch.targetIn, batch.targetOut, batch.targetMask]);
  assertEquals(m.translate(["a b c", "a"]).length, 2);
  assertEquals(tf.memory().numTensors, before);
  m.dispose();
});

Deno.test("decoder-only seq2seq: the target loss ignores padding and learns to reverse", async () => {
  const v = new Vocab(["a", "b", "c"]);
  const m = new DecoderOnlySeq2Seq({
    sourceVocab: v,
    targetVocab: v,
    maxSourceLength: 3,
    maxTargetLength: 4,
    nLayer: 2,
    nEmbd: 32,
    seed: 2,
  });
  const words = ["a", "b", "c"];
  const pairs = words.flatMap((x) =>
    words.flatMap((y) => words.map((z) => ({ source: `${x} ${y} ${z}`, target: `${z} ${y} ${x}` })))
  );
  pairs.push(...words.map((x) => ({ source: x, target: x })));
  const run = await trainSeq2Seq(m, pairs, {
    steps: 150,
    batchSize: 16,
    learningRate: 0.01,
    seed: 1,
  });
  assert(run.losses.at(-1)! < 0.2, `last loss ${run.losses.at(-1)}`);
  const got = m.translate(pairs.map((p) => p.source));
  assert(got.filter((g, i) => g === pairs[i].target).length >= pairs.length - 2, got.join(" | "));
  m.dispose();
});
