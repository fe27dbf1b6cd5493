import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import {
  chanceAccuracy,
  differenceGreater,
  diffOfMeans,
  errorBarTrace,
  fitLine,
  fitPowerLaw,
  formatSummary,
  greaterThan,
  majorityBaseline,
  normalQuantile,
  overGrid,
  overSeeds,
  pairedDiff,
  pairedGreater,
  seedsFor,
  summarize,
  summaryTable,
  tQuantile,
  verdict,
  wilson,
  within,
} from "../lib/evidence/mod.ts";
import { gptConfig, MaskedLM } from "../lib/models/mod.ts";
import { estimateLoss } from "../lib/train/mod.ts";

await initBackend({ report: false });

Deno.test("tQuantile and normalQuantile match tables", () => {
  const table: [number, number][] = [[1, 12.7062], [2, 4.3027], [4, 2.7764], [9, 2.2622], [
    30,
    2.0423,
  ]];
  for (const [df, t] of table) assertAlmostEquals(tQuantile(0.975, df), t, 1e-3);
  assertAlmostEquals(tQuantile(0.025, 9), -2.2622, 1e-3);
  assertAlmostEquals(tQuantile(0.95, 4), 2.1318, 1e-3);
  assertAlmostEquals(normalQuantile(0.975), 1.95996, 1e-4);
  assertAlmostEquals(tQuantile(0.975, 1e6), 1.95996, 1e-3); // t tends to the normal
  assertThrows(() => tQuantile(1, 3), Error, "between 0 and 1");
});

Deno.test("wilson matches hand values", () => {
  const a = wilson(2, 6), b = wilson(0, 10);
  assertAlmostEquals(a.lo, 0.0968, 1e-3);
  assertAlmostEquals(a.hi, 0.7, 1e-3);
  assertEquals(b.lo, 0);
  assertAlmostEquals(b.hi, 0.2775, 1e-3);
  assertEquals(wilson(10, 10).hi, 1);
  assertThrows(() => wilson(7, 6), Error, "[0, 6]");
});

Deno.test("summarize: mean, sd, t interval; n = 1 gives no interval; bad input refused", () => {
  const s = summarize([1, 2, 3]);
  assertEquals([s.n, s.mean, s.sd, s.level], [3, 2, 1, 0.95]);
  assertAlmostEquals(s.lo, 2 - 4.3027 / Math.sqrt(3), 1e-3);
  assertAlmostEquals(s.hi, 2 + 4.3027 / Math.sqrt(3), 1e-3);
  const one = summarize([5]);
  assertEquals([one.sd, one.lo, one.hi], [0, -Infinity, Infinity]);
  assertThrows(() => summarize([]), Error, "at least one value");
  assertThrows(() => summarize([1, NaN]), Error, "finite");
});

Deno.test("pairedDiff and diffOfMeans against hand computations", () => {
  const d = pairedDiff([3, 5, 7], [1, 2, 3]); // differences 2, 3, 4
  assertEquals([d.mean, d.sd], [3, 1]);
  assertAlmostEquals(d.lo, 3 - 4.3027 / Math.sqrt(3), 1e-3);
  assertThrows(() => pairedDiff([1, 2], [1]), Error, "diffOfMeans");
  // a = [1,2,3] (var 1), b = [2,4,6,8] (var 20/3): se = √(1/3 + 5/3) = √2,
  // df = 2² / ((1/3)²/2 + (5/3)²/3) = 4 / (1/18 + 25/27) = 4.0755...
  const w = diffOfMeans([1, 2, 3], [2, 4, 6, 8]);
  assertEquals(w.n, 7);
  assertEquals(w.mean, -3);
  assertAlmostEquals(w.sd, Math.SQRT2, 1e-12);
  const df = 4 / (1 / 18 + 25 / 27);
  assertAlmostEquals(w.hi - w.mean, tQuantile(0.975, df) * Math.SQRT2, 1e-9);
  assertAlmostEquals(w.hi - w.mean, 2.7580 * Math.SQRT2, 1e-2); // t(0.975, 4.08) ≈ 2.76
  assertEquals(diffOfMeans([1], [2, 3]).hi, Infinity);
});

