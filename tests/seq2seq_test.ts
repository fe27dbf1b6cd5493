import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertNotEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { generateToyTranslations, translationPairOfLength } from "../lib/data/toy_translation.ts";
import { generateAdditions, generateAdditionSplits } from "../lib/data/learning_to_execute.ts";
import { Rng } from "../lib/random.ts";
import {
  BOS,
  disposeBatch,
  encodeSources,
  EOS,
  makeBatch,
  UNK,
  Vocab,
} from "../lib/models/seq2seq/seq2seq_data.ts";
import { Seq2SeqLSTM } from "../lib/models/seq2seq/seq2seq_lstm.ts";
import { RepeatVectorSeq2Seq } from "../lib/models/seq2seq/repeat_vector_seq2seq.ts";
import { dotProductAttention, LSTMAttention } from "../lib/models/seq2seq/lstm_attention.ts";
import { Transformer } from "../lib/models/seq2seq/transformer.ts";
import type { Seq2SeqModel } from "../lib/models/seq2seq/seq2seq_model.ts";
import { trainSeq2Seq } from "../lib/train/seq2seq.ts";
import { accuracyByLength, scoreTranslation } from "../lib/models/seq2seq/seq2seq_eval.ts";

await initBackend({ report: false });

const data = generateToyTranslations({
  seed: 3,
  train: 400,
  validation: 20,
  test: 40,
  maxLength: 8,
});
const srcVocab = Vocab.fromSentences(data.train.map((p) => p.source));
const tgtVocab = Vocab.fromSentences(data.train.map((p) => p.target));
const sizes = { maxSourceLength: 8, maxTargetLength: 9 };

function models(): {
  lstm: Seq2SeqLSTM;
  reversed: Seq2SeqLSTM;
  attention: LSTMAttention;
  transformer: Transformer;
} {
  const common = {
    sourceVocab: srcVocab,
    targetVocab: tgtVocab,
    ...sizes,
    seed: 1,
  };
  return {
    lstm: new Seq2SeqLSTM({ ...common, hidden: 16, embedDim: 8 }),
    reversed: new Seq2SeqLSTM({
      ...common,
      hidden: 16,
      embedDim: 8,
      reverseSource: true,
    }),
    attention: new LSTMAttention({ ...common, hidden: 16, embedDim: 8 }),
    transformer: new Transformer({
      ...common,
      dModel: 16,
      nHead: 2,
      layers: 1,
    }),
  };
}

Deno.test("toy translations: deterministic, lengths in range, disjoint splits", () => {
  const a = generateToyTranslations({
    seed: 7,
    train: 300,
    validation: 30,
    test: 60,
  });
  const b = generateToyTranslations({
    seed: 7,
    train: 300,
    validation: 30,
    test: 60,
  });
  assertEquals(a, b);
  assertNotEquals(
    a,
    generateToyTranslations({ seed: 8, train: 300, validation: 30, test: 60 }),
  );
  const lens = a.train.map((p) => p.source.split(" ").length);
  assertEquals(Math.min(...lens), 2);
  assertEquals(Math.max(...lens), 25);
  const train = new Set(a.train.map((p) => p.source));
  for (const p of [...a.validation, ...a.test]) {
    assert(!train.has(p.source), p.source);
  }
  for (let len = 2; len <= 40; len++) {
    const p = translationPairOfLength(new Rng(len), len);
    assertEquals(p.source.split(" ").length, len);
  }
});

Deno.test("toy translations: adjectives follow the noun and agree with it", () => {
  const all = generateToyTranslations({ seed: 0, train: 2000, validation: 0, test: 0 })
    .train;
  const hit = all.find((p) => / the red moon /.test(` ${p.source} `));
  assert(hit, "no 'the red moon' in 2000 sentences");
  assertStringIncludes(hit.target, "la luna rossa");
  assert(all.some((p) => p.source === "let's go" && p.target === "andiamo"));
  assertThrows(
    () => translationPairOfLength(new Rng(0), 1),
    Error,
    "length must be",
  );
});

Deno.test("additions: right sums, digit counts in range, disjoint splits", () => {
  const ps = generateAdditions({
    seed: 1,
    count: 500,
    minDigits: 2,
    maxDigits: 3,
  });
  for (const p of ps) {
    const [a, b] = p.source.split("+");
    assertEquals(Number(p.target), Number(a) + Number(b));
    for (const x of [a, b]) assert(x.length >= 2 && x.length <= 3, p.source);
  }
  const s = generateAdditionSplits({
    seed: 0,
    train: 300,
    validation: 50,
    test: 50,
  });
  const train = new Set(s.train.map((p) => p.source));
  for (const p of s.test) assert(!train.has(p.source));
  assertThrows(
    () =>
      generateAdditionSplits({
        seed: 0,
        train: 90,
        validation: 0,
        test: 0,
        maxDigits: 1,
      }),
    Error,
    "distinct additions",
  );
});

