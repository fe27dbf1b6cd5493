import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { BowLogistic } from "../lib/models/classic/bow_classifier.ts";
import { Rng } from "../lib/random.ts";

Deno.test("BowLogistic: separates two vocabularies and generalises to unseen mixes", () => {
  const rng = new Rng(3);
  const doc = (label: number) =>
    Array.from({ length: 12 }, () => (rng.uniform() < 0.7 ? label * 10 : 20) + rng.int(10));
  const labels = Array.from({ length: 200 }, (_, i) => i % 2);
  const docs = labels.map(doc);
  const m = BowLogistic.fit(docs, labels, { vocabSize: 30 });
  assertEquals(m.accuracy(docs, labels), 1);
  const testLabels = Array.from({ length: 100 }, (_, i) => (i + 1) % 2);
  assert(m.accuracy(testLabels.map(doc), testLabels) > 0.95);
  // The shared ids 20..29 carry no signal: their weights stay far below the class ids'.
  const shared = Math.max(...Array.from(m.weights.slice(20, 30), Math.abs));
  const informative = Math.min(...Array.from(m.weights.slice(0, 20), Math.abs));
  assert(shared < informative, `shared ${shared} vs informative ${informative}`);
});

Deno.test("BowLogistic: deterministic, probabilities in (0, 1), one class only learns the bias", () => {
  const docs = [[1, 2, 2], [3], [1, 3]], labels = [1, 0, 1];
  const a = BowLogistic.fit(docs, labels, { vocabSize: 4 }),
    b = BowLogistic.fit(docs, labels, { vocabSize: 4 });
  assertEquals(Array.from(a.weights), Array.from(b.weights));
  for (const p of a.probabilities([[1], [], [2, 3]])) assert(p > 0 && p < 1);
  const ones = BowLogistic.fit([[1], [2]], [1, 1], { vocabSize: 3, l2: 0 });
  assertEquals(ones.predict([[0], []]), [1, 1]);
  // A strong penalty pulls the weights to zero: the prediction is the base rate.
  const flat = BowLogistic.fit(docs, labels, { vocabSize: 4, l2: 1e3 });
  for (const p of flat.probabilities([[1], [3]])) assertAlmostEquals(p, 2 / 3, 0.02);
});

Deno.test("BowLogistic: rejects bad input", () => {
  assertThrows(() => BowLogistic.fit([], [], { vocabSize: 3 }));
  assertThrows(() => BowLogistic.fit([[1]], [2], { vocabSize: 3 }));
  assertThrows(() => BowLogistic.fit([[5]], [1], { vocabSize: 3 }));
});