Deno.test("fitLine: exact and noisy data; fitPowerLaw recovers alpha", () => {
  const exact = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
  assertAlmostEquals(exact.slope, 2, 1e-12);
  assertAlmostEquals(exact.intercept, 1, 1e-12);
  assertAlmostEquals(exact.r2, 1, 1e-12);
  assertAlmostEquals(exact.slopeLo, 2, 1e-9);
  // Noisy: residuals ±0.1 alternate around y = 2x.
  const x = [0, 1, 2, 3, 4, 5], y = x.map((v, i) => 2 * v + (i % 2 ? 0.1 : -0.1));
  const noisy = fitLine(x, y);
  assert(noisy.slopeLo < 2 && 2 < noisy.slopeHi, `${noisy.slopeLo}..${noisy.slopeHi}`);
  assert(noisy.r2 > 0.99 && noisy.r2 < 1);
  assertThrows(() => fitLine([1, 1], [2, 3]), Error, "x to vary");
  const N = [1e3, 1e4, 1e5, 1e6];
  const L = N.map((n, i) => 30 * n ** -0.076 * (1 + (i % 2 ? 0.01 : -0.01)));
  const p = fitPowerLaw(N, L);
  assertAlmostEquals(p.alpha, 0.076, 5e-3);
  assert(p.alphaLo < 0.076 && 0.076 < p.alphaHi);
  assertAlmostEquals(p.a, 30, 3);
  assertThrows(() => fitPowerLaw([1, 0], [1, 2]), Error, "positive");
});

Deno.test("verdicts: supported, not supported, n = 1 never supported", () => {
  const pre = summarize([0.81, 0.80, 0.83]), scratch = summarize([0.70, 0.72, 0.71]);
  const yes = greaterThan("pre-trained beats scratch", pre, scratch, {
    labelA: "pre-trained",
    labelB: "scratch",
    percent: true,
  });
  assert(yes.supported);
  assert(yes.text.startsWith("SUPPORTED — pre-trained beats scratch: pre-trained 81.3% ["));
  assertStringIncludes(yes.text, "intervals do not overlap");
  const no = greaterThan("scratch beats itself", scratch, summarize([0.69, 0.73, 0.70]));
  assert(!no.supported);
  assertStringIncludes(no.text, "NOT SUPPORTED");
  assertStringIncludes(no.text, "intervals overlap");
  // The claim reversed: the first interval lies wholly below the second, which is not "overlap".
  const reversed = greaterThan("scratch beats pre-trained", scratch, pre);
  assert(!reversed.supported);
  assertStringIncludes(reversed.text, "lies below the other: the opposite holds");
  const anecdote = greaterThan("one seed", summarize([0.99]), 0.5);
  assert(!anecdote.supported);
  assertStringIncludes(anecdote.text, "one seed is an anecdote");
  assert(greaterThan("above chance", pre, 0.5).supported);
  const mixed = greaterThan("vs a proportion", pre, wilson(60, 100));
  assert(mixed.supported);
  assertStringIncludes(mixed.numbers, "81.3% [77.5, 85.1] (n=3) vs 60.0% [50.2, 69.1] (60/100)");
  assert(pairedGreater("a > b", [1.9, 1.95, 1.88], [1.8, 1.86, 1.79]).supported);
  assert(!pairedGreater("a > b", [1.9, 1.75, 1.88], [1.8, 1.86, 1.79]).supported);
  assert(!pairedGreater("a > b", [2], [1]).supported);
  const gap16 = pairedDiff([0.81, 0.80, 0.83], [0.70, 0.72, 0.71]);
  const gapAll = pairedDiff([0.97, 0.98, 0.97], [0.96, 0.97, 0.97]);
  assert(differenceGreater("the gap shrinks", gap16, gapAll).supported);
  assert(!differenceGreater("the gap grows", gapAll, gap16).supported);
  assert(within("matches 1.88", summarize([1.886, 1.89, 1.88]), 1.83, 1.93).supported);
  assert(!within("matches 1.88 tightly", summarize([1.886, 1.89, 1.88]), 1.88, 1.89).supported);
  const v = verdict("c", { test: "t", supported: false, numbers: "1 vs 2" });
  assertEquals(v.text, "NOT SUPPORTED — c: 1 vs 2 (t)");
});

