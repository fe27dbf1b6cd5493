import fc from "fast-check";
import { assertEquals, assertThrows } from "@std/assert";
import { CharTokenizer, pySplit, tokenizerFromJSON, WordTokenizer } from "../lib/tokenizers/mod.ts";
import { mobyDick } from "./fixtures/tokenizers/corpora.ts";

const corpus = mobyDick().slice(0, 200_000);

Deno.test("CharTokenizer: sorted code points, one id each, emoji included", () => {
  const t = CharTokenizer.fromText("hello 🙂 world");
  assertEquals(t.chars, [" ", "d", "e", "h", "l", "o", "r", "w", "🙂"]);
  assertEquals(t.vocabSize, 9);
  assertEquals(t.specialTokens, {});
  assertEquals(t.encode("🙂 owl"), [8, 0, 5, 7, 4]);
});

Deno.test("property: CharTokenizer round-trips any string over its vocabulary", () => {
  const t = CharTokenizer.fromText(corpus);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...t.chars)).map((cs) => cs.join("")),
      (s) => {
        assertEquals(t.decode(t.encode(s)), s);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: characters outside the vocabulary throw, or become the unknown token", () => {
  const strict = CharTokenizer.fromText("abc");
  const lenient = CharTokenizer.fromText("abc", { unknown: "<?>" });
  assertEquals(lenient.specialTokens, { "<?>": 0 });
  assertEquals(lenient.vocabSize, 4);
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => {
      const known = [...s].every((ch) => "abc".includes(ch));
      if (known) assertEquals(strict.decode(strict.encode(s)), s);
      else {assertThrows(
          () => strict.encode(s),
          Error,
          "is not in the 3-character vocabulary",
        );}
      // Decoding replaces exactly the unseen characters with the unknown token's text.
      const expected = [...s].map((ch) => "abc".includes(ch) ? ch : "<?>").join(
        "",
      );
      assertEquals(lenient.decode(lenient.encode(s)), expected);
    }),
    { numRuns: 500 },
  );
  assertThrows(
    () => strict.encode("abé"),
    Error,
    'character "é" (U+00E9) at index 2',
  );
});

Deno.test("property: WordTokenizer round-trips known words joined by single spaces", () => {
  const t = WordTokenizer.fromText(corpus);
  const words = t.words.slice(0, 2000);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...words)).map((ws) => ws.join(" ")),
      (s) => {
        assertEquals(t.decode(t.encode(s)), s);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: WordTokenizer normalises spacing and maps unseen words to <unk>", () => {
  const t = WordTokenizer.fromText("the cat sat on the mat");
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom("the", "cat", "dog", " ", "  ", "\n", "\t", "mat", "x"),
        { maxLength: 20 },
      ),
      (parts) => {
        const s = parts.join("");
        const expected = pySplit(s).map((w) => t.words.includes(w) ? w : "<unk>").join(" ");
        assertEquals(t.decode(t.encode(s)), expected);
      },
    ),
  );
});

Deno.test("WordTokenizer: vocabSize keeps the most frequent words; Python's whitespace", () => {
  const t = WordTokenizer.fromText("b b b a a c d", { vocabSize: 3 });
  assertEquals(t.words, ["a", "b"]);
  assertEquals(t.encode("a b c"), [1, 2, 0]);
  // \x1c-\x1f and \x85 separate words in Python's str.split(), as here.
  assertEquals(WordTokenizer.fromText("x\x1cy\x85z").words, ["x", "y", "z"]);
});

Deno.test("property: Char and Word tokenizers rebuild identically from JSON", () => {
  const char = CharTokenizer.fromText(corpus, { unknown: "<unk>" });
  const word = WordTokenizer.fromText(corpus, { vocabSize: 500 });
  const char2 = tokenizerFromJSON(JSON.parse(JSON.stringify(char)));
  const word2 = tokenizerFromJSON(JSON.parse(JSON.stringify(word)));
  assertEquals(char2.toJSON(), char.toJSON());
  assertEquals(word2.toJSON(), word.toJSON());
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (s) => {
      assertEquals(char2.encode(s), char.encode(s));
      assertEquals(word2.encode(s), word.encode(s));
    }),
    { numRuns: 300 },
  );
});

Deno.test("Char and Word vocabularies are deterministic", () => {
  assertEquals(
    JSON.stringify(CharTokenizer.fromText(corpus)),
    JSON.stringify(CharTokenizer.fromText(corpus)),
  );
  const a = WordTokenizer.fromText(corpus, { vocabSize: 300 }),
    b = WordTokenizer.fromText(corpus, { vocabSize: 300 });
  assertEquals(JSON.stringify(a), JSON.stringify(b));
});

Deno.test("Char and Word tokenizers: bad input gives clear errors", () => {
  assertThrows(() => CharTokenizer.fromText(""), Error, "corpus is empty");
  assertThrows(() => WordTokenizer.fromText(" \n\t"), Error, "has no words");
  assertThrows(
    () => WordTokenizer.fromText("a b", { vocabSize: 1 }),
    RangeError,
    "at least 2",
  );
  assertThrows(
    () => CharTokenizer.fromText("ab").decode([2]),
    RangeError,
    "token id 2 at position 0",
  );
  assertThrows(
    () => WordTokenizer.fromText("a b").decode([0, 3]),
    RangeError,
    "token id 3 at position 1",
  );
  assertThrows(
    () => CharTokenizer.fromText("ab").decode("01" as unknown as number[]),
    Error,
    "array of token ids",
  );
  assertThrows(() => new CharTokenizer(["ab"]), Error, "not one character");
  assertThrows(() => new CharTokenizer(["a", "a"]), Error, "listed twice");
  assertThrows(() => new WordTokenizer(["a b"]), Error, "not one word");
  assertThrows(
    () => CharTokenizer.fromJSON({ type: "CharTokenizer", version: 2, chars: [] }),
    Error,
    "version",
  );
  assertThrows(
    () =>
      CharTokenizer.fromJSON({
        type: "CharTokenizer",
        version: 1,
        chars: [1],
        unknown: null,
      }),
    Error,
    '"chars"',
  );
  assertThrows(
    () =>
      WordTokenizer.fromJSON({
        type: "WordTokenizer",
        version: 1,
        words: ["a"],
      }),
    Error,
    "unknown",
  );
  assertThrows(
    () => tokenizerFromJSON({ type: "Nope" }),
    Error,
    "unknown tokenizer type",
  );
  assertThrows(
    () => CharTokenizer.fromText("ab").encode(5 as unknown as string),
    Error,
    "expects a string",
  );
});
