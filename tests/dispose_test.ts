/**
 * Build-then-dispose: every class that owns tf.Variables frees all of them (tensor count and
 * bytes back to where they started), on the backend the suite runs on and on cpu.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { LearnedPositionalEncoding, MultiHeadAttention } from "../lib/attention/mod.ts";
import {
  GPT,
  gptConfig,
  lmStages,
  LSTMAttention,
  LSTMStack,
  RepeatVectorSeq2Seq,
  Seq2SeqLSTM,
  StagedLM,
  Transformer,
  Vocab,
} from "../lib/models/mod.ts";
import { AdamW, Trainer } from "../lib/train/mod.ts";

await initBackend({ report: false });

/** Builds `make()`, disposes it, and checks that nothing stayed allocated. */
function assertFreed(name: string, make: () => { dispose(): void }): void {
  const before = tf.memory();
  const obj = make();
  const during = tf.memory();
  // A class that allocates nothing would pass trivially: make sure it really owns tensors.
  if (during.numTensors <= before.numTensors) {
    throw new Error(`${name}: the build allocated no tensors, so the test checks nothing`);
  }
  obj.dispose();
  const after = tf.memory();
  assertEquals(
    { numTensors: after.numTensors, numBytes: after.numBytes },
    { numTensors: before.numTensors, numBytes: before.numBytes },
    `${name} left tensors behind after dispose()`,
  );
}

const src = Vocab.fromSentences(["let's go", "go home"]);
const tgt = Vocab.fromSentences(["andiamo", "a casa"]);
const seq2seq = { sourceVocab: src, targetVocab: tgt, maxSourceLength: 4, maxTargetLength: 4 };

for (const backend of [tf.getBackend(), "cpu"]) {
  Deno.test(`dispose frees every variable (${backend})`, async (t) => {
    const previous = tf.getBackend();
    await tf.setBackend(backend);
    try {
      await t.step("GPT", () => {
        assertFreed("GPT", () => new GPT(gptConfig("baby", { vocabSize: 65 }), { seed: 1 }));
      });
      await t.step("GPT with biases", () => {
        assertFreed("GPT", () => new GPT(gptConfig("notes-small", { vocabSize: 10 })));
      });
      await t.step("StagedLM, every stage", () => {
        for (const s of lmStages({ vocabSize: 9, blockSize: 8, nEmbd: 8, nHead: 2, nLayer: 2 })) {
          assertFreed(`StagedLM ${s.name}`, () => new StagedLM(s.config, { seed: 1 }));
        }
      });
      await t.step("MultiHeadAttention", () => {
        assertFreed("MultiHeadAttention", () => new MultiHeadAttention(16, 2, { seed: 3 }));
      });
      await t.step("LearnedPositionalEncoding", () => {
        assertFreed("LearnedPositionalEncoding", () => new LearnedPositionalEncoding(8, 4));
      });
      await t.step("LSTMStack", () => {
        assertFreed("LSTMStack", () => new LSTMStack(4, 8, 2, 0));
      });
      await t.step("Seq2SeqLSTM", () => {
        assertFreed("Seq2SeqLSTM", () => new Seq2SeqLSTM({ ...seq2seq, hidden: 8, embedDim: 4 }));
      });
      await t.step("LSTMAttention", () => {
        assertFreed(
          "LSTMAttention",
          () => new LSTMAttention({ ...seq2seq, hidden: 8, embedDim: 4 }),
        );
      });
      await t.step("Transformer", () => {
        assertFreed("Transformer", () => new Transformer({ ...seq2seq, dModel: 8, nHead: 2 }));
      });
      await t.step("RepeatVectorSeq2Seq", () => {
        assertFreed(
          "RepeatVectorSeq2Seq",
          () =>
            new RepeatVectorSeq2Seq({
              alphabet: " 0123456789+",
              inputLength: 5,
              outputLength: 3,
              hidden: 8,
            }),
        );
      });
      await t.step("AdamW", () => {
        const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
        assertFreed("AdamW", () => new AdamW(model.params));
        model.dispose();
      });
      await t.step("Trainer", () => {
        const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
        const data = Int32Array.from({ length: 200 }, (_, i) => i % 10);
        assertFreed("Trainer", () =>
          new Trainer({
            model,
            train: data,
            val: data,
            config: { batchSize: 2, blockSize: 8 },
          }));
        model.dispose();
      });
    } finally {
      await tf.setBackend(previous);
    }
  });
}

Deno.test("a GPT trained by Trainer (with dropout), then disposed, leaves nothing", async () => {
  const before = tf.memory();
  const model = new GPT(gptConfig("notes-small", { vocabSize: 10, dropout: 0.1 }), { seed: 5 });
  const data = Int32Array.from({ length: 400 }, (_, i) => (i * 3) % 10);
  const trainer = new Trainer({
    model,
    train: data.subarray(0, 320),
    val: data.subarray(320),
    config: { maxIters: 6, batchSize: 2, blockSize: 8, evalInterval: 3, evalIters: 2 },
  });
  await trainer.run();
  trainer.dispose();
  model.dispose();
  const after = tf.memory();
  assertEquals(
    { numTensors: after.numTensors, numBytes: after.numBytes },
    { numTensors: before.numTensors, numBytes: before.numBytes },
  );
});
