import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { Rng } from "../lib/random.ts";
import { accuracyByLength } from "../lib/models/seq2seq/seq2seq_eval.ts";
import { Vocab } from "../lib/models/seq2seq/seq2seq_data.ts";
import { Seq2SeqLSTM } from "../lib/models/seq2seq/seq2seq_lstm.ts";
import { SequenceAutoencoder } from "../lib/models/seq2seq/seq_autoencoder.ts";
import { trainSeq2Seq } from "../lib/train/seq2seq.ts";

await initBackend({ report: false });

const SYMBOLS = ["a", "b", "c", "d"];
const vocab = new Vocab(SYMBOLS);

function sequences(n: number, seed: number): string[] {
  const r = new Rng(seed);
  return Array.from(
    { length: n },
    () => Array.from({ length: 2 + r.int(2) }, () => SYMBOLS[r.int(4)]).join(" "),
  );
}

Deno.test("SequenceAutoencoder: the latent has the bottleneck's width and its own weights", () => {
  const ae = new SequenceAutoencoder({
    vocab,
    maxLength: 4,
    bottleneck: 3,
    hidden: 8,
    embedDim: 4,
  });
  const plain = new Seq2SeqLSTM({
    sourceVocab: vocab,
    targetVocab: vocab,
    maxSourceLength: 4,
    maxTargetLength: 5,
    hidden: 8,
    embedDim: 4,
    layers: 1,
  });
  const z = ae.code(["a b c", "d"]);
  assertEquals(z.shape, [2, 3]);
  z.dispose();
  // The plain model plus down (16·3 + 3) and up (3·16 + 16) for 1 layer of h and c, 8 wide.
  assertEquals(ae.parameterCount(), plain.parameterCount() + 16 * 3 + 3 + 3 * 16 + 16);
  assertEquals(ae.maxTargetLength, 5);
  plain.dispose();
  ae.dispose();
});

Deno.test("SequenceAutoencoder: bad widths and unknown words are named errors", () => {
  for (const bottleneck of [0, 2.5, -1]) {
    assertThrows(
      () => new SequenceAutoencoder({ vocab, maxLength: 4, bottleneck }),
      Error,
      "bottleneck must be a positive integer",
    );
  }
  const ae = new SequenceAutoencoder({ vocab, maxLength: 4, bottleneck: 2, hidden: 8 });
  assertThrows(() => ae.code(["a z"]), Error, "z");
  ae.dispose();
});

Deno.test("SequenceAutoencoder: the decoder reads only the latent vector", () => {
  // Equal latent vectors must give equal outputs: zero the down-projection, so every input maps
  // to the same z (its bias), and every reconstruction must then be the same string.
  const ae = new SequenceAutoencoder({ vocab, maxLength: 4, bottleneck: 2, hidden: 8, seed: 4 });
  ae.down.assign(tf.zerosLike(ae.down));
  const out = ae.translate(sequences(20, 1));
  assertEquals(new Set(out).size, 1);
  ae.dispose();
});

Deno.test("SequenceAutoencoder: learns to reconstruct, and leaks no tensors", async () => {
  const before = tf.memory().numTensors;
  const ae = new SequenceAutoencoder({ vocab, maxLength: 3, bottleneck: 8, hidden: 32, seed: 1 });
  const vars = tf.memory().numTensors;
  const train = sequences(400, 2).map((s) => ({ source: s, target: s }));
  const test = sequences(50, 3).map((s) => ({ source: s, target: s }));
  const untrained = accuracyByLength(ae.translate(test.map((p) => p.source)), test).overall;
  await trainSeq2Seq(ae, train, { steps: 150, batchSize: 32, learningRate: 0.01, seed: 1 });
  const trained = accuracyByLength(ae.translate(test.map((p) => p.source)), test).overall;
  // 4 symbols: chance is 25% per token; 150 steps on 2-3 symbols through 8 numbers do far better.
  assertGreater(trained.tokenAccuracy, 0.8);
  assertGreater(trained.tokenAccuracy, untrained.tokenAccuracy + 0.3);
  ae.code(test.map((p) => p.source)).dispose();
  assertEquals(tf.memory().numTensors, vars);
  ae.dispose();
  assertEquals(tf.memory().numTensors, before);
});
