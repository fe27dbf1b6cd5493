import fc from "fast-check";
import { assertEquals, assertThrows } from "@std/assert";
import { tokenizerFromJSON, WordPieceBPE, wordpunctTokenize } from "../lib/tokenizers/mod.ts";
import {
  mobyDick,
  shakespeare,
  shakespeareMissing,
  shakespearePath,
} from "./fixtures/tokenizers/corpora.ts";

// What the notes print after `Encoder().fit(text.split('\n'))` on tiny Shakespeare (their
// output is cut off after these 78 entries).
const NOTES_BPE_VOCAB = "'__sow' : 6553, '__eow' : 6554, 'e' : 6555, 's' : 6556, 'i' : 6557, " +
  "'r' : 6558, 'n' : 6559, 't' : 6560, 'a' : 6561, 'o' : 6562, 'l' : 6563, 'd' : 6564, " +
  "'c' : 6565, 'u' : 6566, 'g' : 6567, 'p' : 6568, 'h' : 6569, 'm' : 6570, 'in' : 6571, " +
  "'er' : 6572, 'es' : 6573, 'b' : 6574, 'ed' : 6575, 'f' : 6576, 'ng' : 6577, 'y' : 6578, " +
  "'re' : 6579, 'st' : 6580, 'en' : 6581, 'te' : 6582, 'w' : 6583, 'v' : 6584, 'le' : 6585, " +
  "'ti' : 6586, 'on' : 6587, 'nt' : 6588, 'ar' : 6589, 'an' : 6590, 'un' : 6591, 'k' : 6592, " +
  "'co' : 6593, 'ri' : 6594, 'is' : 6595, 'de' : 6596, 'at' : 6597, 'ra' : 6598, 'or' : 6599, " +
  "'se' : 6600, 'li' : 6601, 'ne' : 6602, 'he' : 6603, 'ou' : 6604, 've' : 6605, 'ss' : 6606, " +
  "'di' : 6607, 'al' : 6608, 'it' : 6609, 'ea' : 6610, 'ns' : 6611, 'th' : 6612, 'ro' : 6613, " +
  "'pe' : 6614, 'ur' : 6615, 'et' : 6616, 'ly' : 6617, 'el' : 6618, 'me' : 6619, 'ta' : 6620, " +
  "'la' : 6621, 'rs' : 6622, 'io' : 6623, 'ch' : 6624, 'nd' : 6625, 'ce' : 6626, 'us' : 6627, " +
  "'ll' : 6628, 'tr' : 6629, 'sh' : 6630";

let fitted: WordPieceBPE | undefined;
function shakespeareEncoder(): WordPieceBPE {
  fitted ??= new WordPieceBPE().fit(shakespeare().split("\n"));
  return fitted;
}

Deno.test({
  name: "default WordPieceBPE on tiny Shakespeare learns the BPE vocabulary the notes print",
  ignore: shakespearePath === undefined,
  fn() {
    const encoder = shakespeareEncoder();
    assertEquals(encoder.bpeVocabView(78), NOTES_BPE_VOCAB);
    assertEquals(encoder.wordVocab.size, 6553);
    assertEquals(encoder.wordVocab.get("__pad"), 0);
    assertEquals(encoder.wordVocab.get("__unk"), 1);
    assertEquals(encoder.vocabSize, 6553 + encoder.bpeVocab.size);
  },
});
if (shakespearePath === undefined) console.warn(shakespeareMissing);

Deno.test("WordPieceBPE tokenizes the package README's example exactly as documented", () => {
  const corpus = `
    Object raspberrypi functools dict kwargs. Gevent raspberrypi functools. Dunder raspberrypi decorator dict didn't lambda zip import pyramid, she lambda iterate?
    Kwargs raspberrypi diversity unit object gevent. Import fall integration decorator unit django yield functools twisted. Dunder integration decorator he she future. Python raspberrypi community pypy. Kwargs integration beautiful test reduce gil python closure. Gevent he integration generator fall test kwargs raise didn't visor he itertools...
    Reduce integration coroutine bdfl he python. Cython didn't integration while beautiful list python didn't nit!
    Object fall diversity 2to3 dunder script. Python fall for: integration exception dict kwargs dunder pycon. Import raspberrypi beautiful test import six web. Future integration mercurial self script web. Return raspberrypi community test she stable.
    Django raspberrypi mercurial unit import yield raspberrypi visual rocksdahouse. Dunder raspberrypi mercurial list reduce class test scipy helmet zip?
`;
  const encoder = new WordPieceBPE({ vocabSize: 200, pctBpe: 0.88 });
  encoder.fit(corpus.split("\n"));
  const example = "Vizzini: He didn't fall? INCONCEIVABLE!";
  assertEquals(encoder.tokenize(example), [
    ...[
      "__sow",
      "vi",
      "z",
      "zi",
      "ni",
      "__eow",
      "__sow",
      ":",
      "__eow",
      "he",
      "didn",
      "'",
      "t",
      "fall",
    ],
    ...[
      "__sow",
      "?",
      "__eow",
      "__sow",
      "in",
      "co",
      "n",
      "ce",
      "iv",
      "ab",
      "le",
      "__eow",
      "__sow",
      "!",
      "__eow",
    ],
  ]);
  assertEquals(
    encoder.decode(encoder.encode(example)),
    "vizzini : he didn ' t fall ? inconceivable !",
  );
});

