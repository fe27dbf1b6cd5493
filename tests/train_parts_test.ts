/**
 * The parts the training loops share: the seq2seq loop and GPT-1 fine-tuning stop on a NaN like
 * the GPT trainer, GPT-1's schedule, one masked cross-entropy, perplexity in evaluations,
 * progress through a callback.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { crossEntropy, maskedCrossEntropy } from "../lib/models/gpt/layers.ts";
import {
  type ClassBatch,
  classBatch,
  GPT,
  GPTClassifier,
  gptConfig,
  type Seq2SeqBatch,
  Seq2SeqLSTM,
  Vocab,
} from "../lib/models/mod.ts";
import {
  fineTune,
  linearWarmupDecay,
  type ProgressEvent,
  Trainer,
  TrainingDivergedError,
  trainSeq2Seq,
} from "../lib/train/mod.ts";

await initBackend({ report: false });

Deno.test("maskedCrossEntropy: ones equal crossEntropy; padding rows do not count", () => {
  const logits = tf.tensor2d([[1, 2, 0.5], [0.1, -1, 3], [2, 2, 2], [5, -5, 0]]);
  const targets = tf.tensor1d([1, 2, 0, 1], "int32");
  const full = crossEntropy(logits, targets).dataSync()[0];
  const ones = maskedCrossEntropy(logits, targets, tf.ones([4]) as tf.Tensor1D).dataSync()[0];
  assertAlmostEquals(ones, full, 1e-6);
  // By hand: the mean of the first two rows' -log softmax at the target.
  const row = (z: number[], t: number) => Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[t];
  const expected = (row([1, 2, 0.5], 1) + row([0.1, -1, 3], 2)) / 2;
  const masked = maskedCrossEntropy(logits, targets, tf.tensor1d([1, 1, 0, 0])).dataSync()[0];
  assertAlmostEquals(masked, expected, 1e-6);
  tf.dispose([logits, targets]);
});

Deno.test("trainSeq2Seq: a NaN loss stops at that step, before the update, like Trainer", async () => {
  const pairs = [{ source: "let's go", target: "andiamo" }, {
    source: "go home",
    target: "a casa",
  }];
  const model = new Seq2SeqLSTM({
    sourceVocab: Vocab.fromSentences(pairs.map((p) => p.source)),
    targetVocab: Vocab.fromSentences(pairs.map((p) => p.target)),
    maxSourceLength: 4,
    maxTargetLength: 4,
    hidden: 8,
    embedDim: 4,
  });
  const loss = model.loss.bind(model);
  let calls = 0;
  // The third step's loss is NaN.
  model.loss = (b: Seq2SeqBatch) => {
    const l = loss(b);
    if (++calls < 3) return l;
    const nan = tf.mul(l, NaN) as tf.Scalar;
    l.dispose();
    return nan;
  };
  const before = tf.memory().numTensors;
  let weightsAtNaN: Float32Array | undefined;
  const err = await assertRejects(
    () =>
      trainSeq2Seq(model, pairs, {
        steps: 5,
        batchSize: 2,
        onStep: () => {
          weightsAtNaN = model.outW.dataSync().slice() as Float32Array;
        },
      }),
    TrainingDivergedError,
    "loss (NaN)",
  );
  assertEquals(err.step, 2);
  assertEquals(model.outW.dataSync(), weightsAtNaN, "the NaN step changed the weights");
  assertEquals(tf.memory().numTensors, before, "tensors left after the failed run");
  model.dispose();
});

Deno.test("fineTune: a NaN loss stops at that step, before the update, like Trainer", async () => {
  const clf = new GPTClassifier(
    new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 4 }),
    2,
  );
  const data = classBatch([[3, 4], [5, 6], [3, 3], [6, 6]], [0, 1, 0, 1], {
    startId: 1,
    extractId: 2,
    padId: 0,
    blockSize: 8,
  });
  const loss = clf.loss.bind(clf);
  let calls = 0;
  // The third step's loss is NaN.
  clf.loss = (b: ClassBatch, opts?: { training?: boolean; seed?: number }) => {
    const l = loss(b, opts);
    if (++calls < 3) return l;
    const nan = tf.mul(l, NaN) as tf.Scalar;
    l.dispose();
    return nan;
  };
  const head = clf.params.get("cls.weight")!;
  const before = tf.memory().numTensors;
  let weightsAtNaN: Float32Array | undefined;
  const err = await assertRejects(
    () =>
      fineTune(clf, data, {
        steps: 5,
        batchSize: 2,
        lr: 1e-3,
        seed: 1,
        onStep: () => {
          weightsAtNaN = head.dataSync().slice() as Float32Array;
        },
      }),
    TrainingDivergedError,
    "loss (NaN)",
  );
  assertEquals(err.step, 2);
  assertEquals(head.dataSync(), weightsAtNaN, "the NaN step changed the weights");
  assertEquals(tf.memory().numTensors, before, "tensors left after the failed run");
  clf.dispose();
});

Deno.test("linearWarmupDecay: GPT-1's warmup then linear decay, bad settings refused", () => {
  const lrAt = linearWarmupDecay({ lr: 1e-3, warmupIters: 2, totalIters: 10 });
  assertEquals([0, 1].map(lrAt), [1e-3 / 2, 1e-3]);
  assertEquals(lrAt(2), 1e-3 * (8 / 9));
  assertEquals(lrAt(9), 1e-3 * (1 / 9));
  assertEquals(lrAt(10), 0);
  for (const bad of [{ lr: 0 }, { warmupIters: 0 }, { totalIters: 1.5 }]) {
    assertThrows(() => linearWarmupDecay({ lr: 1e-3, warmupIters: 2, totalIters: 10, ...bad }));
  }
});

Deno.test("Trainer: evaluations carry perplexity; progress goes to the callback", async () => {
  const V = 7;
  const data = Int32Array.from({ length: 600 }, (_, i) => (i * 3) % V);
  const model = new GPT(gptConfig("notes-small", { vocabSize: V }), { seed: 2 });
  const events: ProgressEvent[] = [];
  const trainer = new Trainer({
    model,
    train: data.subarray(0, 500),
    val: data.subarray(500),
    config: { maxIters: 4, batchSize: 2, blockSize: 8, evalInterval: 2, evalIters: 2 },
    onProgress: (e) => {
      events.push(e);
    },
  });
  const result = await trainer.run();
  for (const r of result.history) {
    assertAlmostEquals(r.valPerplexity, Math.exp(r.valLoss), 1e-9);
    assertAlmostEquals(r.trainPerplexity, Math.exp(r.trainLoss), 1e-9);
  }
  const e = await trainer.evaluate();
  assertAlmostEquals(e.valPerplexity, Math.exp(e.val), 1e-9);
  // one event per step and per evaluation (3: steps 0, 2, 4), then a final one
  assertEquals(events.length, 4 + 3 + 1);
  assertEquals(events.map((x) => x.finished), [...Array(7).fill(false), true]);
  assert(events.every((x) => x.total === 4 && x.label === "train"));
  assertEquals(events.at(-1)!.done, 4);
  assert("loss" in events.at(-1)!.fields && "val" in events.at(-1)!.fields);
  trainer.dispose();
  model.dispose();
});
