/**
 * Tokenizer benchmark on tiny Shakespeare, printed as one table:
 *
 * - `ByteBPE.train` to a 4096-token vocabulary,
 * - `WordPieceBPE.fit` with the notes' defaults (vocabSize 8192),
 * - GPT-2 encoding throughput of our `ByteBPE` beside `js-tiktoken` and `gpt-tokenizer`, all on
 *   the same text in the same process, rounds interleaved (the machine is shared, so compare the
 *   per-round ratio, not absolute numbers across runs).
 *
 * Run: `deno task bench:tokenizers` (or `deno run -A --v8-flags=--expose-gc
 * bench/tokenizers_bench.ts --rounds 9`; without the flag garbage collection is not evened out).
 * Under `deno bench` the same file registers ordinary benchmark cases instead.
 *
 * @module
 */

import { getEncoding } from "js-tiktoken";
import { encode as gptTokenizerEncode } from "gpt-tokenizer/encoding/r50k_base";
import { ByteBPE, loadGPT2, WordPieceBPE } from "../lib/tokenizers/mod.ts";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";
import {
  shakespeare,
  shakespeareMissing,
  shakespearePath,
} from "../tests/fixtures/tokenizers/corpora.ts";
import { median } from "./_round_stats.ts";

type Encoder = { name: string; encode: (text: string) => number[] };

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, (performance.now() - t0) / 1000];
}

/** Full GC when run with --v8-flags=--expose-gc (the deno task does), else nothing. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function encoders(): Encoder[] {
  const ours = loadGPT2();
  const tiktoken = getEncoding("gpt2");
  return [
    { name: "ByteBPE (ours, GPT-2 files)", encode: (t) => ours.encode(t) },
    { name: "gpt-tokenizer r50k_base", encode: (t) => gptTokenizerEncode(t) },
    { name: "js-tiktoken gpt2", encode: (t) => tiktoken.encode(t) },
  ];
}

function main(rounds: number): void {
  if (shakespearePath === undefined) throw new Error(shakespeareMissing);
  const text = shakespeare();
  const mb = new TextEncoder().encode(text).length / 1e6;
  const rows: [string, string, string][] = [];

  const [, loadS] = time(() => loadGPT2());
  const libs = encoders();
  // Round 0 is each library's first call (cold caches); later rounds rotate the order.
  const seconds = libs.map(() => [] as number[]);
  let reference: number[] | undefined;
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < libs.length; k++) {
      const i = (k + r) % libs.length;
      collectGarbage(); // so no library pays for another's (or the loader's) garbage
      const [ids, s] = time(() => libs[i].encode(text));
      seconds[i].push(s);
      reference ??= ids;
      if (
        ids.length !== reference.length ||
        ids.some((id, j) => id !== reference![j])
      ) {
        throw new Error(
          `${libs[i].name} disagrees with ${libs[0].name}: the comparison would be meaningless.`,
        );
      }
    }
  }
  // Best of two runs each, for the same reason as below.
  const [bpe, trainS] = [
    time(() => ByteBPE.train(text, 4096)),
    time(() => ByteBPE.train(text, 4096)),
  ]
    .reduce((a, b) => a[1] <= b[1] ? a : b);
  const fitS = Math.min(
    time(() => new WordPieceBPE().fit(text.split("\n")))[1],
    time(() => new WordPieceBPE().fit(text.split("\n")))[1],
  );

  rows.push([
    "ByteBPE.train, vocab 4096",
    `${trainS.toFixed(2)} s`,
    `${bpe.mergeCount} merges; target < 5 s`,
  ]);
  rows.push([
    "WordPieceBPE.fit, defaults (8192)",
    `${fitS.toFixed(2)} s`,
    "the notes' Encoder().fit",
  ]);
  rows.push([
    "loadGPT2 (parse + check files)",
    `${loadS.toFixed(2)} s`,
    "once per process",
  ]);
  // Best round = least disturbed by the other processes sharing the machine; the median and the
  // per-round ratio show how much the load moved things.
  const warm = seconds.map((s) => s.slice(1));
  const best = warm.map((s) => Math.min(...s));
  libs.forEach((lib, i) => {
    const roundRatio = median(warm[i].map((s, r) => warm[1][r] / s));
    rows.push([
      `GPT-2 encode: ${lib.name}`,
      `${(mb / best[i]).toFixed(2)} MB/s`,
      `${(best[1] / best[i]).toFixed(2)}x gpt-tokenizer (per-round median ` +
      `${roundRatio.toFixed(2)}x); median ${(mb / median(warm[i])).toFixed(2)}, ` +
      `first call ${(mb / seconds[i][0]).toFixed(2)} MB/s`,
    ]);
  });

  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c].length), 8));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(
    `tiny Shakespeare: ${mb.toFixed(2)} MB, ${
      reference!.length
    } GPT-2 tokens (identical in all three); ` +
      `${rounds} timed rounds after a first call, best round shown`,
  );
  console.log(line(["measurement", "result", "notes"]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
}

if (import.meta.main) {
  const flags = {
    rounds: { kind: "int", description: "interleaved rounds", default: 7 },
  } as const satisfies FlagSpecs;
  const { rounds, help } = parseFlags(Deno.args, flags);
  if (help) {
    console.log(flagUsage("Usage: deno task bench:tokenizers [flags]", flags));
  } else {
    if (rounds < 1) throw new Error(`--rounds must be a positive integer.`);
    main(rounds);
  }
} else if (shakespearePath !== undefined) {
  const text = shakespeare();
  for (const lib of encoders()) {
    Deno.bench({
      name: `GPT-2 encode tiny Shakespeare: ${lib.name}`,
      group: "gpt2",
      fn: () => void lib.encode(text),
    });
  }
  Deno.bench({
    name: "ByteBPE.train vocab 4096",
    n: 3,
    warmup: 1,
    fn: () => void ByteBPE.train(text, 4096),
  });
  Deno.bench({
    name: "WordPieceBPE.fit defaults",
    n: 3,
    warmup: 1,
    fn: () => void new WordPieceBPE().fit(text.split("\n")),
  });
}