Deno.test("vocab and batches: teacher-forcing shift, unknown words, limits, empty batch", () => {
  const b = makeBatch(
    [{ source: "let's go", target: "andiamo" }],
    srcVocab,
    tgtVocab,
    8,
    9,
  );
  const andiamo = tgtVocab.encode("andiamo")[0];
  assertEquals(b.targetIn.arraySync(), [[BOS, andiamo]]);
  assertEquals(b.targetOut.arraySync(), [[andiamo, EOS]]);
  disposeBatch(b);
  assertThrows(
    () => srcVocab.encode("the dragon sleeps"),
    Error,
    'Unknown word "dragon"',
  );
  assertEquals(srcVocab.encode("the dragon sleeps", "unk")[1], UNK);
  assertThrows(() => encodeSources([], srcVocab, 8), Error, "Empty batch");
  const long = data.train.find((p) => p.source.split(" ").length === 8)!.source;
  assertThrows(() => encodeSources([long], srcVocab, 7), Error, "at most 7");
});

Deno.test("every model rejects bad input before any work", () => {
  const before = tf.memory().numTensors;
  for (
    const [name, m] of Object.entries(models()) as [string, Seq2SeqModel][]
  ) {
    assertThrows(() => m.translate([]), Error, "Empty batch", name);
    assertThrows(
      () => m.translate(["the dragon sleeps"]),
      Error,
      "Unknown word",
      name,
    );
    const tooLong = Array(9).fill("the").join(" ");
    assertThrows(() => m.translate([tooLong]), Error, "at most 8", name);
    // The documented alternative: unknown words read as <unk>.
    assertEquals(
      m.translate(["the dragon sleeps"], { unknown: "unk" }).length,
      1,
    );
    m.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("dot-product attention: hand-computed weights, padding gets none", () => {
  const enc = tf.tensor3d([[[1, 0], [0, 2], [5, 5]]]); // third word is padding
  const dec = tf.tensor3d([[[1, 1]]]);
  const { weights, values } = dotProductAttention(
    dec,
    enc,
    tf.tensor2d([[1, 1, 0]]),
  );
  // scores 1 and 2 -> softmax [e/(e+e²), e²/(e+e²)]
  const w1 = Math.E / (Math.E + Math.E ** 2);
  const w = weights.arraySync()[0][0];
  assertAlmostEquals(w[0], w1, 1e-5);
  assertAlmostEquals(w[1], 1 - w1, 1e-5);
  assertAlmostEquals(w[2], 0, 1e-6);
  const v = values.arraySync()[0][0];
  assertAlmostEquals(v[0], w1, 1e-5);
  assertAlmostEquals(v[1], 2 * (1 - w1), 1e-5);
  tf.dispose([enc, dec, weights, values]);
});

Deno.test("transformer: teacher-forced parallel logits equal one-token-at-a-time decoding", () => {
  const m = models().transformer;
  const b = makeBatch(data.test.slice(0, 5), srcVocab, tgtVocab, 8, 9);
  const diff = tf.tidy(() =>
    tf.max(tf.abs(tf.sub(m.logits(b), m.incrementalLogits(b))))
      .arraySync() as number
  );
  assertLess(diff, 1e-4);
  // Changing a later target token must not change earlier logits (no look-ahead).
  const changed = tf.tidy(() => {
    const t = b.targetIn.arraySync();
    t[0][t[0].length - 1] = (t[0][t[0].length - 1] + 1) % tgtVocab.size;
    const b2 = { ...b, targetIn: tf.tensor2d(t, undefined, "int32") };
    const a = m.logits(b).slice([0, 0, 0], [1, t[0].length - 1, -1]);
    const c = m.logits(b2).slice([0, 0, 0], [1, t[0].length - 1, -1]);
    return tf.max(tf.abs(tf.sub(a, c))).arraySync() as number;
  });
  assertLess(changed, 1e-5);
  disposeBatch(b);
  m.dispose();
});

Deno.test("transformer without residual connections: another function of the same weights", () => {
  const build = (residual: boolean) =>
    new Transformer({
      sourceVocab: srcVocab,
      targetVocab: tgtVocab,
      ...sizes,
      dModel: 16,
      nHead: 2,
      layers: 1,
      seed: 1,
      residual,
    });
  const [on, off] = [build(true), build(false)];
  assertEquals([on.residual, off.residual], [true, false]);
  const b = makeBatch(data.test.slice(0, 5), srcVocab, tgtVocab, 8, 9);
  const [gap, causal] = tf.tidy(() => [
    tf.max(tf.abs(tf.sub(on.logits(b), off.logits(b)))).arraySync() as number,
    tf.max(tf.abs(tf.sub(off.logits(b), off.incrementalLogits(b)))).arraySync() as number,
  ]);
  assert(gap > 1e-3, `residual on/off gave the same logits (max gap ${gap})`);
  assertLess(causal, 1e-4);
  disposeBatch(b);
  on.dispose();
  off.dispose();
});

Deno.test("attention model: weights over real source words sum to 1 at every output step", () => {
  const m = models().attention;
  const { attention, ids } = m.translateWithAttention([
    "let's go",
    "the dog sleeps",
  ]);
  assertEquals(attention[1][0].length, 3);
  assertEquals(attention[0].length, ids[0].length);
  for (const sent of attention) {
    for (const row of sent) {
      assertAlmostEquals(row.reduce((a, b) => a + b), 1, 1e-4);
    }
  }
  m.dispose();
});

Deno.test("reverseSource: the encoder reads each sentence backwards, padding untouched", () => {
  const common = { sourceVocab: srcVocab, targetVocab: tgtVocab, ...sizes };
  const fwd = new Seq2SeqLSTM({ ...common, hidden: 16, embedDim: 8, seed: 1 });
  const rev = new Seq2SeqLSTM({
    ...common,
    hidden: 16,
    embedDim: 8,
    seed: 1,
    reverseSource: true,
  });
  const sentences = [
    "the dog sleeps",
    "let's go",
    "a big red cat sees the girl",
  ];
  const backwards = sentences.map((s) => s.split(" ").reverse().join(" "));
  const a = encodeSources(sentences, srcVocab, sizes.maxSourceLength);
  const b = encodeSources(backwards, srcVocab, sizes.maxSourceLength);
  const before = tf.memory().numTensors;
  const [same, gap] = tf.tidy(() => {
    const got = rev.encode(a), want = fwd.encode(b), own = fwd.encode(a);
    const maxDiff = (x: tf.Tensor, y: tf.Tensor) =>
      tf.max(tf.abs(tf.sub(x, y))).arraySync() as number;
    return [
      Math.max(
        ...got.final.flatMap((s, l) => [
          maxDiff(s.h, want.final[l].h),
          maxDiff(s.c, want.final[l].c),
        ]),
      ),
      // Not the same as reading forwards: the option does change the context vector.
      maxDiff(got.final[1].h, own.final[1].h),
    ];
  });
  assertLess(same, 1e-6);
  assertGreater(gap, 1e-3);
  assertEquals(tf.memory().numTensors, before);
  assertEquals(rev.translate(sentences).length, 3);
  tf.dispose([a.ids, a.mask, b.ids, b.mask]);
  fwd.dispose();
  rev.dispose();
});

Deno.test("training: loss falls and tensor count stays flat across steps, for every model", async () => {
  for (
    const [name, m] of Object.entries(models()) as [string, Seq2SeqModel][]
  ) {
    const counts: number[] = [];
    const { losses } = await trainSeq2Seq(m, data.train, {
      steps: 6,
      batchSize: 16,
      learningRate: 0.01,
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    // Step 0 creates Adam's moment slots; from then on nothing may accumulate.
    for (let i = 2; i < counts.length; i++) {
      assertEquals(counts[i], counts[1], `${name} step ${i}`);
    }
    assertLess(losses[5], losses[0], name);
    const before = tf.memory().numTensors;
    m.translate(data.test.slice(0, 4).map((p) => p.source));
    assertEquals(tf.memory().numTensors, before, `${name} translate leaked`);
    m.dispose();
  }
});

Deno.test("transformer learns a small corpus to exact translations", async () => {
  const small = generateToyTranslations({
    seed: 5,
    train: 48,
    validation: 0,
    test: 0,
    maxLength: 4,
  })
    .train;
  const m = new Transformer({
    sourceVocab: Vocab.fromSentences(small.map((p) => p.source)),
    targetVocab: Vocab.fromSentences(small.map((p) => p.target)),
    maxSourceLength: 4,
    maxTargetLength: 5,
    dModel: 32,
    nHead: 2,
    layers: 1,
  });
  await trainSeq2Seq(m, small, {
    steps: 150,
    batchSize: 16,
    learningRate: 0.005,
  });
  const { overall } = accuracyByLength(
    m.translate(small.map((p) => p.source)),
    small,
  );
  assertGreater(overall.exactMatch, 0.9);
  m.dispose();
});

Deno.test("Keras-style RepeatVector model: trains, predicts fixed-width strings, flat tensors", async () => {
  const pairs = generateAdditions({ seed: 2, count: 256, maxDigits: 2 });
  const m = new RepeatVectorSeq2Seq({
    alphabet: " 0123456789+",
    inputLength: 5,
    outputLength: 3,
    hidden: 16,
  });
  const h1 = await m.fit(pairs, { epochs: 2, batchSize: 64 });
  const after1 = tf.memory().numTensors;
  const h2 = await m.fit(pairs, { epochs: 2, batchSize: 64 });
  assertEquals(tf.memory().numTensors, after1);
  assertLess(h2.history.loss[1] as number, h1.history.loss[0] as number);
  const out = m.predict(["12+34", "1+1"]);
  assertEquals(out.length, 2);
  for (const s of out) assert(/^[ 0-9+]{0,3}$/.test(s), s);
  assertThrows(() => m.predict(["12+345"]), Error, "takes 5");
  assertThrows(() => m.predict(["1-2"]), Error, 'character "-"');
  assertThrows(() => m.predict([]), Error, "empty batch");
  m.dispose();
});

Deno.test("Keras-style RepeatVector model: a wide model builds without the orthogonal-initializer warning", () => {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => warned.push(a.map(String).join(" "));
  let m: RepeatVectorSeq2Seq | undefined;
  try {
    // 128 units: recurrent kernels of 128 × 512 elements, over tfjs-layers' 2000-element threshold.
    m = new RepeatVectorSeq2Seq({
      alphabet: " 0123456789+",
      inputLength: 5,
      outputLength: 3,
      hidden: 128,
    });
    console.warn("another warning");
  } finally {
    console.warn = warn;
    m?.dispose();
  }
  assertEquals(warned, ["another warning"]); // only that one message is filtered
});

Deno.test("Keras-style RepeatVector model: the same seed trains to the same weights", async () => {
  const pairs = generateAdditions({ seed: 3, count: 200, maxDigits: 2 });
  const weights: Float32Array[][] = [];
  const losses: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const m = new RepeatVectorSeq2Seq({
      alphabet: " 0123456789+",
      inputLength: 5,
      outputLength: 3,
      hidden: 8,
      seed: 4,
    });
    const epochs: number[] = [];
    const h = await m.fit(pairs, { epochs: 2, batchSize: 32, onEpoch: (e) => epochs.push(e) });
    assertEquals(epochs, [0, 1]);
    assertEquals(h.epoch, [0, 1]);
    losses.push(h.history.loss as number[]);
    weights.push(m.model.getWeights().map((w) => w.dataSync() as Float32Array));
    m.dispose();
  }
  // Batches are ordered by the model's seeded generator, not tfjs-layers' Math.random.
  assertEquals(losses[0], losses[1]);
  assertEquals(weights[0], weights[1]);
});

Deno.test("scores: exact match and position-wise token accuracy by length", () => {
  assertEquals(scoreTranslation("il cane dorme", "il cane dorme"), {
    exact: true,
    correct: 3,
    total: 3,
  });
  // A missing word shifts nothing before it but counts against the total.
  assertEquals(scoreTranslation("il cane", "il cane dorme"), {
    exact: false,
    correct: 2,
    total: 3,
  });
  const pairs = [
    { source: "let's go", target: "andiamo" },
    { source: "he runs", target: "corre" },
    { source: "the dog sleeps", target: "il cane dorme" },
  ];
  const { rows, overall } = accuracyByLength([
    "andiamo",
    "dorme",
    "il gatto dorme",
  ], pairs);
  assertEquals(rows.map((r) => [r.length, r.count, r.exactMatch]), [
    [2, 2, 0.5],
    [3, 1, 0],
  ]);
  assertAlmostEquals(rows[1].tokenAccuracy, 2 / 3, 1e-9);
  assertAlmostEquals(overall.tokenAccuracy, 3 / 5, 1e-9);
  assertThrows(
    () => accuracyByLength(["x"], pairs),
    Error,
    "1 predictions for 3 pairs",
  );
});

Deno.test("toy translations: every held-out word occurs in training", () => {
  const d = generateToyTranslations({
    seed: 0,
    train: 3000,
    validation: 100,
    test: 400,
  });
  const vocab = Vocab.fromSentences(d.train.map((p) => p.source));
  const tv = Vocab.fromSentences(d.train.map((p) => p.target));
  for (const p of [...d.validation, ...d.test]) {
    vocab.encode(p.source);
    tv.encode(p.target);
  }
  assert(d.test.some((p) => p.source.split(" ").length === 2));
});
