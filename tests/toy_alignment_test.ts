import { assertEquals, assertThrows } from "@std/assert";
import { Rng } from "../lib/random.ts";
import {
  alignToyTranslation,
  generateToyTranslations,
  translationPairOfLength,
} from "../lib/data/toy_translation.ts";

Deno.test("alignToyTranslation: positions of a noun phrase, verbs and conjunctions", () => {
  const a = alignToyTranslation("the big red girl sees an old cat but it sleeps");
  assertEquals(
    a.map((w) => w.word).join(" "),
    "la ragazza grande rossa vede un gatto vecchio ma dorme",
  );
  assertEquals(a.map((w) => w.sources), [[0], [3], [1], [2], [4], [5], [7], [6], [8], [10, 9]]);
  assertEquals(a.map((w) => w.noun), [
    3,
    undefined,
    3,
    3,
    undefined,
    7,
    undefined,
    7,
    undefined,
    undefined,
  ]);
  assertEquals(a.map((w) => w.kind), [
    "article",
    "noun",
    "adjective",
    "adjective",
    "verb",
    "article",
    "noun",
    "adjective",
    "conjunction",
    "verb",
  ]);
});

Deno.test("alignToyTranslation: two-word sentences", () => {
  assertEquals(alignToyTranslation("let's go"), [
    { word: "andiamo", kind: "let's + verb", sources: [0, 1] },
  ]);
  assertEquals(alignToyTranslation("she laughs"), [
    { word: "ride", kind: "verb", sources: [1, 0] },
  ]);
});

Deno.test("alignToyTranslation: reproduces every generated target, one word per position", () => {
  const { train, test } = generateToyTranslations({
    seed: 3,
    train: 600,
    validation: 0,
    test: 200,
  });
  const rng = new Rng(7);
  const extra = Array.from({ length: 200 }, (_, k) => translationPairOfLength(rng, 2 + (k % 40)));
  for (const p of [...train, ...test, ...extra]) {
    const a = alignToyTranslation(p.source);
    assertEquals(a.map((w) => w.word).join(" "), p.target);
    // Every English position is translated by exactly one Italian word.
    const covered = a.flatMap((w) => w.sources).sort((x, y) => x - y);
    assertEquals(covered, p.source.split(" ").map((_, i) => i));
    for (const w of a) {
      if (w.kind === "article" || w.kind === "adjective") {
        assertEquals(typeof w.noun, "number");
      }
    }
  }
});

Deno.test("alignToyTranslation: rejects sentences outside the grammar", () => {
  assertThrows(() => alignToyTranslation("the big sleeps"));
  assertThrows(() => alignToyTranslation("dog the"));
});
