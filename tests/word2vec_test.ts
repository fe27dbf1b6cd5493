import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { evaluateAnalogies, Word2Vec, wordTokens } from "../lib/models/classic/word2vec.ts";
import { trainWord2Vec } from "../lib/train/word2vec.ts";

await initBackend({ report: false });

// Two families of words that share contexts only within the family.
function toyCorpus(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 300; i++) {
    const royal = ["king", "queen", "prince"][i % 3];
    const animal = ["dog", "cat", "horse"][i % 3];
    out.push("the", royal, "rules", "the", "crown", "and", "throne", ".");
    out.push("a", animal, "eats", "grass", "in", "the", "field", ".");
  }
  return out;
}

Deno.test("wordTokens lower-cases and keeps inner apostrophes", () => {
  assertEquals(wordTokens("O'er the King's  HEAD, 3 times!"), [
    "o'er",
    "the",
    "king's",
    "head",
    "times",
  ]);
  assertThrows(() => wordTokens(3 as unknown as string), Error, "string");
});

Deno.test("Word2Vec: vocabulary by frequency, clear errors on bad input", () => {
  const w = new Word2Vec(["b", "a", "b", "c", "b", "a"], { minCount: 2, dim: 4, subsample: 0 });
  assertEquals(w.vocab, ["b", "a"]);
  assertEquals(Array.from(w.counts), [3, 2]);
  assertThrows(() => w.id("c"), Error, "not in the vocabulary");
  assertThrows(() => w.nearest([1, 2], 1), Error, "vectors 4");
  w.dispose();
  assertThrows(() => new Word2Vec(["a", "b"], { minCount: 5 }), Error, "lower minCount");
  assertThrows(() => new Word2Vec(["a"], { dim: 0 }), Error, "dim must be");
});

Deno.test("Word2Vec: training lowers the loss and groups words that share contexts", async () => {
  const before = tf.memory().numTensors;
  const w = new Word2Vec(toyCorpus(), { dim: 16, window: 2, minCount: 1, subsample: 0, seed: 3 });
  const losses = await trainWord2Vec(w, { steps: 150, batchSize: 128, lr: 0.02 });
  const head = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
  const tail = losses.slice(-10).reduce((a, b) => a + b) / 10;
  // At zero output vectors the loss is (1 + K) ln 2 = 4.16; training must beat it clearly.
  assertLess(Math.abs(losses[0] - 6 * Math.log(2)), 1e-3);
  assertLess(tail, head * 0.7);
  const royal = w.nearest("king", 2).map((n) => n.word);
  assert(royal.every((x) => ["queen", "prince"].includes(x)), `neighbours of king: ${royal}`);
  const animals = w.nearest("dog", 2).map((n) => n.word);
  assert(animals.every((x) => ["cat", "horse"].includes(x)), `neighbours of dog: ${animals}`);
  // The query words never come back from an analogy.
  const top = w.analogy("king", "queen", "dog", 5).map((n) => n.word);
  assert(!top.some((x) => ["king", "queen", "dog"].includes(x)));
  const score = evaluateAnalogies(w, [
    { a: "king", b: "queen", c: "dog", expected: "cat" },
    { a: "king", b: "queen", c: "unicorn", expected: "cat" },
  ]);
  assertEquals([score.asked, score.skipped], [1, 1]);
  assertEquals(score.random1, 1 / (w.vocabSize - 3));
  assertGreater(score.acc5, 0); // cat is one of the two other animals among the top 5
  w.dispose();
  assertEquals(tf.memory().numTensors, before, "no tensors leak");
});

Deno.test("Word2Vec: the same seed gives the same vectors", async () => {
  const run = async () => {
    const w = new Word2Vec(toyCorpus(), { dim: 8, minCount: 1, seed: 7 });
    await trainWord2Vec(w, { steps: 5, batchSize: 32 });
    const v = w.vector("king");
    w.dispose();
    return Array.from(v);
  };
  assertEquals(await run(), await run());
});