Deno.test("defaults match the Python package", () => {
  const encoder = new WordPieceBPE();
  assertEquals([encoder.wordVocabSize, encoder.bpeVocabSize], [6553, 1639]);
  const json = new WordPieceBPE().fit(["a b"]).toJSON();
  assertEquals(json.options, {
    vocabSize: 8192,
    pctBpe: 0.2,
    ngramMin: 2,
    ngramMax: 2,
    strict: false,
    lowercase: true,
    EOW: "__eow",
    SOW: "__sow",
    UNK: "__unk",
    PAD: "__pad",
    requiredTokens: ["__pad", "__unk"],
    wordTokenizer: "wordpunct",
  });
  assertEquals(wordpunctTokenize("Hello, world_1 ... ok?!"), [
    "Hello",
    ",",
    "world_1",
    "...",
    "ok",
    "?!",
  ]);
});

// A small word vocabulary so that most words go through the sub-word path.
const moby = mobyDick().slice(0, 150_000);
const small = new WordPieceBPE({ vocabSize: 1200, pctBpe: 0.5 }).fit(
  moby.split("\n"),
);
const alphabet = [...small.bpeVocab.keys()].filter((k) => [...k].length === 1);

Deno.test("property: decode(encode(s)) is s lowercased with words single-spaced", () => {
  const word = fc.oneof(
    fc.constantFrom(...[...small.wordVocab.keys()].slice(2, 300)),
    fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 12 }).map(
      (cs) => cs.join(""),
    ),
  );
  const space = fc.constantFrom(" ", "  ", "\n", "\t ");
  const text = fc.array(fc.tuple(word, space), { maxLength: 15 }).map((ps) => ps.flat().join(""));
  fc.assert(
    fc.property(text, fc.boolean(), (s, shout) => {
      const input = shout ? s.toUpperCase() : s;
      const normalised = wordpunctTokenize(s.toLowerCase()).join(" ");
      if (input.toLowerCase() !== s.toLowerCase()) return; // upper-casing changed a letter's lowercase form
      assertEquals(small.decode(small.encode(input)), normalised);
    }),
    { numRuns: 500 },
  );
});

Deno.test("unseen characters become __unk inside their word", () => {
  const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit([
    "ab ab abc",
  ]);
  assertEquals(encoder.tokenize("abz"), ["__sow", "ab", "__unk", "__eow"]);
  assertEquals(encoder.decode(encoder.encode("abz")), "ab__unk");
});

Deno.test("transform pads, cuts and reverses; inverseTransform undoes it", () => {
  const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit([
    "ab ab abc",
  ]);
  const [ab, sow, eow] = [
    encoder.bpeVocab.get("ab")!,
    encoder.bpeVocab.get("__sow")!,
    encoder.bpeVocab.get("__eow")!,
  ];
  assertEquals(encoder.transform(["ab"], { fixedLength: 5 }), [[
    sow,
    ab,
    eow,
    0,
    0,
  ]]);
  assertEquals(encoder.transform(["ab ab"], { fixedLength: 4 }), [[
    sow,
    ab,
    eow,
    sow,
  ]]);
  assertEquals(encoder.transform(["ab"], { reverse: true }), [[eow, ab, sow]]);
  assertEquals(encoder.inverseTransform(encoder.transform(["ab abc", "abc"])), [
    "ab abc",
    "abc",
  ]);
  assertThrows(
    () => encoder.transform(["ab"], { fixedLength: -1 }),
    RangeError,
    "fixedLength",
  );
});