Deno.test("majorityBaseline uses training labels; chanceAccuracy", () => {
  const b = majorityBaseline([1, 1, 0], [0, 0, 0, 1]);
  assertEquals(b, { label: 1, accuracy: 0.25, k: 1, n: 4 });
  assertEquals(chanceAccuracy(2), 0.5);
  assertThrows(() => majorityBaseline([], [1]), Error, "needs training and test labels");
});

Deno.test("overSeeds and overGrid: order, determinism, seedsFor", async () => {
  assertEquals(seedsFor(3), [1, 2, 3]);
  assertEquals(seedsFor(2, 10), [10, 11]);
  const order: number[] = [];
  const run = async (seed: number) => {
    await new Promise((r) => setTimeout(r, (4 - seed) * 3)); // later seeds finish faster
    order.push(seed);
    return seed * seed;
  };
  const a = await overSeeds(seedsFor(3), run);
  assertEquals(a, [{ seed: 1, value: 1 }, { seed: 2, value: 4 }, { seed: 3, value: 9 }]);
  assertEquals(order, [1, 2, 3]); // sequential
  assertEquals(await overSeeds(seedsFor(3), run), a);
  const g = await overGrid(["x", "y"], [1, 2], (s, seed) => `${s}${seed}`);
  assertEquals(g.map((r) => r.value), ["x1", "x2", "y1", "y2"]);
  await assertRejects(() => overSeeds([1, 1], (s) => s), Error, "appears twice");
});

Deno.test("formatSummary and summaryTable text", () => {
  assertEquals(formatSummary(summarize([1, 2, 3])), "2.00 [-0.48, 4.48] (n=3)");
  assertEquals(formatSummary(wilson(2, 6)), "33.3% [9.7, 70.0] (2/6)");
  assertEquals(formatSummary(summarize([0.9]), { percent: true }), "90.0% (n=1, no interval)");
  const table = summaryTable([
    { label: "scratch", cells: { accuracy: summarize([0.70, 0.72, 0.71]), note: "a|b" } },
    { label: "pre-trained", cells: { accuracy: summarize([0.81, 0.79, 0.84]), params: 1200 } },
  ], { percent: true, labelHeader: "arm" });
  assertEquals(
    table,
    [
      "| arm | accuracy | note | params |",
      "|---|---|---|---|",
      "| scratch | 71.0% [68.5, 73.5] (n=3) | a\\|b | — |",
      "| pre-trained | 81.3% [75.1, 87.6] (n=3) | — | 1200 |",
    ].join("\n"),
  );
});

Deno.test("errorBarTrace: asymmetric arrays from the intervals", () => {
  const t = errorBarTrace("p", ["a"], [wilson(2, 6)]);
  const e = t.error_y as { array: number[]; arrayminus: number[] };
  assertAlmostEquals(e.array[0], 0.7 - 1 / 3, 1e-3);
  assertAlmostEquals(e.arrayminus[0], 1 / 3 - 0.0968, 1e-3);
});

Deno.test("estimateLoss of a masked LM is seeded: two evaluations give the same number", async () => {
  const model = new MaskedLM(gptConfig("notes-small", { vocabSize: 12 }), {
    maskId: 11,
    randomBelow: 11,
    seed: 1,
  });
  const data = Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 11);
  const opts = { blockSize: 8, batchSize: 4, seed: 3, iters: 3 };
  const before = tf.memory().numTensors;
  const a = await estimateLoss(model, data, opts), b = await estimateLoss(model, data, opts);
  assertEquals(a, b);
  const c = await estimateLoss(model, data, { ...opts, lossSeed: 99 });
  assert(c !== a, "another mask seed should draw other masks");
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});
