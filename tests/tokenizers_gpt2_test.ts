import fc from "fast-check";
import { getEncoding } from "js-tiktoken";
import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  ByteBPE,
  GPT2_PATTERN,
  gpt2FilePaths,
  gpt2Split,
  loadGPT2,
} from "../lib/tokenizers/mod.ts";
import {
  mobyDick,
  shakespeare,
  shakespeareMissing,
  shakespearePath,
} from "./fixtures/tokenizers/corpora.ts";

const tiktoken = getEncoding("gpt2");

/** Index of the first differing id (or -1), so a failure shows where the two disagree. */
function firstDifference(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return i;
  }
  return -1;
}

function assertSameAsTiktoken(text: string, label: string): void {
  const ours = loadGPT2().encode(text);
  const ref = tiktoken.encode(text);
  const at = firstDifference(ours, ref);
  assertEquals(
    at,
    -1,
    `${label}: first difference at id ${at} (ours ${ours.slice(at, at + 5)}, js-tiktoken ` +
      `${ref.slice(at, at + 5)}) of ${ref.length}`,
  );
  assertEquals(
    loadGPT2().decode(ours),
    text,
    `${label}: decode(encode(text)) !== text`,
  );
}

const HARD_STRINGS: [string, string][] = [
  [
    "contractions",
    "I'm, you're, he's, we've, they'll, she'd, don't, 'tis, y'all, I'M, WE'RE, ''s, '",
  ],
  ["space runs", "a  b   c    d\t\te\n\nf \n g  \n\n  h   "],
  ["leading and trailing", "   starts with spaces and ends with spaces   "],
  ["only whitespace", " \n\t \r\n  \u00a0 \u3000 "],
  ["newline runs", "line1\n\n\n\nline2\r\n\r\nline3\n"],
  ["digits", "0 12 345 6789 3.14159 1,000,000 2024-11-24 ٣٤٥ ²³ Ⅻ 𝟙𝟚"],
  ["cjk", "自然言語処理は楽しい。我爱北京天安门！한국어 텍스트 カタカナ"],
  ["emoji", "🙂 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🧑🏿‍🚀 a🙂b 🙂🙂🙂"],
  ["accents", "café naïve coöperate résumé e\u0301 Ångström ß ﬁ"],
  ["scripts", "Привет мир. مرحبا بالعالم. שלום עולם. नमस्ते दुनिया. Γειά σου"],
  ["astral letters", "𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐐀𐐨"],
  ["punctuation", "!!! ??? ... --- ((())) [x] {y} <z> @#$%^&*_+=|\\/~`"],
  ["mixed", "x=1;y=2 # comment\n\tif (a<b) { return 'c'; }\n"],
  ["special-looking", "<|endoftext|> appears as text here <|endoftext|>"],
  ["control chars", "\u0000\u0001\u001f\u007f\u0085\u2028\u2029\ufeff"],
  // js-tiktoken's merge loop is quadratic in the chunk length, so the reference runs stay short.
  ["long space run", " ".repeat(3000) + "x" + " ".repeat(2000)],
  ["long letter run", "a".repeat(800) + " " + "ab".repeat(400)],
  ["long newline run", "\n".repeat(800) + "end"],
];

Deno.test("GPT-2 ids equal js-tiktoken's on the hard strings", () => {
  for (const [label, text] of HARD_STRINGS) {
    const allow = label === "special-looking" ? { disallowedSpecial: [] as string[] } : {};
    const ours = loadGPT2().encode(text, allow);
    const ref = tiktoken.encode(text, [], []);
    assertEquals(firstDifference(ours, ref), -1, label);
    assertEquals(loadGPT2().decode(ours), text, label);
  }
});

Deno.test("GPT-2 encodes very long chunks (merging is not quadratic) and decodes them back", () => {
  for (
    const text of [
      "a".repeat(100_000),
      "\n".repeat(50_000) + "x",
      "🙂".repeat(20_000),
    ]
  ) {
    assertEquals(loadGPT2().decode(loadGPT2().encode(text)), text);
  }
});

Deno.test("GPT-2 ids equal js-tiktoken's on all of Moby-Dick", () => {
  assertSameAsTiktoken(mobyDick(), "Moby-Dick");
});

Deno.test({
  name: "GPT-2 ids equal js-tiktoken's on all of tiny Shakespeare",
  ignore: shakespearePath === undefined,
  fn() {
    assertSameAsTiktoken(shakespeare(), "tiny Shakespeare");
  },
});
if (shakespearePath === undefined) console.warn(shakespeareMissing);

// Fragments that sit on the regex's edges: contractions, lone apostrophes, spaces before every
// class, whitespace runs before words, astral characters.
const fragment = fc.constantFrom(
  " ",
  "  ",
  "\n",
  "\t",
  "\u00a0",
  "'",
  "'s",
  "'ll",
  "'re",
  "a",
  "Z",
  "é",
  "1",
  "٣",
  "!",
  "..",
  "🙂",
  "𝐀",
  "中",
  "\r\n",
  "e\u0301",
);
const tricky = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(""));
const anyText = fc.oneof(
  tricky,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme" }),
);

