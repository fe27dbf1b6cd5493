import fc from "fast-check";
import { assertEquals, assertThrows } from "@std/assert";
import {
  BasicBPE,
  ByteBPE,
  GPT2_PATTERN,
  learnByteMerges,
  tokenizerFromJSON,
} from "../lib/tokenizers/mod.ts";
import { PairHeap } from "../lib/tokenizers/_heap.ts";
import { PairMap } from "../lib/tokenizers/_pair_map.ts";
import {
  mobyDick,
  shakespeare,
  shakespeareMissing,
  shakespearePath,
} from "./fixtures/tokenizers/corpora.ts";

function chunkCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of text.match(new RegExp(GPT2_PATTERN, "gu")) ?? []) {
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return counts;
}

/** The readable trainer (recounts every pair after every merge): slow, obviously right. */
function naiveMerges(text: string, numMerges: number): [number, number][] {
  return BasicBPE.train(text, 256 + numMerges).merges.map(([a, b]) => [a, b]);
}

/** The readable encoder: merges the earliest-learned pair until none is left. */
function naiveEncode(text: string, merges: [number, number][]): number[] {
  return new BasicBPE(merges).encode(text);
}

// Small alphabets make ties, overlapping runs ("aaaa") and repeated chunks common.
const smallText = fc.array(
  fc.constantFrom("a", "b", "ab", "aa", " ", " a", "\n", "é", "🙂", "ba"),
  {
    minLength: 1,
    maxLength: 60,
  },
).map((p) => p.join(""));

Deno.test("property: incremental training learns exactly the merges of the textbook recount", () => {
  fc.assert(
    fc.property(smallText, fc.integer({ min: 0, max: 25 }), (text, n) => {
      assertEquals(learnByteMerges(chunkCounts(text), n), naiveMerges(text, n));
    }),
    { numRuns: 300 },
  );
});

Deno.test("incremental training matches the textbook recount on real text", () => {
  const text = mobyDick().slice(0, 30_000);
  assertEquals(learnByteMerges(chunkCounts(text), 150), naiveMerges(text, 150));
});

Deno.test("ByteBPE is BasicBPE optimised: same merges, same ids, same text back", () => {
  const text = mobyDick().slice(0, 20_000);
  const basic = BasicBPE.train(text, 256 + 120);
  const fast = ByteBPE.train(text, 256 + 120);
  assertEquals(fast.toJSON().merges.map(([a, b]) => [a, b]), basic.merges.map(([a, b]) => [a, b]));
  const sample = mobyDick().slice(50_000, 52_000) + " héllo 🙂 naïve";
  assertEquals(fast.encode(sample), basic.encode(sample));
  assertEquals(basic.decode(basic.encode(sample)), sample);
});

