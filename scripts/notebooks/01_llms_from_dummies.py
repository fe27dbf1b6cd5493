"""Generates notebooks/01_llms_from_dummies.ipynb (run from the repository root:
`python3 scripts/notebooks/01_llms_from_dummies.py`), then `deno task notebooks 01` fills the outputs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbgen import code, md, nb  # noqa: E402

cells = [
    md(r'''
# 01 · LLMs from dummies

From a word-for-word dictionary to a small GPT, one step at a time, following the sections of the
notes "LLMs from dummies, part 1". Each step is derived by hand, checked against the library
(`lib/`), then run on real data. The notes stop at the BPE vocabulary and a list of
hyperparameters; section 9 trains that model.

Set `LLM_SMOKE=1` to run everything small (the test suite does); the committed outputs come from a
full run.
'''),
    code(r'''
import * as tf from "@tensorflow/tfjs";
import { closest, distance } from "fastest-levenshtein";
import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { display, isSmoke, latexMatrix, latexSource, LivePlot, markdown, plot, ProgressBar, show } from "../lib/notebook/mod.ts";
import { scaledDotProductAttention } from "../lib/attention/mod.ts";
import { CharTokenizer, WordPieceBPE, WordTokenizer, ByteBPE } from "../lib/tokenizers/mod.ts";
import { GPT, countParams, gptConfig } from "../lib/models/gpt.ts";
import { Trainer } from "../lib/train/mod.ts";
import { loadCorpus, splitTrainVal } from "../lib/data/mod.ts";
import { generateText } from "../lib/sample/mod.ts";
import { Rng } from "../lib/random.ts";

const backend = await initBackend();
const SMOKE = isSmoke();
console.log(`smoke mode: ${SMOKE}`);

'''),
    md(r'''
## 1 · A literal translator

The simplest translator is a dictionary: split the sentence into words, look each one up.
'''),
    code(r'''
const dictionary: Record<string, string> = {
  le: "the",
  chat: "cat",
  est: "is",
  sous: "under",
  la: "the",
  table: "table",
};

/** Splits a sentence into words on whitespace (Python's `str.split()`). */
function tokenize(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

function translateLiteral(sentence: string): string {
  return tokenize(sentence).map((word) => {
    if (!Object.hasOwn(dictionary, word)) {
      throw new Error(`"${word}" is not in the dictionary`);
    }
    return dictionary[word];
  }).join(" ");
}

const literal = translateLiteral("le chat est sous la table");
assertEquals(literal, "the cat is under the table");
literal
'''),
    md(r'''
The notes' version appends a space after every word (`'the cat is under the table '`); joining
with spaces avoids the trailing one. A word the dictionary does not know stops it:
'''),
    code(r'''
let failure = "";
try {
  translateLiteral("le chat est sous la tables");
} catch (e) {
  failure = (e as Error).message;
}
assertEquals(failure, `"tables" is not in the dictionary`);
failure
'''),
    md(r'''
## 2 · A key that is not in the dictionary

Instead of failing, take the key closest to the query. The Levenshtein distance counts the
single-character insertions, deletions and substitutions that turn one string into the other.
Below, the loop of the notes (keep the first key with the smallest distance) and
`closest` from `fastest-levenshtein` agree.
'''),
    code(r'''
const keys = Object.keys(dictionary);

function findClosestKey(query: string): string {
  let best = keys[0], bestDistance = Infinity;
  for (const key of keys) {
    const d = distance(query, key);
    if (d < bestDistance) [best, bestDistance] = [key, d]; // strict <: ties keep the earlier key
  }
  return best;
}

function translateFuzzy(sentence: string): string {
  return tokenize(sentence).map((query) => dictionary[findClosestKey(query)]).join(" ");
}

const queries = ["tables", "sur"];
for (const q of queries) assertEquals(findClosestKey(q), closest(q, keys));
assertEquals(findClosestKey("tables"), "table");
assertEquals(translateFuzzy("tables"), "table");

markdown([
  `| query | ${keys.join(" | ")} | closest |`,
  `|---|${keys.map(() => "---:").join("|")}|---|`,
  ...queries.map((q) => `| ${q} | ${keys.map((k) => distance(q, k)).join(" | ")} | **${findClosestKey(q)}** |`),
].join("\n"))
'''),
    code(r'''
const fuzzy = {
  tables: translateFuzzy("le chat est sous la tables"),
  sur: translateFuzzy("le chat est sur la table"),
};
assertEquals(fuzzy.tables, "the cat is under the table");
assertEquals(fuzzy.sur, "the cat is under the table"); // wrong: "sur" means "on"
fuzzy
'''),
    md(r'''
"tables" is rescued, but "sur" (*on*) is two edits from "sous" (*under*) and gets translated to
its opposite. Closeness in spelling is not closeness in meaning; the rest of the notebook replaces
strings with vectors so that closeness can be learned.
'''),
    md(r'''
## 3 · Input and output vocabularies, one-hot vectors

A vocabulary is the sorted set of tokens. A one-hot vector for token *i* of a vocabulary of size
*n* has *n* entries, a 1 at position *i* and 0 elsewhere; stacked, the one-hot vectors of a
vocabulary form the identity matrix.
'''),
    code(r'''
const vocabIn = [...new Set(Object.keys(dictionary))].sort();
const vocabOut = [...new Set(Object.values(dictionary))].sort();
assertEquals(vocabIn, ["chat", "est", "la", "le", "sous", "table"]);
assertEquals(vocabOut, ["cat", "is", "table", "the", "under"]);

/** The one-hot row of `token` in `vocab`, shape (n). */
function oneHot(vocab: string[], token: string): tf.Tensor1D {
  const i = vocab.indexOf(token);
  if (i < 0) throw new Error(`"${token}" is not in the vocabulary [${vocab.join(", ")}]`);
  return tf.oneHot(tf.tensor1d([i], "int32"), vocab.length).reshape([vocab.length]).toFloat() as tf.Tensor1D;
}

const EIn = tf.stack(vocabIn.map((t) => oneHot(vocabIn, t))) as tf.Tensor2D; // (6, 6)
const EOut = tf.stack(vocabOut.map((t) => oneHot(vocabOut, t))) as tf.Tensor2D; // (5, 5)
assertEquals(await EIn.array(), (await tf.eye(6).array()));
console.log(`input vocabulary (${vocabIn.length}): ${vocabIn.join(", ")}`);
console.log(`output vocabulary (${vocabOut.length}): ${vocabOut.join(", ")}`);
await display(latexMatrix(EIn, { name: "E_{in}", rowLabels: vocabIn, colLabels: vocabIn }));
latexMatrix(EOut, { name: "E_{out}", rowLabels: vocabOut, colLabels: vocabOut })
'''),
    md(r'''
## 4 · The dictionary as matrices

Stack the one-hot vectors of the dictionary's keys into **K** and those of its values into **V**,
in the dictionary's order (row *i* of K is the *i*-th key, row *i* of V its translation). For a
query vector **q**:

* `q·Kᵀ` holds the dot product of q with every key: 1 for the matching key, 0 elsewhere, so it
  is the one-hot vector of the key's *row*;
* `(q·Kᵀ)·V` picks that row of V: the translation's one-hot vector.
'''),
    code(r'''
const K = tf.stack(keys.map((k) => oneHot(vocabIn, k))) as tf.Tensor2D; // (6 keys, 6)
const V = tf.stack(keys.map((k) => oneHot(vocabOut, dictionary[k]))) as tf.Tensor2D; // (6 keys, 5)
await display(latexMatrix(K, { name: "K", rowLabels: keys, colLabels: vocabIn }));
latexMatrix(V, { name: "V", rowLabels: keys.map((k) => dictionary[k]), colLabels: vocabOut })
'''),
    code(r'''
const q = oneHot(vocabIn, "sous").reshape([1, -1]) as tf.Tensor2D; // (1, 6)
const qK = tf.matMul(q, K, false, true); // (1, 6): one score per key
const qKV = tf.matMul(qK, V); // (1, 5)
assertEquals(Array.from(qK.dataSync()), [0, 0, 0, 1, 0, 0]); // "sous" is the 4th key
assertEquals(Array.from(qKV.dataSync()), Array.from(oneHot(vocabOut, "under").dataSync()));

const L = (t: tf.Tensor) => latexSource(t);
markdown([
  "$$ q\\,K^T\\,V = " + L(q) + "\\;" + L(K.transpose()) + "\\;" + L(V) + " $$",
  "$$ q\\,K^T\\,V = " + L(qK) + "\\;" + L(V) + " $$",
  "$$ q\\,K^T\\,V = " + L(qKV) + " \\quad(\\text{under}) $$",
].join("\n\n"))
'''),
    md(r'''
**Decoding a vector back to a token.** Take the output token whose one-hot vector has the largest
dot product with the vector. The notes start the search at a best score of 0, so an all-zero
vector decodes to `None`; taking the argmax always answers, and for one-hot rows the dot product
is the cosine similarity up to the vector's norm, which does not change the argmax.
'''),
    code(r'''
/** The token of `vocab` (rows of the one-hot table `E`) closest to `vector` by dot product. */
function decodeVector(E: tf.Tensor2D, vocab: string[], vector: tf.Tensor): string {
  return tf.tidy(() => vocab[tf.argMax(tf.matMul(E, vector.reshape([-1, 1])).reshape([-1])).dataSync()[0]]);
}

function translateMatrices(sentence: string): string {
  return tokenize(sentence).map((token) =>
    tf.tidy(() => {
      const qt = oneHot(vocabIn, token).reshape([1, -1]);
      return decodeVector(EOut, vocabOut, tf.matMul(tf.matMul(qt, K, false, true), V));
    })
  ).join(" ");
}

assertEquals(decodeVector(EOut, vocabOut, qKV), "under");
const viaMatrices = translateMatrices("le chat est sous la table");
assertEquals(viaMatrices, literal);
viaMatrices
'''),
    md(r'''
## 5 · Similar tokens give similar vectors: softmax

Replacing the exact score vector by `softmax(q·Kᵀ)` turns the lookup into a weighted average of
all values, weighted most where the key matches best. With one-hot vectors the match scores 1
and every other key 0, so the weights are `e/(e+5) = 0.352` and `1/(e+5) = 0.130`:
'''),
    code(r'''
const soft = tf.softmax(tf.matMul(q, K, false, true)); // (1, 6)
const softOut = tf.matMul(soft, V); // (1, 5)
const e = Math.E;
assertAlmostEquals(soft.dataSync()[3], e / (e + 5), 1e-6);
assertAlmostEquals(soft.dataSync()[0], 1 / (e + 5), 1e-6);
assertEquals(decodeVector(EOut, vocabOut, softOut), "under");
await display(latexMatrix(soft, { name: "\\mathrm{softmax}(q K^T)", colLabels: keys, digits: 3 }));
latexMatrix(softOut, { name: "\\mathrm{softmax}(q K^T)\\,V", colLabels: vocabOut, digits: 3 })
'''),
    md(r'''
The notes then imagine a misspelt token, "tables", whose vector is `0.95 · E_table`: close to
"table" without being it. A one-hot code cannot produce such a vector by itself (it has no notion
of closeness); the notes set it by hand, and learned embeddings (section 9) are what produce such
vectors. With it, the softmax lookup still lands on "table":
'''),
    code(r'''
const qTables = tf.mul(0.95, oneHot(vocabIn, "table")).reshape([1, -1]) as tf.Tensor2D;
const wTables = tf.softmax(tf.matMul(qTables, K, false, true));
assertEquals(decodeVector(EOut, vocabOut, tf.matMul(wTables, V)), "table");
assertAlmostEquals(wTables.dataSync()[5], Math.exp(0.95) / (Math.exp(0.95) + 5), 1e-6);
latexMatrix(wTables, { name: "\\mathrm{softmax}(q_{tables} K^T)", colLabels: keys, digits: 3 })
'''),
    md(r'''
**Scaling by 1/√d.** The notes add the factor `1/√d` and only say that it "adjusts" for the
dimension. The reason is variance: if the entries of q and k are independent with mean 0 and
variance 1, then `q·k` is a sum of d such products and has variance d. Scores then grow like √d,
the softmax puts almost all its weight on one key, and its gradient vanishes. Dividing by √d keeps
the scores' variance at 1 whatever the width. We measure both effects on random vectors, 16 keys
per query:
'''),
    code(r'''
const dims = SMOKE ? [2, 8, 32, 128] : [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const trials = SMOKE ? 200 : 2000, nKeys = 16;
const rows = dims.map((d, i) => tf.tidy(() => {
  const qs = tf.randomNormal([trials, 1, d], 0, 1, "float32", 10 + i);
  const ks = tf.randomNormal([trials, nKeys, d], 0, 1, "float32", 100 + i);
  const scores = tf.matMul(qs, ks, false, true).reshape([trials, nKeys]); // (trials, 16)
  const maxWeight = (s: tf.Tensor) => tf.mean(tf.max(tf.softmax(s), -1)).dataSync()[0];
  return {
    d,
    std: tf.moments(scores).variance.sqrt().dataSync()[0],
    stdScaled: tf.moments(tf.div(scores, Math.sqrt(d))).variance.sqrt().dataSync()[0],
    maxRaw: maxWeight(scores),
    maxScaled: maxWeight(tf.div(scores, Math.sqrt(d))),
  };
}));
for (const r of rows) {
  assertAlmostEquals(r.std / Math.sqrt(r.d), 1, 0.1); // std of q·k is √d
  assertAlmostEquals(r.stdScaled, 1, 0.1);
}
markdown([
  "| d | std(q·k) | √d | std(q·k/√d) | mean max weight, raw | mean max weight, scaled |",
  "|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.d} | ${r.std.toFixed(2)} | ${Math.sqrt(r.d).toFixed(2)} | ${r.stdScaled.toFixed(3)} | ${r.maxRaw.toFixed(3)} | ${r.maxScaled.toFixed(3)} |`),
].join("\n"))
'''),
    code(r'''
const weightAxis = { title: "mean of the largest weight", range: [0, 1.05] }; // a variable: the Figure type lists few axis fields
plot({
  data: [
    { x: dims, y: rows.map((r) => r.maxRaw), name: "softmax(q·kᵀ)", mode: "lines+markers" },
    { x: dims, y: rows.map((r) => r.maxScaled), name: "softmax(q·kᵀ/√d)", mode: "lines+markers" },
    { x: dims, y: dims.map(() => 1 / nKeys), name: "uniform (1/16)", mode: "lines", line: { dash: "dot" } },
  ],
  layout: {
    title: "Largest attention weight over 16 random keys, by width d",
    xaxis: { title: "d (width of q and k)", type: "log" },
    yaxis: weightAxis,
  },
})
'''),
    md(r'''
Unscaled, the largest weight climbs towards 1 as d grows (the softmax becomes an argmax); scaled,
it stays put. On the dictionary the factor works the other way: one-hot scores are 0 or 1 whatever
d is, so dividing by √6 only flattens the weights (the match drops from 0.352 to
`e^{1/√6}/(e^{1/√6}+5)`). The scaling is meant for learned vectors, whose dot products do grow
with d.
'''),
    code(r'''
const scaled = tf.softmax(tf.div(tf.matMul(q, K, false, true), Math.sqrt(6)));
const m = Math.exp(1 / Math.sqrt(6));
assertAlmostEquals(scaled.dataSync()[3], m / (m + 5), 1e-6);
latexMatrix(scaled, { name: "\\mathrm{softmax}(q K^T/\\sqrt{6})", colLabels: keys, digits: 3 })
'''),
    md(r'''
## 6 · All queries at once: the Q matrix

Stacking the query vectors of a whole sentence as the rows of **Q** does every lookup in one
product: `Attention(Q, K, V) = softmax(Q·Kᵀ/√d)·V`, the softmax taken along each *row* (over the
keys). We compare it with the loop over queries and with `scaledDotProductAttention` from
`lib/attention`.
'''),
    code(r'''
const sentence = "le chat est sous la table";
const Q = tf.stack(tokenize(sentence).map((t) => oneHot(vocabIn, t))) as tf.Tensor2D; // (6 queries, 6)
const d = Q.shape[1];
/** softmax(Q·Kᵀ·scale)·V, the softmax along each row. */
const attend = (Qm: tf.Tensor2D, scale: number) => tf.matMul(tf.softmax(tf.mul(tf.matMul(Qm, K, false, true), scale)), V);
const byHand = attend(Q, 1 / Math.sqrt(d)); // (6, 5)
const byLoop = tf.concat(tokenize(sentence).map((t) => attend(oneHot(vocabIn, t).reshape([1, -1]) as tf.Tensor2D, 1 / Math.sqrt(d))));
const { output: byLib, weights: libWeights } = scaledDotProductAttention(Q, K, V);
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
assert(maxDiff(byHand, byLoop) < 1e-6, "matrix and loop versions differ");
assert(maxDiff(byHand, byLib) < 1e-6, "hand and library versions differ");
const decodeRows = (out: tf.Tensor) => tf.unstack(out).map((row) => decodeVector(EOut, vocabOut, row)).join(" ");
const translations = { unscaled: decodeRows(attend(Q, 1)), scaled: decodeRows(byHand) };
assertEquals(translations.unscaled, literal);
await display(latexMatrix(Q, { name: "Q", rowLabels: tokenize(sentence), colLabels: vocabIn }));
await display(latexMatrix(libWeights, { name: "\\mathrm{softmax}(QK^T/\\sqrt{d})", rowLabels: tokenize(sentence), colLabels: keys, digits: 3 }));
console.log(`max |matrix - loop| = ${maxDiff(byHand, byLoop).toExponential(1)}, max |matrix - lib| = ${maxDiff(byHand, byLib).toExponential(1)}`);
translations
'''),
    md(r'''
The three computations agree. Without the scale factor the matrix translator is right; with it,
the words that are not "le"/"la" come out wrong: after dividing by √6 the matching key gets
`e^{1/√6}/(e^{1/√6}+5) = 0.231`, but "the" is the value of two keys, which together get
`2/(e^{1/√6}+5) = 0.307`. One-hot scores are too weak to survive the scaling; learned vectors
produce larger scores, which is what section 7 adds.
'''),
    code(r'''
const w = Math.exp(1 / Math.sqrt(6));
const wrong = translations.scaled.split(" ").filter((t, i) => t !== literal.split(" ")[i]).length;
assert(2 / (w + 5) > w / (w + 5));
console.log(`scaled: ${wrong} of 6 words wrong; match weight ${(w / (w + 5)).toFixed(3)}, two "the" keys ${(2 / (w + 5)).toFixed(3)}`);
'''),
    md(r'''
**A slip in the notes.** Their matrix version calls `torch.softmax(Q @ K.T, 0)`: the softmax runs
down each *column* (over the queries), not along each row (over the keys). The weights of a query
then no longer sum to 1 and depend on which other words are in the sentence: the more often a
word is repeated, the less each copy attends to its own key. It goes unnoticed on their sentence,
where each word appears once:
'''),
    code(r'''
/** Weight that the first query gives to its own key, softmax over keys (rows) or over queries (dim 0). */
function selfWeight(sentence: string): { sentence: string; overKeys: number; overQueries: number; rowSum: number } {
  return tf.tidy(() => {
    const Qs = tf.stack(tokenize(sentence).map((t) => oneHot(vocabIn, t))) as tf.Tensor2D;
    const scores = tf.matMul(Qs, K, false, true); // (queries, keys)
    const key = keys.indexOf(tokenize(sentence)[0]);
    const overKeys = tf.softmax(scores); // rows sum to 1
    const overQueries = tf.softmax(scores.transpose()).transpose(); // the notes' dim 0: columns sum to 1
    return {
      sentence,
      overKeys: (overKeys.arraySync() as number[][])[0][key],
      overQueries: (overQueries.arraySync() as number[][])[0][key],
      rowSum: (tf.sum(overQueries, 1).arraySync() as number[])[0],
    };
  });
}
const dim0 = ["la table", "la la table", "la la la la la table"].map(selfWeight);
for (const r of dim0) assertAlmostEquals(r.overKeys, e / (e + 5), 1e-6); // independent of the sentence
assert(dim0[2].overQueries < dim0[0].overQueries - 0.1, "dim-0 weights should shrink as the word repeats");
markdown([
  "| sentence | weight of 'la' on its key, softmax over keys | same, softmax over queries (dim 0) | sum of that row, dim 0 |",
  "|---|---:|---:|---:|",
  ...dim0.map((r) => `| ${r.sentence} | ${r.overKeys.toFixed(3)} | ${r.overQueries.toFixed(3)} | ${r.rowSum.toFixed(3)} |`),
].join("\n"))
'''),
    md(r'''
## 7 · Learned projections: an attention head

With fixed one-hot vectors a token can only match itself. The notes' `Head` multiplies the input
by three learned matrices first, `Attention(X·W^Q, X·W^K, X·W^V)`, so what a token looks for
(query), what it offers (key) and what it passes on (value) are learned. We build that head from
three weight matrices and `scaledDotProductAttention` from `lib/attention`.

**A task only learned projections can solve.** Each sequence holds 8 distinct tokens out of 16,
one-hot encoded; at every position the head must output the *largest* token of the sequence. We
start from `W^Q = W^K = W^V = I` (plus a little noise), which is exactly the dictionary attention
of section 6: each token attends mostly to itself and is right only when it is the largest (1 in
8). To solve the task, `W^Q·W^Kᵀ` has to learn to score every key by its size, whatever the query.
'''),
    code(r'''
const VOCAB = 16, T = 8;

class Head {
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable;
  constructor(width: number, seed: number) {
    const init = (s: number) => tf.variable(tf.add(tf.eye(width), tf.randomNormal([width, width], 0, 0.01, "float32", s)));
    this.wq = init(seed); this.wk = init(seed + 1); this.wv = init(seed + 2);
  }
  /** x (B, T, C) -> output (B, T, C) and weights (B, T, T). */
  apply(x: tf.Tensor3D): { output: tf.Tensor; weights: tf.Tensor } {
    const [B, Tx, C] = x.shape;
    const proj = (w: tf.Variable) => tf.reshape(tf.matMul(tf.reshape(x, [B * Tx, C]), w), [B, Tx, C]);
    return scaledDotProductAttention(proj(this.wq), proj(this.wk), proj(this.wv));
  }
}

/** `batch` sequences of T distinct tokens, and the largest token of each, repeated at every position. */
function maxTask(rng: Rng, batch: number): { x: tf.Tensor3D; ids: number[][]; target: tf.Tensor2D } {
  const ids: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const pool = Array.from({ length: VOCAB }, (_, i) => i);
    rng.shuffle(pool);
    ids.push(pool.slice(0, T));
  }
  const { x, target } = tf.tidy(() => ({
    x: tf.oneHot(tf.tensor2d(ids, [batch, T], "int32"), VOCAB).toFloat() as tf.Tensor3D, // (B, T, 16)
    target: tf.tensor2d(ids.map((row) => row.map(() => Math.max(...row))), [batch, T], "int32"),
  }));
  return { x, ids, target };
}

const head = new Head(VOCAB, 7);
const headLoss = (x: tf.Tensor3D, target: tf.Tensor2D) =>
  tf.losses.softmaxCrossEntropy(tf.oneHot(target.flatten(), VOCAB), head.apply(x).output.reshape([-1, VOCAB])) as tf.Scalar;
const accuracy = (x: tf.Tensor3D, target: tf.Tensor2D) =>
  tf.tidy(() => tf.mean(tf.equal(tf.argMax(head.apply(x).output, -1), target).toFloat()).dataSync()[0]);

const test = maxTask(new Rng(2024), 512);
const example = maxTask(new Rng(99), 1);
const weightsBefore = tf.tidy(() => head.apply(example.x).weights.reshape([T, T]));
const accBefore = accuracy(test.x, test.target);
assertAlmostEquals(accBefore, 1 / T, 0.05); // self-attention: right only when the token is the max
console.log(`accuracy before training: ${accBefore.toFixed(3)} (1/8 = 0.125)`);
'''),
    code(r'''
const headSteps = SMOKE ? 60 : 600;
const optimizer = tf.train.adam(0.03);
const headRng = new Rng(1);
const headLosses: number[] = [];
const numTensorsBefore = tf.memory().numTensors;
for (let step = 0; step < headSteps; step++) {
  const batch = maxTask(headRng, 64);
  const loss = optimizer.minimize(() => headLoss(batch.x, batch.target), true, [head.wq, head.wk, head.wv])!;
  headLosses.push(loss.dataSync()[0]);
  tf.dispose([loss, batch.x, batch.target]);
}
assert(tf.memory().numTensors - numTensorsBefore < 20, "the training loop leaks tensors");
const accAfter = accuracy(test.x, test.target);
console.log(`accuracy after ${headSteps} steps: ${accAfter.toFixed(3)}`);
if (!SMOKE) assert(accAfter > 0.9, `the head should learn the task, got accuracy ${accAfter}`);
plot({
  data: [{ y: headLosses, name: "training loss", mode: "lines" }],
  layout: { title: "Attention head on 'output the largest token'", xaxis: { title: "step" }, yaxis: { title: "cross-entropy" } },
})
'''),
    code(r'''
const weightsAfter = tf.tidy(() => head.apply(example.x).weights.reshape([T, T]));
const labels = example.ids[0].map(String);
const largest = String(Math.max(...example.ids[0]));
const queryAxis = { title: "query", autorange: "reversed", type: "category" };
const heatmap = (w: tf.Tensor, when: string) => plot({
  data: [{ type: "heatmap", z: w.arraySync() as number[][], x: labels, y: labels, colorscale: "Viridis", zmin: 0, zmax: 1 }],
  layout: {
    title: `Attention weights ${when} training (largest token: ${largest})`,
    xaxis: { title: "key", type: "category" }, yaxis: queryAxis, width: 520, height: 460,
  },
});
await display(heatmap(weightsBefore, "before"));
heatmap(weightsAfter, "after")
'''),
    md(r'''
Before training each row is close to uniform (1/8), a little higher on the diagonal: the one-hot
self-match scores 1/√16 against 0 for the others. After training every row puts its weight on the
column of the largest token. The projections learned a key that measures size
and a query that asks for it, something no fixed one-hot lookup can express.
'''),
    md(r'''
## 8 · Tokenizing tiny Shakespeare: the notes' BPE

The notes fit Python's `bpe` package (`Encoder()`, vocabulary 8192) on tiny Shakespeare, one line
per sentence. `WordPieceBPE` is our rebuild of that package. Despite its name it does not learn
merges: it keeps the most frequent whole words (80% of the vocabulary, lowercased, split into
runs of letters or of punctuation) and, for every other word, spells it with the most frequent
single characters and character pairs (20%) between `__sow` and `__eow`. Real byte-pair encoding,
which learns merges one at a time, is `ByteBPE` (notebook 02 shows its merges).
'''),
    code(r'''
const { text } = await loadCorpus("tinyshakespeare");
console.log(`${text.length.toLocaleString("en-US")} characters`);
console.log(text.slice(0, 300) + "...");
const encoder = new WordPieceBPE().fit(text.split("\n")); // defaults: vocabSize 8192, pctBpe 0.2
console.log(`vocabulary: ${encoder.vocabSize} ids = ${encoder.wordVocab.size} words + ${encoder.bpeVocab.size} sub-word pieces (slots: ${encoder.wordVocabSize} + ${encoder.bpeVocabSize})`);
assertEquals(encoder.vocabSize, encoder.wordVocab.size + encoder.bpeVocab.size);
encoder.bpeVocabView(100)
'''),
    md(r'''
The sub-word ids start at 6553 = ⌊0.8 × 8192⌋, as in the notes. The vocabulary has fewer than
8192 ids because tiny Shakespeare has fewer distinct characters and pairs than the 1639 sub-word
slots. One line encoded and decoded:
'''),
    code(r'''
const line = "First Citizen: You are all resolved rather to die than to famish?";
const lineIds = encoder.encode(line);
const decodedLine = encoder.decode(lineIds);
console.log("tokens :", encoder.tokenize(line).join(" | "));
console.log("ids    :", lineIds.join(" "));
console.log("decoded:", decodedLine);
const rare = "Coriolanus grumbled unpeaceably";
console.log("rare   :", encoder.tokenize(rare).join(" | "), "->", encoder.decode(encoder.encode(rare)));
assertEquals(decodedLine.replaceAll(" ", ""), line.toLowerCase().replaceAll(" ", ""));
'''),
    md(r'''
Decoding gives the words back lowercased and with a space around punctuation: the tokenizer
throws away case and spacing. A rare word becomes pieces between `__sow` and `__eow`.

**Vocabulary size against sequence length.** A bigger vocabulary means fewer, longer tokens.
We tokenize the whole corpus with characters, whitespace-separated words, `WordPieceBPE` and
`ByteBPE` at several vocabulary sizes:
'''),
    code(r'''
const corpusForSizes = SMOKE ? text.slice(0, 100_000) : text;
const lines = corpusForSizes.split("\n");
const sizes = SMOKE ? [512, 2048] : [256, 512, 1024, 2048, 4096, 8192];
const charTok = CharTokenizer.fromText(corpusForSizes);
const wordTok = WordTokenizer.fromText(corpusForSizes);
const points = {
  char: { vocab: charTok.vocabSize, tokens: charTok.encode(corpusForSizes).length },
  word: { vocab: wordTok.vocabSize, tokens: wordTok.encode(corpusForSizes).length },
  wordPiece: sizes.map((v) => {
    const t = new WordPieceBPE({ vocabSize: v }).fit(lines);
    return { vocab: t.vocabSize, tokens: lines.reduce((n, l) => n + t.encode(l).length, 0) };
  }),
  byteBpe: sizes.map((v) => {
    const t = ByteBPE.train(corpusForSizes, v);
    return { vocab: t.vocabSize, tokens: t.encode(corpusForSizes).length };
  }),
};
assertEquals(points.char.tokens, [...corpusForSizes].length);
markdown([
  "| tokenizer | vocabulary | tokens | characters per token |",
  "|---|---:|---:|---:|",
  ...([["char", points.char], ["word", points.word],
    ...points.wordPiece.map((p) => ["WordPieceBPE", p]),
    ...points.byteBpe.map((p) => ["ByteBPE", p])] as [string, { vocab: number; tokens: number }][])
    .map(([n, p]) => `| ${n} | ${p.vocab} | ${p.tokens.toLocaleString("en-US")} | ${(corpusForSizes.length / p.tokens).toFixed(2)} |`),
].join("\n"))
'''),
    code(r'''
plot({
  data: [
    { x: [points.char.vocab], y: [points.char.tokens], name: "characters", mode: "markers", marker: { size: 12 } },
    { x: [points.word.vocab], y: [points.word.tokens], name: "words (whitespace)", mode: "markers", marker: { size: 12 } },
    { x: points.wordPiece.map((p) => p.vocab), y: points.wordPiece.map((p) => p.tokens), name: "WordPieceBPE (notes)", mode: "lines+markers" },
    { x: points.byteBpe.map((p) => p.vocab), y: points.byteBpe.map((p) => p.tokens), name: "ByteBPE", mode: "lines+markers" },
  ],
  layout: {
    title: "Tokens needed for tiny Shakespeare against vocabulary size",
    xaxis: { title: "vocabulary size", type: "log" },
    yaxis: { title: "tokens in the corpus", type: "log" },
  },
})
'''),
    md(r'''
`WordPieceBPE` is below `ByteBPE` at the same size partly because it discards spaces, newlines and
case, which `ByteBPE` keeps (it is lossless). Whitespace words need the fewest tokens but the
largest vocabulary, and any unseen word is unknown.

## 9 · The small GPT of the notes, trained

The notes list the hyperparameters of a small GPT and stop before training it: learning rate
3e-4, batch 64, 5000 iterations, evaluation every 200 iterations over 100 batches, context 16,
width 32, 2 heads, 2 layers, feed-forward 4× wider, dropout 0, vocabulary at most 256. Their
comment "10.788929 M parameters" belongs to a larger model; this one has about 28 thousand.

**Tokenizer.** The 256 limit rules out the notes' BPE (7045 ids). `WordPieceBPE` at 256 ids
would keep 204 words and 52 pieces, so most words would be spelt letter by letter between
markers while case, spaces and newlines are lost. Characters fit the limit with 65 ids, lose
nothing, and every id is seen often; we use `CharTokenizer`.

**Model.** `GPT` from `lib/models` with the preset `notes-small` is the GPT-2 layout (pre-LayerNorm
blocks, GELU, LM head tied to the token embedding), where the notes' code (Karpathy's lecture
model) uses ReLU and a separate output layer; the sizes are the notes'. The notes do not name an
optimizer: we use AdamW at a constant 3e-4 with PyTorch's default weight decay 0.01 and clip
gradients at norm 1.
'''),
    code(r'''
const small = new WordPieceBPE({ vocabSize: 256 });
assertEquals([encoder.vocabSize, small.wordVocabSize, small.bpeVocabSize], [7045, 204, 52]); // the numbers quoted above
const chars = CharTokenizer.fromText(text);
const data = Int32Array.from(chars.encode(text));
const { train, val } = splitTrainVal(data, 0.1);
const config = gptConfig("notes-small", { vocabSize: chars.vocabSize });
const model = new GPT(config, { seed: 1337 });
// By hand: token and position tables, 2 blocks of 12·C² weights + 13·C biases/gains, final LayerNorm.
const C = 32, byHandParams = 65 * C + 16 * C + 2 * (12 * C * C + 13 * C) + 2 * C;
assertEquals(chars.vocabSize, 65);
assertEquals(countParams(config), byHandParams);
assertEquals(model.numParams(), byHandParams);
console.log(`vocabulary ${chars.vocabSize}, train ${train.length.toLocaleString("en-US")} tokens, val ${val.length.toLocaleString("en-US")}`);
console.log(`parameters: ${model.numParams().toLocaleString("en-US")}`, config);
'''),
    md(r'''
Two reference points for the loss: a model that knows nothing scores `ln 65 = 4.17`; a bigram
table (next character from the current one, counted on the training split, add-one smoothing)
scores the value below on the validation split. The GPT sees 16 characters of context and should
beat it.
'''),
    code(r'''
const counts = Array.from({ length: 65 }, () => new Float64Array(65).fill(1));
for (let i = 0; i + 1 < train.length; i++) counts[train[i]][train[i + 1]]++;
let nll = 0;
for (let i = 0; i + 1 < val.length; i++) {
  const row = counts[val[i]];
  nll -= Math.log(row[val[i + 1]] / row.reduce((a, b) => a + b, 0));
}
const bigramVal = nll / (val.length - 1);
console.log(`uniform: ${Math.log(65).toFixed(3)}   bigram (val): ${bigramVal.toFixed(3)}`);
'''),
    code(r'''
const trainConfig = {
  maxIters: SMOKE ? 40 : 5000,
  evalInterval: SMOKE ? 20 : 200,
  evalIters: SMOKE ? 5 : 100,
  batchSize: 64,
  blockSize: 16,
  lr: 3e-4,
  minLr: 3e-4, // constant: the notes have no schedule
  warmupIters: 0,
  lrDecayIters: SMOKE ? 40 : 5000,
  weightDecay: 0.01,
  gradClip: 1.0,
  seed: 1337,
};
console.log("run:", trainConfig);
const live = new LivePlot();
const lossFigure = (h: { step: number; trainLoss: number; valLoss: number }[]) => ({
  data: [
    { x: h.map((r) => r.step), y: h.map((r) => r.trainLoss), name: "train", mode: "lines+markers" },
    { x: h.map((r) => r.step), y: h.map((r) => r.valLoss), name: "val", mode: "lines+markers" },
    { x: [0, trainConfig.maxIters], y: [bigramVal, bigramVal], name: "bigram (val)", mode: "lines", line: { dash: "dot" } },
  ],
  layout: { title: "notes-small GPT on tiny Shakespeare (characters)", xaxis: { title: "iteration" }, yaxis: { title: "cross-entropy" } },
});
const bar = new ProgressBar(trainConfig.maxIters, { label: "train" });
const trainer = new Trainer({
  model, train, val, config: trainConfig,
  onProgress: (p) => p.finished ? bar.finish(p.fields) : bar.update(p.done, p.fields),
  onEval: async (e) => await live.update(lossFigure([...e.history])),
});
const result = await trainer.run();
const last = result.last!;
console.log(`${result.step} iterations in ${result.seconds.toFixed(0)} s: train ${last.trainLoss.toFixed(3)}, val ${last.valLoss.toFixed(3)}`);
assert(last.valLoss < Math.log(65), "the model did not learn anything");
if (!SMOKE) assert(last.valLoss < bigramVal, "the GPT should beat the bigram table");
await new Promise((r) => setTimeout(r, 0)); // yield once so the kernel sends the last plot update before the cell ends
'''),
    md(r'''
The plot above was redrawn at every evaluation. Samples: `generateText` from `lib/sample`
continues a prompt one character at a time, each drawn from the softmax of the logits
(temperature 1), with the context cropped to the model's last 16 characters.
'''),
    code(r'''
const samples = ["ROMEO:\n", "First Citizen:\n"].map((prompt, i) =>
  prompt + generateText(model, chars, prompt, { maxNewTokens: SMOKE ? 40 : 300, temperature: 1, seed: i + 1 })
);
console.log(samples.join("\n\n--------\n\n"));
'''),
    md(r'''
## What each section produced

Generated from the values computed above.
'''),
    code(r'''
const r4 = (x: number) => x.toFixed(3);
const byteBpeLast = points.byteBpe.at(-1)!, wordPieceLast = points.wordPiece.at(-1)!;
markdown([
  "| section | figure | result |",
  "|---|---|---|",
  `| 1 · literal translator | translation, error | "${literal}"; "tables" raises: ${failure} |`,
  `| 2 · closest key | table of Levenshtein distances | tables → ${findClosestKey("tables")} (distance ${distance("tables", "table")}); sur → ${findClosestKey("sur")}, so "${fuzzy.sur}" |`,
  `| 3 · vocabularies | one-hot matrices (LaTeX) | ${vocabIn.length} input and ${vocabOut.length} output tokens |`,
  `| 4 · dictionary as matrices | K, V, q·Kᵀ·V step by step (LaTeX) | q·Kᵀ for "sous" = [${Array.from(qK.dataSync()).join(", ")}]; matrix translator: "${viaMatrices}" |`,
  `| 5 · softmax and 1/√d | softmax weights (LaTeX); table and plot of the largest weight against d | match weight ${r4(soft.dataSync()[3])}; "tables" ${r4(wTables.dataSync()[5])}; at d = ${rows.at(-1)!.d}: std(q·k) ${rows.at(-1)!.std.toFixed(1)}, largest weight ${r4(rows.at(-1)!.maxRaw)} raw vs ${r4(rows.at(-1)!.maxScaled)} scaled |`,
  `| 6 · Q matrix | Q and attention weights (LaTeX); dim-0 table | matrix = loop = lib (max difference ${maxDiff(byHand, byLoop)}); unscaled "${translations.unscaled}", scaled "${translations.scaled}"; dim-0 self weight ${dim0.map((r) => r4(r.overQueries)).join(" → ")} as "la" repeats |`,
  `| 7 · attention head | loss curve; heatmaps before and after | accuracy ${r4(accBefore)} → ${r4(accAfter)} after ${headSteps} steps |`,
  `| 8 · BPE | first 100 sub-words; a line encoded/decoded; table and plot of tokens against vocabulary | notes' BPE: ${encoder.vocabSize} ids, ${wordPieceLast.tokens.toLocaleString("en-US")} tokens; ByteBPE ${byteBpeLast.vocab}: ${byteBpeLast.tokens.toLocaleString("en-US")}; characters ${points.char.tokens.toLocaleString("en-US")}; words ${points.word.tokens.toLocaleString("en-US")} |`,
  `| 9 · the notes' GPT | live train/val loss plot; two samples | ${model.numParams().toLocaleString("en-US")} parameters, ${result.step} iterations in ${result.seconds.toFixed(0)} s: train ${r4(last.trainLoss)}, val ${r4(last.valLoss)} (bigram table ${r4(bigramVal)}, uniform ${r4(Math.log(65))}) |`,
].join("\n"))
'''),
]

nb(cells, "notebooks/01_llms_from_dummies.ipynb")