Deno.test("property: GPT-2 ids equal js-tiktoken's and decode inverts encode, for any string", () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const ours = loadGPT2().encode(text, { disallowedSpecial: [] });
      assertEquals(ours, tiktoken.encode(text, [], []));
      assertEquals(loadGPT2().decode(ours), text);
    }),
    { numRuns: 1500 },
  );
});

Deno.test("property: the fast GPT-2 splitter agrees with the regex, lone surrogates included", () => {
  const re = new RegExp(GPT2_PATTERN, "gu");
  fc.assert(
    fc.property(
      fc.oneof(
        anyText,
        fc.string({
          unit: fc.constantFrom("\ud800", "\udc00", "a", " ", "'", "s"),
        }),
      ),
      (text) => assertEquals(gpt2Split(text), text.match(re) ?? []),
    ),
    { numRuns: 2000 },
  );
});

Deno.test("special tokens: refused by default, allowed on request, or encoded as text", () => {
  const gpt2 = loadGPT2();
  const text = "end<|endoftext|>start";
  const err = assertThrows(() => gpt2.encode(text));
  assertStringIncludes((err as Error).message, "<|endoftext|>");
  assertStringIncludes((err as Error).message, "allowedSpecial");
  assertEquals(
    gpt2.encode(text, { allowedSpecial: "all" }),
    tiktoken.encode(text, "all"),
  );
  assertEquals(
    gpt2.encode(text, { allowedSpecial: ["<|endoftext|>"] }).includes(50256),
    true,
  );
  assertEquals(
    gpt2.encode(text, { disallowedSpecial: [] }),
    tiktoken.encode(text, [], []),
  );
  assertEquals(gpt2.decode(gpt2.encode(text, { allowedSpecial: "all" })), text);
  assertThrows(
    () => gpt2.encode("x", { allowedSpecial: ["<|nope|>"] }),
    Error,
    "not a special token",
  );
  assertEquals(gpt2.specialTokens, { "<|endoftext|>": 50256 });
  assertEquals(gpt2.vocabSize, 50257);
});

Deno.test("GPT-2 decode refuses ids outside the vocabulary; encode refuses lone surrogates", () => {
  const gpt2 = loadGPT2();
  assertThrows(
    () => gpt2.decode([15496, 50257]),
    RangeError,
    "50257 at position 1 is outside",
  );
  assertThrows(() => gpt2.decode([-1]), RangeError, "outside the vocabulary");
  assertThrows(() => gpt2.decode([1.5]), RangeError, "outside the vocabulary");
  assertThrows(() => gpt2.encode("a\ud800b"), Error, "lone UTF-16 surrogate");
  // Ids that cut an emoji in half decode to U+FFFD, and decodeBytes keeps the exact bytes.
  assertEquals(gpt2.decode([12520]), " \ufffd");
  assertEquals([...gpt2.decodeBytes([12520])], [32, 240, 159]);
});

Deno.test("malformed or mismatched GPT-2 files give clear errors", () => {
  const { encoderJson, vocabBpe } = gpt2FilePaths();
  const enc = JSON.parse(Deno.readTextFileSync(encoderJson)) as Record<
    string,
    number
  >;
  const bpe = Deno.readTextFileSync(vocabBpe);
  assertThrows(
    () => ByteBPE.fromGPT2Files("{not json", bpe),
    Error,
    "encoder.json is not valid JSON",
  );
  assertThrows(
    () => ByteBPE.fromGPT2Files("[1,2]", bpe),
    Error,
    "object of token -> id",
  );
  assertThrows(
    () => ByteBPE.fromGPT2Files(enc, bpe.replace("#version", "version")),
    Error,
    "#version",
  );
  const lines = bpe.split("\n");
  assertThrows(
    () =>
      ByteBPE.fromGPT2Files(
        enc,
        [...lines.slice(0, 5), "Ġt he extra", ...lines.slice(5)].join("\n"),
      ),
    Error,
    'not "left right"',
  );
  // A merge list from a different vocabulary: the merged token is missing from encoder.json.
  assertThrows(
    () =>
      ByteBPE.fromGPT2Files(
        enc,
        [...lines.slice(0, 3), "q zx", ...lines.slice(3)].join("\n"),
      ),
    Error,
    "do not belong together",
  );
  // A truncated merge list no longer accounts for every token in encoder.json.
  assertThrows(
    () => ByteBPE.fromGPT2Files(enc, lines.slice(0, 1000).join("\n")),
    Error,
    "do not belong together",
  );
  const noSpace = { ...enc };
  delete noSpace["Ġ"];
  assertThrows(
    () => ByteBPE.fromGPT2Files(noSpace, bpe),
    Error,
    "encoder.json",
  );
  assertThrows(
    () => ByteBPE.fromGPT2Files({ ...enc, "a b": 7 }, bpe),
    Error,
    "byte alphabet",
  );
  assertThrows(
    () => ByteBPE.fromGPT2Files({ ...enc, "!": "0" as unknown as number }, bpe),
    Error,
    "not an id",
  );
});

Deno.test("GPT-2 tokenizer survives a JSON round trip with identical ids", () => {
  const gpt2 = loadGPT2();
  const copy = ByteBPE.fromJSON(JSON.parse(JSON.stringify(gpt2)));
  const text = mobyDick().slice(0, 50_000);
  assertEquals(copy.encode(text), gpt2.encode(text));
  assertEquals(copy.toJSON(), gpt2.toJSON());
});