Deno.test("decoding malformed sequences: lenient by default, errors when strict", () => {
  const options = { vocabSize: 20, pctBpe: 0.9 };
  const lenient = new WordPieceBPE(options).fit(["ab ab abc"]);
  const strict = new WordPieceBPE({ ...options, strict: true }).fit([
    "ab ab abc",
  ]);
  const { __sow: sow, __eow: eow, ab, c } = Object.fromEntries(
    lenient.bpeVocab,
  );
  assertEquals(lenient.decode([ab, sow, c, eow]), "ab c"); // a sub-word outside a word stands alone
  assertThrows(
    () => strict.decode([ab, sow, c, eow]),
    Error,
    "outside __sow ... __eow",
  );
  assertEquals(lenient.decode([sow, ab, sow, c, eow]), "abc");
  assertThrows(
    () => strict.decode([sow, ab, sow, c, eow]),
    Error,
    "before the previous word's __eow",
  );
  assertThrows(() => strict.decode([eow]), Error, "without a __sow");
  assertEquals(lenient.decode([sow, ab, c]), "abc"); // cut-off word: kept as far as it goes
  assertThrows(() => strict.decode([sow, ab, c]), Error, "no __eow");
});

Deno.test("property: fromJSON(toJSON(t)) encodes identically; fitting is deterministic", () => {
  const copy = WordPieceBPE.fromJSON(JSON.parse(JSON.stringify(small)));
  const viaDispatch = tokenizerFromJSON(small.toJSON());
  assertEquals(copy.toJSON(), small.toJSON());
  assertEquals(
    JSON.stringify(
      new WordPieceBPE({ vocabSize: 1200, pctBpe: 0.5 }).fit(moby.split("\n")),
    ),
    JSON.stringify(small),
  );
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (s) => {
      assertEquals(copy.encode(s), small.encode(s));
      assertEquals(viaDispatch.encode(s), small.encode(s));
    }),
    { numRuns: 300 },
  );
  const custom = new WordPieceBPE({
    vocabSize: 20,
    pctBpe: 0.9,
    wordTokenizer: (s) => s.split("-"),
  }).fit(["ab-abc"]);
  assertThrows(
    () => WordPieceBPE.fromJSON(custom.toJSON()),
    Error,
    "pass it as { wordTokenizer }",
  );
  const restored = WordPieceBPE.fromJSON(custom.toJSON(), {
    wordTokenizer: (s) => s.split("-"),
  });
  assertEquals(restored.encode("abc-ab"), custom.encode("abc-ab"));
});

Deno.test("WordPieceBPE: bad input gives clear errors", () => {
  assertThrows(
    () => new WordPieceBPE({ vocabSize: 0 }),
    RangeError,
    "positive integer",
  );
  assertThrows(() => new WordPieceBPE({ pctBpe: 1.5 }), RangeError, "pctBpe");
  assertThrows(
    () => new WordPieceBPE({ ngramMin: 3, ngramMax: 2 }),
    RangeError,
    "ngramMin <= ngramMax",
  );
  assertThrows(
    () => new WordPieceBPE({ vocabSize: 10, pctBpe: 0.1 }),
    RangeError,
    "need 2",
  );
  assertThrows(
    () => new WordPieceBPE({ SOW: "x", EOW: "x" }),
    Error,
    "four different strings",
  );
  assertThrows(
    () =>
      new WordPieceBPE({ vocabSize: 10, pctBpe: 0.6 }).fit([
        "abc def ghi jkl mno",
      ]),
    RangeError,
    "fewer than __sow, __eow and the 9 characters",
  );
  assertThrows(() => new WordPieceBPE().fit([]), Error, "no words");
  assertThrows(() => new WordPieceBPE().fit(["  ", "\t"]), Error, "no words");
  assertThrows(
    () => new WordPieceBPE().fit("a b" as unknown as string[]),
    Error,
    "array of lines",
  );
  assertThrows(
    () => new WordPieceBPE().encode("a"),
    Error,
    "call fit(lines) first",
  );
  const encoder = new WordPieceBPE({ vocabSize: 20, pctBpe: 0.9 }).fit([
    "ab ab abc",
  ]);
  assertThrows(
    () => encoder.decode([encoder.vocabSize]),
    RangeError,
    "in neither vocabulary",
  );
  assertThrows(
    () => encoder.decode(7 as unknown as number[]),
    Error,
    "array of token ids",
  );
  assertThrows(
    () => WordPieceBPE.fromJSON({ type: "WordPieceBPE", version: 1 }),
    Error,
    '"options"',
  );
});

Deno.test("ngramMax 3 and lowercase false: longest pieces first, case kept", () => {
  const encoder = new WordPieceBPE({
    vocabSize: 20,
    pctBpe: 0.9,
    ngramMax: 3,
    lowercase: false,
  });
  encoder.fit(["Abc abc abc abd", "xyz"]);
  assertEquals(encoder.bpeVocab.has("abc"), true);
  assertEquals(encoder.tokenize("abcd Abc"), [
    "__sow",
    "abc",
    "d",
    "__eow",
    "__sow",
    "Abc",
    "__eow",
  ]);
  assertEquals(encoder.decode(encoder.encode("abcd Abc")), "abcd Abc");
});
