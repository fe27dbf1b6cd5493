"""Generates notebooks/05_transformer.ipynb (run from the repository root:
`python3 scripts/notebooks/05_transformer.py`); executing the notebook fills the outputs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbgen import code, md, nb  # noqa: E402

cells = [
    md(r'''
# 05 · The Transformer

The Transformer keeps attention and drops the recurrence: no LSTM reads the sentence word by word.
Following the notes' last section:

1. **Positional encoding**: with no recurrence, word order must be written into the input.
2. **Self-attention** step by step on the notes' sentence about the dog, the moon and "it".
3. **Multi-head attention, residual connections, encoder-decoder attention, masked
   self-attention**, and why training can decode every position in parallel.
4. A full encoder-decoder Transformer (`lib/models/transformer.ts`) trained on the same toy
   translations as notebooks 03 and 04, and the three models compared.
'''),
    code(r'''
import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { isSmoke, latexMatrix, markdown, plot, ProgressBar, show } from "../lib/notebook/mod.ts";
import { causalMask, MultiHeadAttention, scaledDotProductAttention, sinusoidalPositionalEncoding, splitHeads } from "../lib/attention/mod.ts";
import { generateToyTranslations } from "../lib/data/toy_translation.ts";
import {
  disposeBatch, evaluateByLength, formatLengthTable, type LengthRow, makeBatch, trainSeq2Seq, Transformer, Vocab,
} from "../lib/models/mod.ts";

await initBackend();
const SMOKE = isSmoke();
console.log(`smoke mode: ${SMOKE}`);
'''),
    md(r'''
## 1 · Positional encoding

Attention compares every word with every other word, and a comparison does not care where the
words are: shuffle the input and each word gets the same attention values. So each position $p$
adds a vector to its word's embedding. Column $2i$ of that vector is $\sin(p / 10000^{2i/d})$ and
column $2i+1$ the matching cosine: each pair of columns is a wave, and the waves get slower from
left to right.
'''),
    code(r'''
const D = 16, P = 50;
const pe = sinusoidalPositionalEncoding(P, D);
// By hand, for a few entries:
for (const [p, col] of [[0, 0], [3, 0], [3, 1], [7, 6], [40, 15]]) {
  const i = Math.floor(col / 2), angle = p / Math.pow(10000, (2 * i) / D);
  const hand = col % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
  assertAlmostEquals((pe.arraySync() as number[][])[p][col], hand, 1e-6);
}
const rows = pe.arraySync() as number[][];
plot({
  data: [0, 1, 4, 5, 10].map((c) => ({ x: [...Array(P).keys()], y: rows.map((r) => r[c]), name: `column ${c} (${c % 2 ? "cos" : "sin"}, i=${Math.floor(c / 2)})`, mode: "lines" })),
  layout: { title: "Some columns of the encoding: one wave per column pair", xaxis: { title: "position p" }, yaxis: { title: "value" } },
});
'''),
    code(r'''
plot({
  data: [{ type: "heatmap", z: rows, colorscale: "RdBu", zmin: -1, zmax: 1 }],
  layout: { title: `Sinusoidal encoding, ${P} positions × ${D} dimensions`, xaxis: { title: "dimension" }, yaxis: { title: "position" } },
});
'''),
    md(r'''
Why *any* position gets a code: the waves are defined for every $p$, so a sentence longer than
any seen in training still gets a code, and no table has to be learned. Each code is distinct, and
codes of nearby positions are more alike than codes of distant ones; the dot products of every
pair of codes show it:
'''),
    code(r'''
const sim = tf.tidy(() => tf.matMul(pe, pe, false, true).arraySync() as number[][]);
plot({
  data: [{ type: "heatmap", z: sim, colorscale: "Viridis" }],
  layout: { title: "Dot product of the codes of positions p and q", xaxis: { title: "q" }, yaxis: { title: "p" } },
});
'''),
    code(r'''
const far = sinusoidalPositionalEncoding(1, D, 1000); // the code of position 1000
const farCode = Array.from(far.dataSync()).map((v) => v.toFixed(3)).join(" ");
far.dispose();
console.log("position 1000:", farCode);
'''),
    md(r'''
## 2 · Self-attention, step by step

The notes' sentence: *"The dog barked at the moon, it was shiny."* Does "it" mean the dog or the
moon? Self-attention lets every word build its new representation from all the words, itself
included. Below, each word is a made-up 4-number vector (think of the columns as *animal*,
*sky*, *bright*, *pronoun*); a trained model would learn such vectors. Three weight matrices turn
each word into a **query** (what it looks for), a **key** (what it offers) and a **value** (what it
passes on). The same three matrices serve every word.
'''),
    code(r'''
const words = ["the", "dog", "barked", "at", "the", "moon", "it", "was", "shiny"];
const E = tf.tensor2d([
  [0.0, 0.0, 0.0, 0.1], // the
  [1.0, 0.0, 0.1, 0.0], // dog
  [0.8, 0.0, 0.0, 0.0], // barked
  [0.0, 0.1, 0.0, 0.1], // at
  [0.0, 0.0, 0.0, 0.1], // the
  [0.0, 1.0, 0.6, 0.0], // moon
  [0.2, 0.2, 0.2, 1.0], // it
  [0.0, 0.0, 0.1, 0.2], // was
  [0.0, 0.3, 1.0, 0.0], // shiny
]);
// "it" asks for something bright in the sky: its query maps the pronoun column to sky + bright.
const Wq = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 1.5, 1.5, 0]]);
const Wk = tf.eye(4);
const Wv = tf.eye(4);
const Q = E.matMul(Wq), K = E.matMul(Wk), V = E.matMul(Wv); // (9, 4) each
const scores = Q.matMul(K.transpose()).div(Math.sqrt(4)); // (9, 9): query i · key j / √d
const weights = tf.softmax(scores); // each row sums to 1
const selfValues = weights.matMul(V); // (9, 4)
await show(latexMatrix(tf.concat([Q.slice([6, 0], [1, 4]), K.slice([1, 0], [1, 4]), K.slice([5, 0], [1, 4])]), { name: "\\begin{matrix}q_{it}\\\\k_{dog}\\\\k_{moon}\\end{matrix}" }));
'''),
    code(r'''
const itRow = (weights.arraySync() as number[][])[6];
plot({
  data: [{ type: "bar", x: words.map((w, j) => `${j + 1}. ${w}`), y: itRow }],
  layout: { title: "How much 'it' takes from each word (softmax of its scores)", yaxis: { title: "weight" } },
});
'''),
    md(r'''
With these vectors "it" takes most from "moon" (and "shiny"), so its new vector leans towards
the moon. The library computes the same thing for all nine words at once:
'''),
    code(r'''
const lib = scaledDotProductAttention(Q, K, V);
const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(lib.output, selfValues))).arraySync() as number);
assertLess(diff, 1e-6);
console.log(`lib scaledDotProductAttention == hand computation (max |diff| = ${diff.toExponential(1)})`);
plot({
  data: [{ type: "heatmap", z: weights.arraySync() as number[][], x: words.map((w, j) => `${j + 1}. ${w}`), y: words.map((w, j) => `${j + 1}. ${w}`), colorscale: "Blues" }],
  layout: { title: "All self-attention weights (row: query word)", yaxis: { autorange: "reversed" }, height: 420 },
});
'''),
    md(r'''
## 3 · The other pieces

**Multi-head attention.** Several attention cells side by side, each with its own $W_q, W_k, W_v$,
so one head can track pronouns while another tracks adjectives. The library cuts the model width
into `nHead` slices and runs all heads as one batched product, then mixes them with an output
projection.
'''),
    code(r'''
const x8 = tf.randomNormal([1, 9, 8], 0, 1, "float32", 1) as tf.Tensor3D; // (B, T, C)
console.log("(B, T, C) =", x8.shape, "-> split into 2 heads (B, nh, T, hs) =", splitHeads(x8, 2).shape);
const mha = new MultiHeadAttention(8, 2, { seed: 0 });
console.log("multi-head output (B, T, C) =", mha.apply(x8, x8).shape);
'''),
    md(r'''
**Residual connections.** Each sub-layer's output is *added* to its input, $x + \text{attention}(x)$,
so the word and position information passes through untouched and the sub-layer only has to learn
a correction. **Layer norm** rescales each position's vector to zero mean and unit variance before
each sub-layer (we normalise before the sub-layer, "pre-LN"; the paper normalised after the
residual sum, which needs a learning-rate warm-up to train).

**Encoder-decoder attention.** In each decoder layer the queries come from the decoder's words and
the keys and values from the encoder's output: the decoder asks which source words matter for the
word it is writing, as the LSTM's attention did in notebook 04.

**Masked self-attention.** At inference the decoder writes one word at a time and can only attend
to the words already written. In training the whole target is known, so every position is
computed in one pass, and a causal mask hides the future: position $t$ may attend to positions
$0..t$ only. Masked scores become $-10^9$ before the softmax, so their weights are 0.
'''),
    code(r'''
latexMatrix(causalMask(5), { name: "M", digits: 0 });
'''),
    code(r'''
const q5 = tf.randomNormal([5, 4], 0, 1, "float32", 2), k5 = tf.randomNormal([5, 4], 0, 1, "float32", 3);
const masked = scaledDotProductAttention(q5, k5, k5, { mask: causalMask(5) });
latexMatrix(masked.weights as tf.Tensor2D, { name: "\\text{softmax}(QK^\\top/\\sqrt d + \\text{mask})", digits: 2 });
'''),
    md(r'''
The claim to check: teacher-forced parallel decoding gives the same logits as decoding one token
at a time. `Transformer.logits` runs every target position in one pass under the mask;
`Transformer.incrementalLogits` decodes position $t$ from the prefix $0..t$ alone, as inference
does. The same must come out (here on an untrained model; the trained one is checked again below).
'''),
    code(r'''
const DATA = SMOKE
  ? { seed: 0, train: 3000, validation: 100, test: 400 }
  : { seed: 0, train: 20000, validation: 500, test: 2000 };
const corpus = generateToyTranslations({ ...DATA, minLength: 2, maxLength: 25 });
const srcVocab = Vocab.fromSentences(corpus.train.map((p) => p.source));
const tgtVocab = Vocab.fromSentences(corpus.train.map((p) => p.target));
const MODEL = { sourceVocab: srcVocab, targetVocab: tgtVocab, maxSourceLength: 25, maxTargetLength: 26, dModel: 64, nHead: 4, layers: 2, dFF: 128, seed: 0 };
const transformer = new Transformer(MODEL);
function parallelVsIncremental(): number {
  const b = makeBatch(corpus.test.slice(0, 8), srcVocab, tgtVocab, 25, 26);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(transformer.logits(b), transformer.incrementalLogits(b)))).arraySync() as number);
  disposeBatch(b);
  return d;
}
const before = parallelVsIncremental();
assertLess(before, 1e-4);
console.log(`untrained: max |parallel - incremental| over 8 sentences = ${before.toExponential(2)}`);
'''),
    md(r'''
## 4 · Training the Transformer

Two encoder and two decoder layers, width 64, 4 heads, feed-forward width 128; Adam at 0.001,
batches of 64 sentences of similar length, gradient norm clipped at 1, no dropout. Same data as
notebooks 03 and 04.
'''),
    code(r'''
const STEPS = SMOKE ? 20 : 800;
const SETUP = { dModel: 64, nHead: 4, layers: 2, dFF: 128, steps: STEPS, batchSize: 64, learningRate: 0.001 };
console.log(`Transformer: ${transformer.parameterCount()} parameters`);
const bar = new ProgressBar(STEPS, { label: "Transformer" });
const run = await trainSeq2Seq(transformer, corpus.train, {
  steps: STEPS, batchSize: 64, learningRate: 0.001, seed: 0,
  onStep: (s, l) => bar.update(s + 1, { loss: l.toFixed(3) }),
});
await bar.finish();
const smooth = (xs: number[], k = 50) => xs.map((_, i) => { const w = xs.slice(Math.max(0, i - k + 1), i + 1); return w.reduce((a, b) => a + b) / w.length; });
plot({
  data: [{ y: run.losses, name: "loss", opacity: 0.3 }, { y: smooth(run.losses), name: "moving mean (50)" }],
  layout: { title: `Transformer training loss (${run.seconds.toFixed(0)} s)`, xaxis: { title: "step" }, yaxis: { title: "cross-entropy" } },
});
'''),
    code(r'''
const after = parallelVsIncremental();
assertLess(after, 1e-3);
console.log(`trained: max |parallel - incremental| = ${after.toExponential(2)}`);
const ex = [3, 9, 16, 25].map((L) => corpus.test.find((p) => p.source.split(" ").length === L)!).filter(Boolean);
const exOut = transformer.translate(ex.map((p) => p.source));
for (const [i, p] of ex.entries()) console.log(`${p.source}\n  model: ${exOut[i]}\n  truth: ${p.target}\n`);
'''),
    md(r'''
## 5 · Three models compared

The encoder-decoder LSTM and the LSTM with attention come from notebooks 03 and 04 (their saved
results under `data/results/`, from runs on the same corpus in the same mode). Both LSTMs have
2 layers of $H = 64$ and were trained for the same 1,500 steps at Adam 0.01; the plain one reads
each English sentence backwards, the attention one forwards.
'''),
    code(r'''
const evalT = evaluateByLength(transformer, corpus.test);
type Saved = { smoke: boolean; data: unknown; steps: number; seconds: number; parameters: number; rows: LengthRow[]; overall: LengthRow };
function loadSaved(name: string): Saved | undefined {
  try {
    const s = JSON.parse(Deno.readTextFileSync(`../data/results/${name}.json`)) as Saved;
    return s.smoke === SMOKE && JSON.stringify(s.data) === JSON.stringify(DATA) ? s : undefined;
  } catch {
    return undefined;
  }
}
const results: Record<string, Saved> = {};
const v = loadSaved("03_seq2seq_lstm"), a = loadSaved("04_attention");
if (v) results["encoder-decoder LSTM"] = v;
if (a) results["LSTM + attention"] = a;
results["Transformer"] = { smoke: SMOKE, data: DATA, steps: STEPS, seconds: run.seconds, parameters: transformer.parameterCount(), rows: evalT.rows, overall: evalT.overall };
if (!v || !a) console.log("Run notebooks 03 and 04 first (same mode) to compare against them; showing what exists.");
console.log(formatLengthTable(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.rows]))));
'''),
    code(r'''
const colors: Record<string, string> = { "encoder-decoder LSTM": "#888", "LSTM + attention": "#d62728", "Transformer": "#1f77b4" };
await show(plot({
  data: Object.entries(results).flatMap(([name, r]) => [
    { x: r.rows.map((x) => x.length), y: r.rows.map((x) => x.exactMatch), name: `${name}: exact`, mode: "lines+markers", line: { color: colors[name] } },
    { x: r.rows.map((x) => x.length), y: r.rows.map((x) => x.tokenAccuracy), name: `${name}: token`, mode: "lines", line: { color: colors[name], dash: "dot" } },
  ]),
  layout: { title: "Test accuracy by source length, three models", xaxis: { title: "English words" }, yaxis: { title: "accuracy", range: [0, 1.02] } },
}));
'''),
    code(r'''
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
markdown(
  `| model | parameters | training steps (batch 64) | training time | exact match | token accuracy |\n|---|---|---|---|---|---|\n` +
    Object.entries(results).map(([name, r]) =>
      `| ${name} | ${r.parameters} | ${r.steps} | ${r.seconds.toFixed(0)} s | ${pct(r.overall.exactMatch)} | ${pct(r.overall.tokenAccuracy)} |`
    ).join("\n"),
);
'''),
    md(r'''
### Closing note: accuracy by length

Exact match / token accuracy (%) on the test set for each English sentence length, all three
models (training times were measured on two CPU cores shared with other jobs, so compare them
loosely):
'''),
    code(r'''
const names = Object.keys(results);
const lens = [...new Set(names.flatMap((n) => results[n].rows.map((r) => r.length)))].sort((a, b) => a - b);
await show(markdown(
  `| words | ${names.join(" | ")} |\n|---|${names.map(() => "---").join("|")}|\n` +
    lens.map((L) => `| ${L} | ` + names.map((n) => {
      const r = results[n].rows.find((x) => x.length === L);
      return r ? `${(100 * r.exactMatch).toFixed(0)} / ${(100 * r.tokenAccuracy).toFixed(0)}` : "-";
    }).join(" | ") + " |").join("\n"),
));
'''),
    code(r'''
Deno.mkdirSync("../data/results", { recursive: true });
Deno.writeTextFileSync("../data/results/05_transformer.json", JSON.stringify({ ...results["Transformer"], setup: SETUP }, null, 1));
transformer.dispose();
mha.dispose();
console.log("tensors still allocated:", tf.memory().numTensors);
'''),
]

nb(cells, "notebooks/05_transformer.ipynb")