Deno.test("property: encoding equals applying the merges in rank order", () => {
  fc.assert(
    fc.property(
      smallText,
      smallText,
      fc.integer({ min: 1, max: 20 }),
      (train, text, n) => {
        const bpe = ByteBPE.train(train, 256 + n);
        const merges = bpe.toJSON().merges.map(([a, b]) => [a, b] as [number, number]);
        assertEquals(bpe.encode(text), naiveEncode(text, merges));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("property: decode(encode(s)) === s for any well-formed string, and JSON round trips", () => {
  const bpe = ByteBPE.train(mobyDick().slice(0, 100_000), 600, {
    specialTokens: ["<|end|>"],
  });
  const copy = ByteBPE.fromJSON(JSON.parse(JSON.stringify(bpe)));
  assertEquals(copy.toJSON(), bpe.toJSON());
  assertEquals(
    tokenizerFromJSON(bpe.toJSON()).encode("whale"),
    bpe.encode("whale"),
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: "binary" }),
        fc.string({ unit: "grapheme" }),
        smallText,
      ),
      (s) => {
        const ids = bpe.encode(s, { disallowedSpecial: [] });
        assertEquals(bpe.decode(ids), s);
        assertEquals(copy.encode(s, { disallowedSpecial: [] }), ids);
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("training is deterministic and reaches the requested vocabulary size", () => {
  const text = mobyDick().slice(0, 200_000);
  const a = ByteBPE.train(text, 1000), b = ByteBPE.train(text, 1000);
  assertEquals(a.vocabSize, 1000);
  assertEquals(a.mergeCount, 744);
  assertEquals(JSON.stringify(a), JSON.stringify(b));
  // Most frequent pair first: in English that is " t" or "he"-like pairs, never rare bytes.
  assertEquals(a.decode([256]).length, 2);
});

Deno.test({
  name: "tiny Shakespeare trains to 4096 and encodes itself compactly",
  ignore: shakespearePath === undefined,
  fn() {
    const text = shakespeare();
    const bpe = ByteBPE.train(text, 4096);
    assertEquals(bpe.vocabSize, 4096);
    const ids = bpe.encode(text);
    assertEquals(bpe.decode(ids), text);
    // Check against the trainer's own arithmetic: 3840 merges shrink 1.1M bytes a lot.
    assertEquals(
      ids.length < text.length / 3,
      true,
      `${ids.length} tokens for ${text.length} chars`,
    );
  },
});
if (shakespearePath === undefined) console.warn(shakespeareMissing);

Deno.test("training stops early when no pair is left", () => {
  const bpe = ByteBPE.train("ab ab", 1000);
  assertEquals(bpe.vocabSize, 258); // "ab" and " ab" are the only chunks: two merges finish them
  assertEquals(bpe.encode("ab ab"), [256, 257]);
});

Deno.test("special tokens of a trained tokenizer", () => {
  const bpe = ByteBPE.train("hello world", 260, {
    specialTokens: ["<|bos|>", "<|eos|>"],
  });
  assertEquals(bpe.specialTokens, { "<|bos|>": 258, "<|eos|>": 259 });
  const ids = bpe.encode("<|bos|>hello<|eos|>", { allowedSpecial: "all" });
  assertEquals(ids[0], 258);
  assertEquals(ids[ids.length - 1], 259);
  assertEquals(bpe.decode(ids), "<|bos|>hello<|eos|>");
  assertThrows(() => bpe.encode("x<|eos|>"), Error, "allowedSpecial");
  assertEquals(
    bpe.decode(bpe.encode("x<|eos|>", { disallowedSpecial: [] })),
    "x<|eos|>",
  );
  // Only the allowed one becomes an id; the other is still refused.
  assertThrows(
    () => bpe.encode("<|bos|><|eos|>", { allowedSpecial: ["<|bos|>"] }),
    Error,
    "<|eos|>",
  );
});

Deno.test("bad training input and bad parts give clear errors", () => {
  assertThrows(
    () => ByteBPE.train("abc", 255),
    RangeError,
    "below the base alphabet of 256 bytes",
  );
  assertThrows(
    () => ByteBPE.train("abc", 257, { specialTokens: ["<a>", "<b>"] }),
    RangeError,
    "at least 258",
  );
  assertThrows(() => ByteBPE.train("abc", 300.5), RangeError, "vocabSize");
  assertThrows(() => ByteBPE.train("", 300), Error, "empty");
  assertThrows(
    () => ByteBPE.train("a\udc00", 300),
    Error,
    "lone UTF-16 surrogate",
  );
  assertThrows(
    () => ByteBPE.train(42 as unknown as string, 300),
    Error,
    "expects a string",
  );
  assertThrows(
    () => ByteBPE.train("ab", 300, { specialTokens: ["<x>", "<x>"] }),
    Error,
    "duplicates",
  );
  assertThrows(
    () => ByteBPE.train("ab", 300, { pattern: "(" }),
    Error,
    "not a valid regex",
  );
  const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  assertThrows(
    () => ByteBPE.fromParts({ vocab: bytes.slice(1), merges: [] }),
    Error,
    "no token for byte",
  );
  assertThrows(
    () =>
      ByteBPE.fromParts({
        vocab: [...bytes, Uint8Array.of(1, 2)],
        merges: [[1, 3, 256]],
      }),
    Error,
    "do not belong together",
  );
  assertThrows(
    () => ByteBPE.fromParts({ vocab: [...bytes, Uint8Array.of(1, 2)], merges: [] }),
    Error,
    "merges",
  );
  assertThrows(
    () => ByteBPE.fromJSON({ type: "CharTokenizer", version: 1 }),
    Error,
    'only reads "ByteBPE"',
  );
  assertThrows(
    () => ByteBPE.fromJSON(null),
    Error,
    "expects the object from toJSON()",
  );
  const json = ByteBPE.train("abab", 257).toJSON();
  assertThrows(
    () => ByteBPE.fromJSON({ ...json, vocab: [...json.vocab.slice(0, 256), " "] }),
    Error,
    "byte alphabet",
  );
  assertThrows(
    () => ByteBPE.fromJSON({ ...json, merges: [[1, 2]] }),
    Error,
    "[left, right, result]",
  );
  assertThrows(
    () => ByteBPE.fromJSON({ ...json, specialTokens: { "<x>": 3 } }),
    Error,
    "special ids must follow",
  );
  assertThrows(
    () => ByteBPE.train("abab", 257).decode([257]),
    RangeError,
    "outside the vocabulary [0, 257)",
  );
});

Deno.test("PairHeap pops in (key, tie) order under random pushes", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.nat(5))),
      (entries) => {
        const h = new PairHeap();
        for (const [k, t] of entries) h.push(k, t);
        const popped: [number, number][] = [];
        while (h.pop()) popped.push([h.key, h.tie]);
        assertEquals(
          popped,
          [...entries].sort((x, y) => x[0] - y[0] || x[1] - y[1]),
        );
      },
    ),
  );
});

Deno.test("PairMap behaves like a Map of pairs, and refuses duplicates and overflow", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(60_000), fc.nat(60_000), fc.nat(1e6)), {
        maxLength: 300,
      }),
      (entries) => {
        const map = new PairMap(entries.length);
        const ref = new Map<string, number>();
        for (const [a, b, v] of entries) {
          const fresh = !ref.has(`${a},${b}`);
          assertEquals(map.set(a, b, v), fresh);
          if (fresh) ref.set(`${a},${b}`, v);
        }
        assertEquals(map.size, ref.size);
        for (const [a, b] of entries) {
          assertEquals(map.get(a, b), ref.get(`${a},${b}`));
          assertEquals(map.get(b + 60_001, a), -1);
        }
      },
    ),
  );
  const full = new PairMap(1);
  full.set(1, 2, 3);
  assertThrows(() => full.set(2, 1, 3), RangeError, "full");
});

Deno.test("a custom pre-split pattern is used for training and encoding, and saved", () => {
  const bpe = ByteBPE.train("aa bb aa bb", 258, { pattern: "\\S+|\\s+" });
  assertEquals(bpe.pattern, "\\S+|\\s+");
  assertEquals(bpe.encode("aa bb"), [256, 32, 257]); // spaces are their own chunks here
  const copy = ByteBPE.fromJSON(JSON.parse(JSON.stringify(bpe)));
  assertEquals(copy.pattern, "\\S+|\\s+");
  assertEquals(copy.encode("bb  aa"), bpe.encode("bb  aa"));
  assertEquals(copy.decode(copy.encode("bb  aa")), "bb  aa");
});
