"""Generates notebooks/02_zero_to_llm.ipynb (run from the repository root:
`python3 scripts/notebooks/02_zero_to_llm.py`), then `deno task notebooks 02` fills the outputs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbgen import code, md, nb  # noqa: E402

cells = [
    md(r'''
# 02 · Zero to LLM: the questions, answered by experiment

The notes "ZeroToLLM" are a learner's questions: why text is split the way it is, what the
difference between encoding and embedding is, how many dimensions a token vector has, how the
next token is predicted, what attention focuses on, and whether one RTX 2080 can pretrain a model.
Each section below answers one of them with a measurement on tiny Shakespeare or a small GPT
trained here.

One correction first. The diagram the notes work from is the encoder-decoder Transformer of
"Attention Is All You Need" (a translator: the left half reads the source sentence, the right half
writes the translation). GPT-style LLMs keep only the right half, without its cross-attention:
a decoder-only stack that reads the text so far and predicts the next token. There is no separate
"encoding layer" and "embedding layer" either: the tokenizer turns text into integer ids (no
learning involved), and one embedding table turns each id into a learned vector (section 2).
'''),
    code(r'''
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { display, isSmoke, LivePlot, markdown, plot, ProgressBar, show } from "../lib/notebook/mod.ts";
import { ByteBPE, CharTokenizer, GPT2_PATTERN, learnByteMerges, loadGPT2, splitChunks, WordTokenizer } from "../lib/tokenizers/mod.ts";
import { countParams, GPT, gptConfig } from "../lib/models/gpt.ts";
import { gelu, layerNorm } from "../lib/models/layers.ts";
import { causalMask, scaledDotProductAttention } from "../lib/attention/mod.ts";
import { Trainer } from "../lib/train/mod.ts";
import { generateText, samplingDistribution } from "../lib/sample/mod.ts";
import { loadCorpus, splitTrainVal } from "../lib/data/mod.ts";
import { DEVICES, flopsPerToken, modelPresets, planRun, trainingMemory } from "../lib/compute/mod.ts";

const backend = await initBackend();
const SMOKE = isSmoke();

const { text } = await loadCorpus("tinyshakespeare");
const cut = Math.floor(text.length * 0.9); // the same cut splitTrainVal makes on the ids below
const trainStr = text.slice(0, cut), valStr = text.slice(cut);
console.log(`smoke mode: ${SMOKE}; tiny Shakespeare: ${text.length.toLocaleString("en-US")} characters`);
'''),
    md(r'''
## 1 · Why split text, and by what logic?

A model reads a sequence of ids from a fixed vocabulary. Two costs pull in opposite directions:

* **a small vocabulary** (characters) makes sequences long: a fixed context window covers less
  text, and attention costs grow with the square of the length;
* **a large vocabulary** (whole words) makes sequences short but needs a row in the embedding
  table and a column in the output layer per word, most words are rare (little training signal
  each), and any word missing from the vocabulary cannot be represented at all.

We measure both sides on tiny Shakespeare: tokens per character, vocabulary size, and the share
of validation words a word vocabulary built on the training split has never seen.
'''),
    code(r'''
const corpus = SMOKE ? text.slice(0, 200_000) : text;
const charTok = CharTokenizer.fromText(corpus);
const wordTok = WordTokenizer.fromText(trainStr);
const valWords = valStr.split(/\s+/).filter(Boolean);
const unknownShare = valWords.filter((w) => wordTok.encode(w)[0] === 0).length / valWords.length;
const bpeSizes = SMOKE ? [512, 1024] : [256, 512, 1024, 2048, 4096, 8192];
const gpt2 = loadGPT2();
type Row = { name: string; vocab: number; tokens: number };
const sizeRows: Row[] = [
  { name: "characters", vocab: charTok.vocabSize, tokens: charTok.encode(corpus).length },
  { name: "words (whitespace)", vocab: WordTokenizer.fromText(corpus).vocabSize, tokens: corpus.split(/\s+/).filter(Boolean).length },
  ...bpeSizes.map((v) => {
    const t = ByteBPE.train(corpus, v);
    return { name: `ByteBPE ${v}`, vocab: t.vocabSize, tokens: t.encode(corpus).length };
  }),
  { name: "GPT-2's BPE", vocab: gpt2.vocabSize, tokens: gpt2.encode(corpus).length },
];
assertEquals(sizeRows[0].tokens, [...corpus].length);
console.log(`validation words unknown to a word vocabulary built on the training split: ${(100 * unknownShare).toFixed(1)}% (${wordTok.vocabSize.toLocaleString("en-US")} words)`);
markdown([
  "| tokenizer | vocabulary | tokens | characters per token | embedding table at width 768 |",
  "|---|---:|---:|---:|---:|",
  ...sizeRows.map((r) => `| ${r.name} | ${r.vocab.toLocaleString("en-US")} | ${r.tokens.toLocaleString("en-US")} | ${(corpus.length / r.tokens).toFixed(2)} | ${(r.vocab * 768 / 1e6).toFixed(2)} M |`),
].join("\n"))
'''),
    code(r'''
plot({
  data: [
    ...sizeRows.filter((r) => !r.name.startsWith("ByteBPE")).map((r) => ({
      x: [r.vocab], y: [r.tokens], name: r.name, mode: "markers", marker: { size: 12 },
    })),
    {
      x: sizeRows.filter((r) => r.name.startsWith("ByteBPE")).map((r) => r.vocab),
      y: sizeRows.filter((r) => r.name.startsWith("ByteBPE")).map((r) => r.tokens),
      name: "ByteBPE trained here", mode: "lines+markers",
    },
  ],
  layout: {
    title: "Sequence length against vocabulary size (tiny Shakespeare)",
    xaxis: { title: "vocabulary size", type: "log" },
    yaxis: { title: "tokens for the corpus", type: "log" },
  },
})
'''),
    md(r'''
Each doubling of the BPE vocabulary buys less (printed below): the first merges take the most
frequent pairs, the later ones rarer and rarer strings. GPT-2's tokenizer was learned on web text,
not on Shakespeare; the table shows how its 50,257 tokens compare with vocabularies learned on this
corpus.

'''),
    code(r'''
const bpeRows = sizeRows.filter((r) => r.name.startsWith("ByteBPE"));
for (let i = 1; i < bpeRows.length; i++) {
  const saved = 1 - bpeRows[i].tokens / bpeRows[i - 1].tokens;
  console.log(`${bpeRows[i - 1].vocab} -> ${bpeRows[i].vocab} ids: ${(100 * saved).toFixed(1)}% fewer tokens`);
}
'''),
    md(r'''
**By what logic? Frequency.** Byte-pair encoding starts from single bytes and repeatedly merges
the most frequent adjacent pair into a new token. Text is first cut into chunks with GPT-2's
regular expression (a word with its leading space, a run of punctuation...), and pairs never cross
a chunk boundary. The loop below is the textbook algorithm, run by hand on the first 20,000
characters; it records the count that made each pair win. The library's `learnByteMerges`, which
does the same with incremental counts and a heap, must find the same merges.
'''),
    code(r'''
const sample = text.slice(0, 20_000);
const chunkCounts = new Map<string, number>();
for (const c of splitChunks(sample, GPT2_PATTERN)) chunkCounts.set(c, (chunkCounts.get(c) ?? 0) + 1);
const utf8 = new TextEncoder();
const pieces = new Map<number, Uint8Array>(Array.from({ length: 256 }, (_, b) => [b, Uint8Array.of(b)]));
const piece = (id: number) => JSON.stringify(new TextDecoder().decode(pieces.get(id)!)).slice(1, -1).replaceAll(" ", "␣");
let words = [...chunkCounts].map(([c, n]) => ({ ids: [...utf8.encode(c)], n }));
const history: { step: number; left: string; right: string; count: number; token: string; tokens: number; removed: number }[] = [];
const nMerges = 12;
for (let step = 0; step < nMerges; step++) {
  const counts = new Map<string, number>();
  for (const { ids, n } of words) {
    for (let i = 0; i + 1 < ids.length; i++) {
      const key = `${ids[i]},${ids[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + n);
    }
  }
  // Most frequent pair; ties go to the smallest (left, right) ids, as in the library.
  let best = "", bestCount = -1;
  for (const [key, n] of counts) {
    const [a, b] = key.split(",").map(Number), [ba, bb] = best ? best.split(",").map(Number) : [Infinity, Infinity];
    if (n > bestCount || (n === bestCount && (a < ba || (a === ba && b < bb)))) [best, bestCount] = [key, n];
  }
  const [a, b] = best.split(",").map(Number), id = 256 + step;
  pieces.set(id, new Uint8Array([...pieces.get(a)!, ...pieces.get(b)!]));
  words = words.map(({ ids, n }) => {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(id); i++; } else out.push(ids[i]);
    }
    return { ids: out, n };
  });
  const tokens = words.reduce((s, w) => s + w.ids.length * w.n, 0);
  history.push({ step: step + 1, left: piece(a), right: piece(b), count: bestCount, token: piece(id), tokens, removed: (history.at(-1)?.tokens ?? utf8.encode(sample).length) - tokens });
}
const libMerges = learnByteMerges(chunkCounts, nMerges);
assertEquals(libMerges.map(([a, b]) => [piece(a), piece(b)]), history.map((h) => [h.left, h.right]));
markdown([
  `Bytes in the sample: ${utf8.encode(sample).length.toLocaleString("en-US")}.`,
  "",
  "| merge | left | right | pair count | new token | tokens removed | tokens in the sample after it |",
  "|---:|---|---|---:|---|---:|---:|",
  ...history.map((h) => `| ${h.step} | \`${h.left}\` | \`${h.right}\` | ${h.count} | \`${h.token}\` | ${h.removed} | ${h.tokens.toLocaleString("en-US")} |`),
].join("\n"))
'''),
    md(r'''
A merge removes one token per occurrence it replaces: its pair count, less overlapping
occurrences (in "eee" the pair "ee" is counted twice but replaced once). Trained longer, the same loop builds
whole frequent words; one line of the corpus after 0, 50, 200 and 1000 merges (learned on the
whole corpus; `|` separates tokens):
'''),
    code(r'''
const line = "First Citizen:\nWe are accounted poor citizens, the patricians good.";
for (const merges of SMOKE ? [0, 50] : [0, 50, 200, 1000]) {
  const bpe = ByteBPE.train(corpus, 256 + merges);
  const ids = bpe.encode(line);
  assertEquals(bpe.decode(ids), line); // byte-level BPE is lossless
  console.log(`${String(merges).padStart(4)} merges, ${String(ids.length).padStart(2)} tokens: ${ids.map((i) => bpe.decode([i]).replaceAll("\n", "⏎")).join("|")}`);
}
'''),
    md(r'''
## 2 · Encoding versus embedding

* **Encoding** (tokenization) maps text to integer ids with a fixed table. Nothing is learned
  while the model trains, and the ids carry no meaning: id 40 is not "closer" to 41 than to 7.
* **Embedding** maps each id to a vector of `nEmbd` learned numbers: row `id` of a matrix `E`
  (vocabulary × width). Formally it is the one-hot vector of the id times `E`; in practice the
  product is replaced by reading the row, which is the same thing without the multiplications
  by zero.

We train the character-level GPT used in the rest of this notebook (3 layers, 4 heads, width 64,
context 64 characters), then check that `oneHot(ids)·E` equals the lookup `E[ids]` for its
trained embedding. AdamW with a cosine schedule from 1e-3; the run is sized to take a few minutes
on this machine.
'''),
    code(r'''
const chars = CharTokenizer.fromText(text);
const data = Int32Array.from(chars.encode(text));
const { train, val } = splitTrainVal(data, 0.1);
const config = gptConfig("baby", { vocabSize: chars.vocabSize, nLayer: 3, nHead: 4, nEmbd: 64 });
const model = new GPT(config, { seed: 7 });
const E0 = (await model.params.get("transformer.wte.weight")!.array()) as number[][]; // the untrained embedding
const iters = SMOKE ? 30 : 1200;
const trainConfig = {
  maxIters: iters, batchSize: 16, blockSize: 64, lr: 1e-3, minLr: 1e-4, warmupIters: SMOKE ? 5 : 100,
  lrDecayIters: iters, evalInterval: SMOKE ? 15 : 250, evalIters: SMOKE ? 3 : 40, weightDecay: 0.1, seed: 42,
};
console.log("model:", config, `${model.numParams().toLocaleString("en-US")} parameters`);
console.log("run:", trainConfig);
const live = new LivePlot();
const stepMs: number[] = [];
const bar = new ProgressBar(trainConfig.maxIters, { label: "train" });
const result = await new Trainer({
  model, train, val, config: trainConfig,
  onProgress: (p) => p.finished ? bar.finish(p.fields) : bar.update(p.done, p.fields),
  onStep: (e) => { stepMs.push(e.ms); },
  onEval: async (e) => await live.update({
    data: [
      { x: e.history.map((r) => r.step), y: e.history.map((r) => r.trainLoss), name: "train", mode: "lines+markers" },
      { x: e.history.map((r) => r.step), y: e.history.map((r) => r.valLoss), name: "val", mode: "lines+markers" },
    ],
    layout: { title: "Character GPT (3 layers, width 64) on tiny Shakespeare", xaxis: { title: "iteration" }, yaxis: { title: "cross-entropy" } },
  }),
}).run();
const sortedMs = stepMs.slice(Math.min(10, stepMs.length - 1)).sort((a, b) => a - b);
const msPerStep = sortedMs[Math.floor(sortedMs.length / 2)];
const tokPerSecHere = (trainConfig.batchSize * trainConfig.blockSize) / (msPerStep / 1000);
console.log(`${result.step} steps in ${result.seconds.toFixed(0)} s; val loss ${result.last!.valLoss.toFixed(3)}; median ${msPerStep.toFixed(0)} ms/step = ${tokPerSecHere.toFixed(0)} tokens/s on ${backend.name}`);
assert(result.last!.valLoss < Math.log(65));
await new Promise((r) => setTimeout(r, 0)); // yield once so the kernel sends the last plot update before the cell ends
'''),
    code(r'''
assertEquals(valStr.length, val.length);
const E = model.params.get("transformer.wte.weight")!; // (65, 64)
const ids = chars.encode("To be");
const viaProduct = tf.matMul(tf.oneHot(tf.tensor1d(ids, "int32"), chars.vocabSize).toFloat(), E); // (5, 65)·(65, 64)
const viaLookup = tf.gather(E, tf.tensor1d(ids, "int32")); // (5, 64)
const gap = tf.max(tf.abs(tf.sub(viaProduct, viaLookup))).dataSync()[0];
assert(gap < 1e-6, `one-hot product and lookup differ by ${gap}`);
console.log(`ids ${JSON.stringify(ids)}: max |oneHot·E − E[ids]| = ${gap}`);
console.log(`"T" as a vector (first 8 of ${config.nEmbd} numbers): ${Array.from(viaLookup.slice([0, 0], [1, 8]).dataSync(), (x) => x.toFixed(3)).join(", ")}`);
'''),
    md(r'''
**What does the embedding learn?** Nothing tells it what a character means. The loss only rewards
predicting the next character, and the gradient moves each row wherever that helps. Characters
that play the same role (they are followed by similar characters and predicted in similar
contexts) receive similar updates and drift together. This model also ties the output layer to
`E`: the logit of a candidate next character is the dot product of the final hidden state with
that character's row, so characters that are interchangeable as predictions must have similar rows
too. Section 3 looks at where the rows ended up.

## 3 · How many dimensions? A map of the token vectors

Each token here is a point in 64 dimensions (`nEmbd`); GPT-2 small uses 768, GPT-3 12,288. There is
nothing special about 2 or 3: the width is a hyperparameter traded against compute. To look at the
64-dimensional points we project them on the directions of largest variance (principal component
analysis, computed below by power iteration on the covariance matrix) and check the decomposition.
'''),
    code(r'''
/** Principal components of the rows of `X` by power iteration with deflation. */
function pca(X: number[][], k: number): { scores: number[][]; components: number[][]; explained: number[]; residuals: number[] } {
  const n = X.length, d = X[0].length;
  const mean = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[j], 0) / n);
  const Xc = X.map((r) => r.map((v, j) => v - mean[j]));
  const cov = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => Xc.reduce((s, r) => s + r[i] * r[j], 0) / (n - 1)));
  const total = cov.reduce((s, r, i) => s + r[i], 0);
  const components: number[][] = [], values: number[] = [];
  for (let c = 0; c < k; c++) {
    let v = Array.from({ length: d }, (_, i) => Math.sin(i + 1 + c));
    for (let it = 0; it < 1000; it++) {
      const w = cov.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      for (const u of components) { const p = w.reduce((s, x, j) => s + x * u[j], 0); for (let j = 0; j < d; j++) w[j] -= p * u[j]; }
      const norm = Math.hypot(...w);
      v = w.map((x) => x / norm);
    }
    components.push(v);
    values.push(v.reduce((s, x, i) => s + x * cov[i].reduce((t, y, j) => t + y * v[j], 0), 0));
  }
  const scores = Xc.map((r) => components.map((u) => r.reduce((s, x, j) => s + x * u[j], 0)));
  const residuals = components.map((u, c) => Math.hypot(...cov.map((row, i) => row.reduce((s, x, j) => s + x * u[j], 0) - values[c] * u[i])) / values[c]);
  return { scores, components, explained: values.map((v) => v / total), residuals };
}

const Etrained = (await E.array()) as number[][];
const map3 = pca(Etrained, 3);
// Checks: orthonormal directions, and the variance of each coordinate is its eigenvalue.
for (let a = 0; a < 3; a++) {
  for (let b = 0; b < 3; b++) {
    const dot = map3.components[a].reduce((s, x, j) => s + x * map3.components[b][j], 0);
    assertAlmostEquals(dot, a === b ? 1 : 0, 1e-6);
  }
}
assert(map3.explained[0] >= map3.explained[1] && map3.explained[1] >= map3.explained[2]);
console.log(`eigenvector residuals |Σv − λv| / λ: ${map3.residuals.map((r) => r.toExponential(1)).join(", ")}`);
for (const r of map3.residuals) assert(r < 1e-3, "power iteration did not converge");
const label = (c: string) => c === "\n" ? "⏎" : c === " " ? "␣" : c;
const kind = (c: string) =>
  /[aeiou]/.test(c) ? "vowel" : /[a-z]/.test(c) ? "consonant" : /[AEIOU]/.test(c) ? "VOWEL (upper case)"
  : /[A-Z]/.test(c) ? "CONSONANT (upper case)" : /\s/.test(c) ? "space or newline" : "punctuation, digit";
const kinds = [...new Set(chars.chars.map(kind))];
console.log(`share of variance on the first 3 directions: ${map3.explained.map((e) => (100 * e).toFixed(1) + "%").join(", ")}`);
plot({
  data: kinds.map((k) => {
    const idx = chars.chars.map((c, i) => [c, i] as const).filter(([c]) => kind(c) === k).map(([, i]) => i);
    return { x: idx.map((i) => map3.scores[i][0]), y: idx.map((i) => map3.scores[i][1]), text: idx.map((i) => label(chars.chars[i])), mode: "text+markers", textposition: "top center", name: k };
  }),
  layout: { title: "Character embeddings, first two principal components", xaxis: { title: "PC 1" }, yaxis: { title: "PC 2" }, height: 600 },
})
'''),
    code(r'''
plot({
  data: kinds.map((k) => {
    const idx = chars.chars.map((c, i) => [c, i] as const).filter(([c]) => kind(c) === k).map(([, i]) => i);
    return {
      type: "scatter3d", mode: "text+markers", name: k, marker: { size: 4 },
      x: idx.map((i) => map3.scores[i][0]), y: idx.map((i) => map3.scores[i][1]), z: idx.map((i) => map3.scores[i][2]),
      text: idx.map((i) => label(chars.chars[i])),
    };
  }),
  layout: { title: "Character embeddings in 3-D (drag to rotate)", height: 650 },
})
'''),
    md(r'''
**What clusters appear?** Rather than read them off the picture (two or three directions keep only
part of the variance), we measure in all 64 dimensions: the mean cosine similarity between
characters of the same kind and of different kinds, for the trained embedding and for the same
matrix before training; then the nearest neighbours of a few characters.
'''),
    code(r'''
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));
function kindSimilarity(M: number[][]): { kind: string; within: number; between: number }[] {
  return kinds.map((k) => {
    let w = 0, nw = 0, b = 0, nb = 0;
    chars.chars.forEach((ci, i) => {
      if (kind(ci) !== k) return;
      chars.chars.forEach((cj, j) => {
        if (i === j) return;
        const s = cosine(M[i], M[j]);
        if (kind(cj) === k) { w += s; nw++; } else { b += s; nb++; }
      });
    });
    return { kind: k, within: w / Math.max(nw, 1), between: b / Math.max(nb, 1) };
  });
}
const before = kindSimilarity(E0), after = kindSimilarity(Etrained);
const neighbours = (c: string, n = 5) => {
  const i = chars.chars.indexOf(c);
  return chars.chars.map((cj, j) => ({ cj, s: cosine(Etrained[i], Etrained[j]) })).filter((_, j) => j !== i)
    .sort((a, b) => b.s - a.s).slice(0, n).map(({ cj, s }) => `${label(cj)} ${s.toFixed(2)}`).join(", ");
};
const caseMates = [..."abcdefghijklmnopqrstuvwxyz"].filter((c) => chars.chars.includes(c.toUpperCase()))
  .filter((c) => neighbours(c, 5).split(", ").some((e) => e.startsWith(c.toUpperCase() + " "))).length;
await display(markdown([
  "| kind | within, before training | between, before | within, after training | between, after |",
  "|---|---:|---:|---:|---:|",
  ...kinds.map((k, i) => `| ${k} | ${before[i].within.toFixed(3)} | ${before[i].between.toFixed(3)} | ${after[i].within.toFixed(3)} | ${after[i].between.toFixed(3)} |`),
].join("\n")));
console.log(`lower-case letters whose upper case is among their 5 nearest neighbours: ${caseMates} of 26`);
const grouped = kinds.filter((_, i) => after[i].within - after[i].between > 0.1);
console.log(`kinds at least 0.1 more similar to each other than to the rest after training: ${grouped.join("; ") || "none"}`);
markdown([
  "| character | 5 nearest neighbours (cosine) |", "|---|---|",
  ...["a", "e", "o", "t", "s", "A", "T", ".", ",", "?", " ", "\n"].map((c) => `| \`${label(c)}\` | ${neighbours(c)} |`),
].join("\n"))
'''),
    md(r'''
Before training every similarity is near 0 (random vectors in 64 dimensions are nearly
orthogonal). In the full run (the committed outputs; smoke mode barely trains) the groups are
plain: the lower-case vowels are each other's nearest neighbours, sentence punctuation (`. ? ! ;`)
forms a tight cluster, and capitals sit with other capitals rather than with their own lower
case. What the model needs to predict the next character is a character's role (vowel,
consonant, start of a name, end of a sentence), not which letter it is, and that is what the
embedding encodes.

## 4 · How is the next token predicted?

The model turns the context into one vector per position; the last position's vector is
multiplied by every token's embedding to give one score (logit) per token. Then:

1. **softmax**: `p_i = exp(z_i) / Σ_j exp(z_j)` turns logits into probabilities;
2. **temperature** `τ`: dividing the logits by τ before the softmax sharpens (τ < 1) or flattens
   (τ > 1) the distribution;
3. **sampling**: draw the next token from `p` (or take the argmax, τ → 0), append it, repeat.

Training minimises the **cross-entropy** `−ln p(actual next token)`, averaged over positions. We
take a real passage from the validation text, which the model never trained on:
'''),
    code(r'''
const start = valStr.indexOf("\n\n") + 2;
const context = valStr.slice(start, start + 63);
const actual = valStr[start + 63];
const ctxIds = chars.encode(context);
const logits = tf.tidy(() => model.forward(tf.tensor2d([ctxIds], [1, ctxIds.length], "int32")).slice([0, ctxIds.length - 1, 0], [1, 1, -1]).reshape([-1]));
const z = Array.from(logits.dataSync());
const softmaxByHand = (t: number) => { const m = Math.max(...z); const e = z.map((v) => Math.exp((v - m) / t)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); };
const temps = [0.5, 1, 2];
const dists = temps.map((t) => {
  const lib = samplingDistribution(z, { temperature: t });
  const hand = softmaxByHand(t);
  hand.forEach((p, i) => assertAlmostEquals(lib[i], p, 1e-9));
  return hand;
});
const p1 = dists[1];
const crossEntropy = -Math.log(p1[chars.encode(actual)[0]]);
const entropy = (p: number[]) => -p.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
const top = p1.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p).slice(0, 12);
console.log(`context: ${JSON.stringify(context)}`);
console.log(`actual next character: ${JSON.stringify(actual)}, p = ${p1[chars.encode(actual)[0]].toFixed(3)}, cross-entropy −ln p = ${crossEntropy.toFixed(3)}`);
console.log(`entropy of the distribution at τ = ${temps.join(", ")}: ${dists.map((d) => entropy(d).toFixed(2)).join(", ")} nats (uniform: ${Math.log(65).toFixed(2)})`);
plot({
  data: temps.map((t, k) => ({ type: "bar", name: `τ = ${t}`, x: top.map(({ i }) => JSON.stringify(chars.chars[i]).slice(1, -1).replace(" ", "␣")), y: top.map(({ i }) => dists[k][i]) })),
  layout: { title: `Next character after "…${context.slice(-24).replaceAll("\n", "⏎")}" at three temperatures`, xaxis: { title: "candidate (12 most likely at τ = 1)" }, yaxis: { title: "probability" }, barmode: "group" },
})
'''),
    md(r'''
The loss the trainer reports is that same cross-entropy averaged over every position of a batch;
computing it by hand for all 63 positions of this passage gives the library's number:
'''),
    code(r'''
const seqIds = chars.encode(valStr.slice(start, start + 64));
const x = tf.tensor2d([seqIds.slice(0, 63)], [1, 63], "int32"), y = tf.tensor2d([seqIds.slice(1)], [1, 63], "int32");
const allLogits = (await model.forward(x).array())[0];
const byHandCE = allLogits.reduce((s, row, t) => {
  const m = Math.max(...row), lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return s + lse - row[seqIds[t + 1]];
}, 0) / 63;
const libCE = model.loss(x, y).dataSync()[0];
assertAlmostEquals(libCE, byHandCE, 1e-4);
console.log(`mean cross-entropy over the passage: by hand ${byHandCE.toFixed(4)}, model.loss ${libCE.toFixed(4)}`);
for (const t of [0.5, 1, 1.5]) {
  console.log(`\n--- τ = ${t} ---\n` + context + generateText(model, chars, context, { maxNewTokens: SMOKE ? 30 : 200, temperature: t, seed: 3 }));
}
'''),
    md(r'''
Low temperature keeps to the most likely fragments and repeats them; high temperature brings in
rare characters, capitals in mid-word and stray punctuation.

## 5 · What does attention focus on?

For one real line of the validation text we recompute the model's forward pass by hand from its
weights, keeping the attention weights `softmax(q·kᵀ/√d + causal mask)` of every head
(`scaledDotProductAttention` with `causalMask` from `lib/attention`), and check that the logits
match `model.forward`. Row *i* of a map is how position *i* spreads its attention over positions
0…*i* (later positions are masked).
'''),
    code(r'''
function forwardWithAttention(m: GPT, tokens: number[]): { logits: tf.Tensor2D; maps: number[][][][] } {
  const P = (n: string) => m.params.get(n)!;
  const T = tokens.length, { nLayer, nHead, nEmbd: C } = m.config, hs = C / nHead;
  const maps: number[][][][] = []; // [layer][head][query][key]
  const logits = tf.tidy(() => {
    let h = tf.add(tf.gather(P("transformer.wte.weight"), tf.tensor1d(tokens, "int32")), tf.slice(P("transformer.wpe.weight"), [0, 0], [T, C])) as tf.Tensor2D; // (T, C)
    for (let l = 0; l < nLayer; l++) {
      const p = `transformer.h.${l}`;
      const a = layerNorm(h, P(`${p}.ln_1.weight`), P(`${p}.ln_1.bias`));
      const qkv = tf.add(tf.matMul(a, P(`${p}.attn.c_attn.weight`)), P(`${p}.attn.c_attn.bias`)); // (T, 3C)
      const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [T, nHead, hs]), [1, 0, 2])); // (nh, T, hs)
      const { output, weights } = scaledDotProductAttention(q, k, v, { mask: causalMask(T) });
      maps.push(weights.arraySync() as number[][][]); // (nh, T, T)
      const merged = tf.reshape(tf.transpose(output, [1, 0, 2]), [T, C]);
      h = tf.add(h, tf.add(tf.matMul(merged, P(`${p}.attn.c_proj.weight`)), P(`${p}.attn.c_proj.bias`)));
      const b = layerNorm(h, P(`${p}.ln_2.weight`), P(`${p}.ln_2.bias`));
      const hid = gelu(tf.add(tf.matMul(b, P(`${p}.mlp.c_fc.weight`)), P(`${p}.mlp.c_fc.bias`)));
      h = tf.add(h, tf.add(tf.matMul(hid, P(`${p}.mlp.c_proj.weight`)), P(`${p}.mlp.c_proj.bias`)));
    }
    const f = layerNorm(h, P("transformer.ln_f.weight"), P("transformer.ln_f.bias"));
    return tf.matMul(f, P("transformer.wte.weight"), false, true) as tf.Tensor2D; // (T, V)
  });
  return { logits, maps };
}

const lineStart = valStr.indexOf("\n\n", start + 200) + 2; // the start of a speaker's turn
const sentence = valStr.slice(lineStart, lineStart + 64);
const sentIds = chars.encode(sentence);
const { logits: handLogits, maps } = forwardWithAttention(model, sentIds);
const libLogits = model.forward(tf.tensor2d([sentIds], [1, sentIds.length], "int32")).reshape([sentIds.length, -1]);
const forwardGap = tf.max(tf.abs(tf.sub(handLogits, libLogits))).dataSync()[0];
assert(forwardGap < 1e-3, `hand forward differs from model.forward by ${forwardGap}`);
console.log(`sentence: ${JSON.stringify(sentence)}; max |hand − model.forward| over all logits = ${forwardGap.toExponential(2)}`);
'''),
    md(r'''
Per head: the average weight a position gives to itself and to the character just before it, the
average distance it looks back (`Σ_j w_ij·(i − j)`), and the share of attention that lands on
spaces and newlines (word boundaries). Positions 0-7 are left out of the averages, since they can
only look at a handful of characters.
'''),
    code(r'''
const isSpace = sentence.split("").map((c) => /\s/.test(c));
const stats = maps.flatMap((layer, l) => layer.map((w, hIdx) => {
  let self = 0, prev = 0, dist = 0, space = 0, n = 0;
  for (let i = 8; i < w.length; i++) {
    self += w[i][i]; prev += w[i][i - 1]; n++;
    for (let j = 0; j <= i; j++) { dist += w[i][j] * (i - j); if (isSpace[j]) space += w[i][j]; }
  }
  return { layer: l, head: hIdx, self: self / n, prev: prev / n, dist: dist / n, space: space / n };
}));
const spaceShare = isSpace.filter(Boolean).length / isSpace.length;
await display(markdown([
  `Spaces and newlines are ${(100 * spaceShare).toFixed(0)}% of the characters of this line.`, "",
  "| layer | head | weight on itself | on the previous character | mean distance looked back | share on spaces/newlines |",
  "|---:|---:|---:|---:|---:|---:|",
  ...stats.map((s) => `| ${s.layer} | ${s.head} | ${s.self.toFixed(2)} | ${s.prev.toFixed(2)} | ${s.dist.toFixed(1)} | ${s.space.toFixed(2)} |`),
].join("\n")));
const local = stats.reduce((a, b) => (b.prev > a.prev ? b : a));
const far = stats.reduce((a, b) => (b.dist > a.dist ? b : a));
const ticks = sentence.split("").map((c, i) => `${i}:${label(c)}`);
// Axes as variables: the Figure type lists few axis fields, and plotly reads the rest.
const keyAxis = { title: "key (attended to)", type: "category", tickfont: { size: 8 } };
const queryAxis = { title: "query", type: "category", autorange: "reversed", tickfont: { size: 8 } };
const heat = (s: typeof local, why: string) => plot({
  data: [{ type: "heatmap", z: maps[s.layer][s.head], x: ticks, y: ticks, colorscale: "Viridis", zmin: 0, zmax: 1 }],
  layout: {
    title: `Layer ${s.layer}, head ${s.head} (${why})`, height: 620, width: 680,
    xaxis: keyAxis,
    yaxis: queryAxis,
  },
});
await display(heat(local, `largest weight on the previous character: ${local.prev.toFixed(2)}`));
heat(far, `looks furthest back: ${far.dist.toFixed(1)} characters on average`)
'''),
    md(r'''
In the full run no head is a sharp previous-character detector (the largest average weight on the
previous character is 0.17): attention spreads over the preceding dozen or so characters, and the
head that reaches furthest back puts about a third of its weight on spaces and newlines, which are
16% of the line: it reads word and line boundaries. The maps say where each head reads from, not
why: what it passes on is in its value vectors, which a heatmap does not show.

## 6 · Can I pretrain my own model on one RTX 2080?

`lib/compute` estimates, for a GPT of a given shape:

* **parameters** (exact, the same count as `countParams`);
* **memory for training**: fp32 weights, gradients and AdamW's two moments are 4 + 4 + 8 = 16
  bytes per parameter; activations kept for the backward pass scale with batch × context ×
  (16·width per layer + heads × context per layer + 2 × vocabulary for the logits);
* **FLOPs per token**: `6N` for the matrix products (2 forward, 4 backward, N = weights in
  matrix products) plus `12·layers·width·context` for the attention products;
* **time**: tokens × FLOPs per token ÷ (peak FLOP/s × utilization). A well-tuned single-GPU run
  sustains 30-50% of peak; we assume 40%.

The notes' GPU: RTX 2080, 8 GiB, 2944 cores at 1.71 GHz = 10.07 TFLOP/s fp32 (40.3 on its tensor
cores in mixed precision). Beside it, this machine as measured in section 2.
'''),
    code(r'''
const gpu = DEVICES.rtx2080;
const measuredFlops = tokPerSecHere * flopsPerToken(config, trainConfig.blockSize).total;
console.log(`this machine (${backend.name}, 2 shared cores): ${tokPerSecHere.toFixed(0)} tokens/s on the 3-layer model = ${(measuredFlops / 1e9).toFixed(2)} GFLOP/s achieved`);
console.log(`RTX 2080 at 40% of fp32 peak: ${(gpu.fp32Flops * 0.4 / 1e12).toFixed(2)} TFLOP/s, ${(gpu.fp32Flops * 0.4 / measuredFlops).toFixed(0)}× this machine`);
const shakespeareGpt2Tokens = gpt2.encode(text).length;
const fmtTime = (s: number) => s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(0)} min` : s < 2 * 86400 ? `${(s / 3600).toFixed(1)} h` : s < 730 * 86400 ? `${(s / 86400).toFixed(1)} days` : `${(s / 86400 / 365).toFixed(1)} years`;
const GiB = 2 ** 30;
const fmtBytes = (b: number) => b < GiB / 10 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / GiB).toFixed(2)} GiB`;
const presetRows = modelPresets().map((m) => {
  const charModel = m.config.vocabSize === chars.vocabSize;
  const epochTokens = charModel ? text.length : shakespeareGpt2Tokens;
  const chinchilla = 20 * countParams(m.config);
  const fp32 = planRun(m.config, gpu, { tokens: epochTokens });
  const mixed = planRun(m.config, gpu, { tokens: chinchilla, precision: "mixed" });
  const f = fp32.flopsPerToken;
  return {
    name: m.name, params: fp32.params, mem: trainingMemory(m.config, { batchSize: 1 }), maxBatch: fp32.maxBatch, maxBatchMixed: mixed.maxBatch,
    gflop: f / 1e9, tokS: fp32.tokensPerSecond, epochTokens, epoch: fp32.seconds,
    chinchilla, chinFp32: planRun(m.config, gpu, { tokens: chinchilla }).seconds, chinMixed: mixed.seconds,
    chinHere: chinchilla * f / measuredFlops, blockSize: m.config.blockSize,
  };
});
markdown([
  "| model | params | fp32 training memory at batch 1 (weights+grads+Adam / activations) | max batch in 8 GiB, fp32 / mixed | GFLOP per token | RTX 2080 tokens/s | one epoch of tiny Shakespeare | 20 tokens per parameter: RTX 2080 fp32 / mixed | same, this machine |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...presetRows.map((r) => `| ${r.name} | ${(r.params / 1e6).toFixed(2)} M | ${fmtBytes(r.mem.weights + r.mem.gradients + r.mem.optimizer)} + ${fmtBytes(r.mem.activations)} | ${r.maxBatch} / ${r.maxBatchMixed} (of ${r.blockSize} tokens) | ${r.gflop.toFixed(3)} | ${r.tokS.toFixed(0)} | ${fmtTime(r.epoch)} (${(r.epochTokens / 1e6).toFixed(2)} M tokens) | ${fmtTime(r.chinFp32)} / ${fmtTime(r.chinMixed)} | ${fmtTime(r.chinHere)} |`),
].join("\n"))
'''),
    code(r'''
plot({
  data: [
    { type: "bar", name: "RTX 2080, fp32, 40% of peak", x: presetRows.map((r) => r.name), y: presetRows.map((r) => r.chinFp32 / 86400) },
    { type: "bar", name: "RTX 2080, mixed precision, 40% of peak", x: presetRows.map((r) => r.name), y: presetRows.map((r) => r.chinMixed / 86400) },
    { type: "bar", name: `this machine (${backend.name}, measured)`, x: presetRows.map((r) => r.name), y: presetRows.map((r) => r.chinHere / 86400) },
  ],
  layout: {
    title: "Days to train on 20 tokens per parameter (compute-optimal budget)",
    xaxis: { title: "model" }, yaxis: { title: "days", type: "log" }, barmode: "group",
  },
})
'''),
    md(r'''
**Is 40% of peak realistic?** For GPT-2-sized matrices, yes. For the small models it is far too
optimistic: their matrices are too small to keep a GPU busy and per-step overheads dominate. One
public number to check against: nanoGPT's README reports about 3 minutes on one A100 for its
shakespeare-char run (5000 iterations of 64 × 256 tokens), which implies the utilization below.
'''),
    code(r'''
const scFlops = presetRows.find((r) => r.name === "shakespeare-char")!.gflop * 1e9;
const a100Util = (5000 * 64 * 256 * scFlops / 180) / DEVICES.a100.mixedFlops;
console.log(`shakespeare-char on an A100: ${(5000 * 64 * 256 / 180 / 1000).toFixed(0)}k tokens/s = ${(5000 * 64 * 256 * scFlops / 180 / 1e12).toFixed(1)} TFLOP/s = ${(100 * a100Util).toFixed(0)}% of its 312 TFLOP/s bf16 peak`);
'''),
    code(r'''
const g2 = presetRows.find((r) => r.name === "gpt2")!;
const sc = presetRows.find((r) => r.name === "shakespeare-char")!;
const med = presetRows.find((r) => r.name === "gpt2-medium")!;
const owt = 9e9; // OpenWebText in GPT-2 tokens, as nanoGPT's preparation script counts it
const recipe = 600_000 * 491_520; // nanoGPT's GPT-2 (124M) run: 600k steps of 491,520 tokens
const g2cfg = modelPresets().find((m) => m.name === "gpt2")!.config;
const owtFp32 = planRun(g2cfg, gpu, { tokens: owt }).seconds, owtMixed = planRun(g2cfg, gpu, { tokens: owt, precision: "mixed" }).seconds;
const recipeMixed = planRun(g2cfg, gpu, { tokens: recipe, precision: "mixed" }).seconds;
assert(g2.maxBatch >= 1 && med.maxBatch === 0 && med.maxBatchMixed >= 1);
markdown(`**Plain answer.** Yes, an RTX 2080 can pretrain a GPT from scratch, as long as it is small.

* **Memory is not the limit up to GPT-2 small.** GPT-2 small (${(g2.params / 1e6).toFixed(0)} M parameters) needs ${((g2.mem.weights + g2.mem.gradients + g2.mem.optimizer) / GiB).toFixed(1)} GiB for weights, gradients and AdamW state in fp32 and ${(g2.mem.activations / GiB).toFixed(1)} GiB of activations per 1024-token sequence: ${g2.maxBatch} sequences fit in 8 GiB (${g2.maxBatchMixed} in mixed precision; gradient accumulation makes up larger batches). GPT-2 medium does not fit in fp32 even at batch 1, but does in mixed precision (batch ${med.maxBatchMixed}).
* **Time is the limit.** At 40% of peak the card trains GPT-2 small at about ${g2.tokS.toFixed(0)} tokens/s in fp32. One epoch of OpenWebText (${owt / 1e9}B tokens) takes ${fmtTime(owtFp32)} in fp32 or ${fmtTime(owtMixed)} in mixed precision; the compute-optimal ${(g2.chinchilla / 1e9).toFixed(1)}B tokens take ${fmtTime(g2.chinMixed)} in mixed precision; nanoGPT's recipe that matches GPT-2's quality (${(recipe / 1e9).toFixed(0)}B tokens) would take ${fmtTime(recipeMixed)}.
* **Small models are easy.** nanoGPT's shakespeare-char model (${(sc.params / 1e6).toFixed(1)} M) needs ${fmtTime(sc.epoch)} per epoch of tiny Shakespeare at 40% of peak; at the ${(100 * a100Util).toFixed(0)}% that small models really reach (see above), about ${fmtTime(sc.epoch * 0.4 / a100Util)}: 5000 iterations of 64 × 256 tokens, nanoGPT's run, take ${fmtTime(5000 * 64 * 256 * sc.gflop * 1e9 / (gpu.fp32Flops * a100Util))}.
* **This machine** (2 CPU cores, ${(measuredFlops / 1e9).toFixed(1)} GFLOP/s achieved in tfjs) is about ${(gpu.fp32Flops * 0.4 / measuredFlops).toFixed(0)}× slower than the card in fp32: it is for the small models of these notebooks.

These are estimates: real runs lose time to data loading, evaluation and kernels that do not reach 40% of peak, and the activation count assumes no recomputation (checkpointing trades about a third more compute for much less activation memory).`)
'''),
    md(r'''
## What each section produced

Generated from the values computed above.
'''),
    code(r'''
const f3 = (x: number) => x.toFixed(3);
const bpeLast = bpeRows.at(-1)!, g2row = sizeRows.find((r) => r.name === "GPT-2's BPE")!;
markdown([
  "| section | figure | result |",
  "|---|---|---|",
  `| 1 · why split text | table and log-log plot of tokens against vocabulary; merge table; one line after 0-1000 merges | characters ${sizeRows[0].tokens.toLocaleString("en-US")} tokens, words ${sizeRows[1].tokens.toLocaleString("en-US")} (vocabulary ${sizeRows[1].vocab.toLocaleString("en-US")}, ${(100 * unknownShare).toFixed(1)}% of validation words unknown), ByteBPE ${bpeLast.vocab}: ${bpeLast.tokens.toLocaleString("en-US")}, GPT-2: ${g2row.tokens.toLocaleString("en-US")}; first merge \`${history[0].left}\` + \`${history[0].right}\` (${history[0].count} times), hand loop = \`learnByteMerges\` |`,
  `| 2 · encoding vs embedding | live loss plot | ${model.numParams().toLocaleString("en-US")} parameters, ${result.step} steps in ${result.seconds.toFixed(0)} s, val loss ${f3(result.last!.valLoss)}; oneHot·E and E[ids] differ by at most ${gap} |`,
  `| 3 · dimensions | 2-D and 3-D PCA maps; similarity table; neighbours | width ${config.nEmbd}; first 3 directions hold ${map3.explained.map((e) => (100 * e).toFixed(0) + "%").join(", ")} of the variance; grouped kinds: ${grouped.join("; ") || "none"}; ${caseMates}/26 letters have their capital among their 5 nearest neighbours |`,
  `| 4 · next token | bar plot at τ = 0.5, 1, 2 | p(actual "${JSON.stringify(actual).slice(1, -1)}") = ${f3(p1[chars.encode(actual)[0]])}, cross-entropy ${f3(crossEntropy)}; entropies ${dists.map((d) => entropy(d).toFixed(2)).join(", ")} nats; passage mean by hand ${f3(byHandCE)} = model.loss ${f3(libCE)} |`,
  `| 5 · attention | per-head table; two attention maps | hand forward = model.forward (max gap ${forwardGap.toExponential(1)}); most local head L${local.layer}H${local.head} (${f3(local.prev)} on the previous character), furthest L${far.layer}H${far.head} (${far.dist.toFixed(1)} characters back) |`,
  `| 6 · RTX 2080 | cost table; bar plot of days; plain answer | GPT-2 small: ${g2.maxBatch} × 1024 tokens fit in fp32, ${g2.tokS.toFixed(0)} tokens/s, ${fmtTime(owtFp32)} per OpenWebText epoch (fp32); this machine ${tokPerSecHere.toFixed(0)} tokens/s on the 3-layer model |`,
].join("\n"))
'''),
]

nb(cells, "notebooks/02_zero_to_llm.ipynb")
