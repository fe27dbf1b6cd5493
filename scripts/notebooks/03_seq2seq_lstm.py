"""Generates notebooks/03_seq2seq_lstm.ipynb (run from the repository root:
`python3 scripts/notebooks/03_seq2seq_lstm.py`); executing the notebook fills the outputs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbgen import code, md, nb  # noqa: E402

cells = [
    md(r'''
# 03 · Sequence to sequence with LSTMs

Following the notes "Large Language Models": an LSTM reads a sequence one item at a time and keeps
two memories, the cell (long-term) and the hidden state (short-term). A sequence-to-sequence model
uses one LSTM stack to *encode* the input into a fixed-size vector and another to *decode* that
vector into the output, so input and output may have different lengths.

1. One LSTM step by hand, checked against `lib/models/lstm_stack.ts`.
2. The Keras recipe from the notes (`LSTM → RepeatVector → LSTM → TimeDistributed(Dense)`) learning
   to execute additions.
3. The encoder-decoder: embeddings, two LSTM layers, the context vector, teacher forcing, greedy
   decoding, trained on a generated English → Italian corpus.
4. The fixed-size context problem, measured on the test set.

`LLM_SMOKE=1` shrinks every run (the test suite uses it); the committed outputs come from a full run.
'''),
    code(r'''
import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { isSmoke, latexMatrix, markdown, plot, ProgressBar, show } from "../lib/notebook/mod.ts";
import { generateToyTranslations } from "../lib/data/toy_translation.ts";
import { ADDITION_ALPHABET, generateAdditionSplits } from "../lib/data/learning_to_execute.ts";
import {
  accuracyByLength, BOS, EOS, evaluateByLength, formatLengthTable, LSTMStack, makeBatch,
  disposeBatch, RepeatVectorSeq2Seq, Seq2SeqLSTM, trainSeq2Seq, Vocab,
} from "../lib/models/mod.ts";

await initBackend();
const SMOKE = isSmoke();
console.log(`smoke mode: ${SMOKE}`);
'''),
    md(r'''
## 1 · One LSTM step by hand

An LSTM layer of width $H$ turns the input $x_t$ and its previous memories $(h_{t-1}, c_{t-1})$
into four gate pre-activations with one matrix product, $[i\ f\ g\ o] = x_t W_x + h_{t-1} W_h + b$, then

$$c_t = \sigma(f)\odot c_{t-1} + \sigma(i)\odot\tanh(g), \qquad h_t = \sigma(o)\odot\tanh(c_t).$$

The forget gate $\sigma(f)$ decides how much long-term memory to keep, the input gate $\sigma(i)$
how much of the candidate $\tanh(g)$ to write, the output gate $\sigma(o)$ how much of the cell to
show as the short-term memory $h_t$. Take $H = 2$ and a 2-wide input, with small explicit weights:
'''),
    code(r'''
const x = tf.tensor2d([[1, -1]]); // (B=1, in=2)
const h0 = tf.tensor2d([[0.5, 0]]); // previous short-term memory
const c0 = tf.tensor2d([[1, -0.5]]); // previous long-term memory
// Columns: i1 i2 | f1 f2 | g1 g2 | o1 o2
const Wx = tf.tensor2d([
  [0.2, -0.1, 0.5, 0.3, 0.4, -0.6, 0.1, 0.2],
  [-0.3, 0.2, 0.1, -0.2, 0.3, 0.5, -0.4, 0.1],
]);
const Wh = tf.tensor2d([
  [0.1, 0.0, 0.2, -0.1, -0.3, 0.2, 0.5, 0.1],
  [0.0, 0.3, -0.2, 0.1, 0.1, -0.1, 0.2, 0.4],
]);
const b = tf.tensor1d([0, 0, 1, 1, 0, 0, 0, 0]); // forget bias 1: remember by default

const gates = x.matMul(Wx).add(h0.matMul(Wh)).add(b); // (1, 8)
const [gi, gf, gg, go] = tf.split(gates, 4, 1);
const c1 = tf.sigmoid(gf).mul(c0).add(tf.sigmoid(gi).mul(tf.tanh(gg)));
const h1 = tf.sigmoid(go).mul(tf.tanh(c1));
latexMatrix(tf.concat([gates.slice([0, 0], [1, 8])], 0), { name: "[i\\ f\\ g\\ o]", digits: 3 });
'''),
    code(r'''
latexMatrix(tf.concat([c1, h1], 0), { name: "\\begin{matrix}c_1\\\\h_1\\end{matrix}", digits: 4 });
'''),
    md(r'''
The library's `LSTMStack` holds the same three tensors per layer. Loaded with these weights, its
`step` must give the same memories:
'''),
    code(r'''
const lstm = new LSTMStack(2, 2, 1, 0);
lstm.weights[0].wx.assign(Wx);
lstm.weights[0].wh.assign(Wh);
lstm.weights[0].b.assign(b);
const { state } = lstm.step(x, [{ h: h0, c: c0 }]);
const [libH, libC, handH, handC] = [state[0].h, state[0].c, h1, c1].map((t) => t.arraySync()[0]);
for (let j = 0; j < 2; j++) {
  assertAlmostEquals(libH[j], handH[j], 1e-6);
  assertAlmostEquals(libC[j], handC[j], 1e-6);
}
lstm.dispose();
console.log("lib LSTM step == hand computation:", libH, libC);
'''),
    md(r'''
## 2 · Learning to execute: the Keras recipe

The notes' Keras model reads the whole input with one LSTM and keeps only its last hidden state.
`RepeatVector` copies that vector once per output step, a second LSTM unrolls it into a sequence,
and `TimeDistributed(Dense)` applies the same softmax layer at every step. Everything has a fixed
width: inputs are padded with spaces to `2·digits + 1` characters, outputs to `digits + 1`.

The task is the simplest "learning to execute" program, an addition written as text.
'''),
    code(r'''
const DIGITS = 3;
const add = generateAdditionSplits(
  SMOKE
    ? { seed: 0, train: 3000, validation: 200, test: 500, maxDigits: DIGITS }
    : { seed: 0, train: 16000, validation: 1000, test: 4000, maxDigits: DIGITS },
);
console.log(add.train.slice(0, 6).map((p) => `${p.source.padEnd(7)} -> ${p.target}`).join("\n"));

const keras = new RepeatVectorSeq2Seq({
  alphabet: ADDITION_ALPHABET,
  inputLength: 2 * DIGITS + 1,
  outputLength: DIGITS + 1,
  hidden: 128,
  seed: 0,
});
keras.model.summary(80, undefined, (line: string) => console.log(line));
console.log(`parameters: ${keras.parameterCount()}`);
'''),
    code(r'''
const EPOCHS = SMOKE ? 2 : 10;
const addBar = new ProgressBar(EPOCHS, { label: "addition" });
const addLog: { loss: number; acc: number; valAcc: number }[] = [];
const tAdd = performance.now();
await keras.fit(add.train, {
  epochs: EPOCHS,
  batchSize: 128,
  validation: add.validation,
  onEpoch: (e, logs) => {
    addLog.push({ loss: logs.loss, acc: logs.acc, valAcc: logs.val_acc });
    addBar.update(e + 1, { loss: logs.loss.toFixed(3), "val char acc": logs.val_acc.toFixed(3) });
  },
});
await addBar.finish();
const addSeconds = (performance.now() - tAdd) / 1000;
plot({
  data: [
    { y: addLog.map((l) => l.acc), name: "train (per character)" },
    { y: addLog.map((l) => l.valAcc), name: "validation (per character)" },
  ],
  layout: { title: `Addition: character accuracy per epoch (${addSeconds.toFixed(0)} s)`, xaxis: { title: "epoch" }, yaxis: { title: "accuracy" } },
});
'''),
    md(r'''
Character accuracy flatters the model: a sum is right only when every character is. On the test
set, grouped by the number of digits of the longer operand:
'''),
    code(r'''
const addPred = keras.predict(add.test.map((p) => p.source));
const byDigits = new Map<number, { n: number; ok: number }>();
add.test.forEach((p, i) => {
  const d = Math.max(...p.source.split("+").map((s) => s.length));
  const g = byDigits.get(d) ?? { n: 0, ok: 0 };
  g.n++;
  if (addPred[i] === p.target) g.ok++;
  byDigits.set(d, g);
});
const digitRows = [...byDigits.entries()].sort((a, b) => a[0] - b[0]);
const addExact = addPred.filter((s, i) => s === add.test[i].target).length / add.test.length;
console.log(add.test.slice(0, 8).map((p, i) => `${p.source.padEnd(7)} = ${p.target.padEnd(4)} model: ${addPred[i]}`).join("\n"));
markdown(
  `| longest operand | problems | exact |\n|---|---|---|\n` +
    digitRows.map(([d, g]) => `| ${d} digits | ${g.n} | ${(100 * g.ok / g.n).toFixed(1)}% |`).join("\n") +
    `\n| all | ${add.test.length} | ${(100 * addExact).toFixed(1)}% |`,
);
'''),
    md(r'''
This budget (10 epochs of 16,000 problems, a few minutes here) is far from enough: the character
accuracy was still rising when training stopped, and in the examples most wrong sums have the
right size and wrong last digits, i.e. the carries are not learned yet. The point stands: one
fixed-size vector, copied to every output step, is all the decoder gets.
'''),
    md(r'''
## 3 · The encoder-decoder

For translation the input and output lengths differ and are not known in advance, so the decoder
cannot be a fixed number of copies. The notes' encoder-decoder:

- **Embedding**: each source word becomes a learned vector.
- **Encoder**: two stacked LSTM layers read the source. The final $(h, c)$ of both layers is the
  **context vector**: with $H$ units per layer it holds $4H$ numbers, whatever the sentence length.
- **Decoder**: two LSTM layers *initialised with the context vector*. Its first input is a start
  token (the notes use `<EOS>` for that role; we use a separate `<bos>`, which does the same job),
  then each step's input is the previous output word, until it emits `<eos>`.
- **Dense + softmax** over the target vocabulary at each step.

The data is generated from a small grammar (`lib/data/toy_translation.ts`): adjectives move after
the noun and agree with its gender, Italian drops subject pronouns, and "let's go" becomes one
word. Sentence lengths are uniform from 2 to 25 words, so every length is equally represented in
each split.
'''),
    code(r'''
const DATA = SMOKE
  ? { seed: 0, train: 3000, validation: 100, test: 400 }
  : { seed: 0, train: 20000, validation: 500, test: 2000 };
const corpus = generateToyTranslations({ ...DATA, minLength: 2, maxLength: 25 });
const srcVocab = Vocab.fromSentences(corpus.train.map((p) => p.source));
const tgtVocab = Vocab.fromSentences(corpus.train.map((p) => p.target));
const MAX_SRC = 25, MAX_TGT = 26; // the longest Italian sentence has 25 words, plus <eos>
console.log(`train ${corpus.train.length}, validation ${corpus.validation.length}, test ${corpus.test.length}`);
console.log(`vocabularies: English ${srcVocab.size}, Italian ${tgtVocab.size} (4 reserved tokens each)`);
for (const p of corpus.train.filter((p) => p.source.split(" ").length <= 9).slice(0, 6)) {
  console.log(`${p.source}\n  -> ${p.target}`);
}
'''),
    code(r'''
const lengths = corpus.train.map((p) => p.source.split(" ").length);
plot({
  data: [{ type: "histogram", x: lengths, xbins: { start: 1.5, end: 25.5, size: 1 } }],
  layout: { title: "Training sentences by English length", xaxis: { title: "words" }, yaxis: { title: "sentences" } },
});
'''),
    md(r'''
**Teacher forcing.** In training the decoder does not read its own guesses: it reads the true
previous word. Its inputs are the target shifted right behind `<bos>`, and its targets are the
target followed by `<eos>`:
'''),
    code(r'''
const demo = makeBatch([{ source: "let's go", target: "andiamo" }, { source: "the dog sleeps", target: "il cane dorme" }], srcVocab, tgtVocab, MAX_SRC, MAX_TGT);
const asWords = (t: tf.Tensor) => (t.arraySync() as number[][]).map((r) => r.map((id) => tgtVocab.tokens[id]).join(" "));
console.log("decoder input :", asWords(demo.targetIn));
console.log("decoder target:", asWords(demo.targetOut));
console.log("loss mask     :", demo.targetMask.arraySync());
assertEquals((demo.targetIn.arraySync() as number[][])[0][0], BOS);
assertEquals((demo.targetOut.arraySync() as number[][])[0][1], EOS);
'''),
    md(r'''
The model in `lib/models/seq2seq_lstm.ts`, with 2 layers of $H = 64$ and 32-wide embeddings
(small, so that it trains here on two shared CPU cores in minutes). As Sutskever et al. did, the
encoder reads each English sentence **backwards** (`reverseSource: true`; the padding stays at the
end). The first Italian words depend mostly on the first English words; read last, those are the
freshest in the context vector when the decoder starts, so the decoder's first steps — whose
mistakes derail everything after them — get an easy start. In a trial here with this budget,
reading forwards got the loss only to about 1.1 and hardly any sentence of 3+ words exactly right;
reading backwards learns much faster. The context vector is still the same $4H$ numbers. The
context vector of one sentence, and the loss computed by hand from the model's logits (mean
cross-entropy over real target tokens, padding excluded) against the library's `loss`:
'''),
    code(r'''
const HIDDEN = 64;
const vanilla = new Seq2SeqLSTM({
  sourceVocab: srcVocab, targetVocab: tgtVocab, maxSourceLength: MAX_SRC, maxTargetLength: MAX_TGT,
  embedDim: 32, hidden: HIDDEN, layers: 2, seed: 0, reverseSource: true,
});
const ctx = tf.tidy(() => {
  const { final } = vanilla.encode(demo);
  return tf.concat(final.flatMap((s) => [s.h, s.c]), 1); // (B, 4H)
});
console.log(`context vector per sentence: ${ctx.shape[1]} numbers = 2 layers x (h, c) x ${HIDDEN}; parameters: ${vanilla.parameterCount()}`);
ctx.dispose();

const handLoss = tf.tidy(() => {
  const logits = vanilla.logits(demo); // (B, T, V)
  const logp = tf.logSoftmax(logits).arraySync() as number[][][];
  const tgt = demo.targetOut.arraySync() as number[][], mask = demo.targetMask.arraySync() as number[][];
  let sum = 0, n = 0;
  tgt.forEach((row, b) => row.forEach((id, t) => { if (mask[b][t]) { sum -= logp[b][t][id]; n++; } }));
  return sum / n;
});
const libLoss = tf.tidy(() => vanilla.loss(demo).arraySync());
assertAlmostEquals(libLoss, handLoss, 1e-5);
disposeBatch(demo);
console.log(`loss by hand ${handLoss.toFixed(5)} == lib ${libLoss.toFixed(5)} (ln V = ${Math.log(tgtVocab.size).toFixed(3)}: the untrained guess is near uniform)`);
'''),
    md(r'''
Training: Adam (learning rate 0.01), batches of 64 sentences of similar length, gradient norm
clipped at 1.
'''),
    code(r'''
const STEPS = SMOKE ? 30 : 1500;
// What notebooks 04 and 05 check before reusing this run's results.
const SETUP = { embedDim: 32, hidden: HIDDEN, layers: 2, reverseSource: true, steps: STEPS, batchSize: 64, learningRate: 0.01 };
const bar = new ProgressBar(STEPS, { label: "encoder-decoder" });
const vanillaRun = await trainSeq2Seq(vanilla, corpus.train, {
  steps: STEPS, batchSize: 64, learningRate: 0.01, seed: 0,
  onStep: (s, loss) => bar.update(s + 1, { loss: loss.toFixed(3) }),
});
await bar.finish();
const smooth = (xs: number[], k = 50) => xs.map((_, i) => { const w = xs.slice(Math.max(0, i - k + 1), i + 1); return w.reduce((a, b) => a + b) / w.length; });
plot({
  data: [{ y: vanillaRun.losses, name: "loss", opacity: 0.3 }, { y: smooth(vanillaRun.losses), name: "moving mean (50)" }],
  layout: { title: `Encoder-decoder training loss (${vanillaRun.seconds.toFixed(0)} s)`, xaxis: { title: "step" }, yaxis: { title: "cross-entropy" } },
});
'''),
    md(r'''
Greedy decoding: start from `<bos>`, feed each step's most likely word back in, stop at `<eos>`.
'''),
    code(r'''
const examples = [2, 5, 9, 14, 20, 25].map((L) => corpus.test.find((p) => p.source.split(" ").length === L)!).filter(Boolean);
const outs = vanilla.translate(examples.map((p) => p.source));
for (const [i, p] of examples.entries()) console.log(`${p.source}\n  model: ${outs[i]}\n  truth: ${p.target}\n`);
'''),
    md(r'''
## 4 · The fixed-size context, measured

Every source sentence, 2 words or 25, must pass through the same $4H$ numbers. Exact match and
token accuracy (output word $i$ equals reference word $i$; missing and extra words count as errors)
on the test set, by source length:
'''),
    code(r'''
const tEval = performance.now();
const vanillaEval = evaluateByLength(vanilla, corpus.test);
console.log(`evaluated ${corpus.test.length} sentences in ${((performance.now() - tEval) / 1000).toFixed(1)} s`);
console.log(formatLengthTable({ "encoder-decoder": vanillaEval.rows }));
plot({
  data: [
    { x: vanillaEval.rows.map((r) => r.length), y: vanillaEval.rows.map((r) => r.exactMatch), name: "exact match", mode: "lines+markers" },
    { x: vanillaEval.rows.map((r) => r.length), y: vanillaEval.rows.map((r) => r.tokenAccuracy), name: "token accuracy", mode: "lines+markers" },
  ],
  layout: { title: "Encoder-decoder LSTM: test accuracy by source length", xaxis: { title: "English words" }, yaxis: { title: "accuracy", range: [0, 1.02] } },
});
'''),
    md(r'''
**Are early words forgotten?** Accuracy falls with length, but that alone does not say *which*
words go wrong. For sentences of 15 words or more, the token accuracy at each position of the
reference translation, with positions scaled to 0 (first word) … 1 (last word). If the start of
long inputs were forgotten, the left of this curve would be lowest. (This encoder reads backwards,
so the start of the English sentence is what it read *last*; the end of it was read first.)
'''),
    code(r'''
function accuracyByPosition(preds: string[], pairs: { source: string; target: string }[], minLen = 15, bins = 10) {
  const hit = new Array(bins).fill(0), tot = new Array(bins).fill(0);
  pairs.forEach((p, i) => {
    if (p.source.split(" ").length < minLen) return;
    const ref = p.target.split(" "), out = preds[i].split(" ");
    ref.forEach((w, j) => {
      const bin = Math.min(bins - 1, Math.floor((j / (ref.length - 1)) * bins));
      tot[bin]++;
      if (out[j] === w) hit[bin]++;
    });
  });
  return hit.map((h, k) => ({ position: (k + 0.5) / bins, accuracy: tot[k] ? h / tot[k] : NaN }));
}
const vanillaPos = accuracyByPosition(vanillaEval.predictions, corpus.test);
plot({
  data: [{ x: vanillaPos.map((r) => r.position), y: vanillaPos.map((r) => r.accuracy), mode: "lines+markers", name: "encoder-decoder" }],
  layout: { title: "Sentences of 15+ words: token accuracy by position in the output", xaxis: { title: "relative position (0 = first word)" }, yaxis: { title: "accuracy", range: [0, 1.02] } },
});
'''),
    code(r'''
const first = vanillaPos.slice(0, 3).reduce((a, r) => a + r.accuracy, 0) / 3;
const last = vanillaPos.slice(-3).reduce((a, r) => a + r.accuracy, 0) / 3;
markdown(
  `Overall on the test set: exact match **${(100 * vanillaEval.overall.exactMatch).toFixed(1)}%**, token accuracy ` +
    `**${(100 * vanillaEval.overall.tokenAccuracy).toFixed(1)}%**. For 15+ word sentences, the first 30% of positions ` +
    `score ${(100 * first).toFixed(1)}% and the last 30% score ${(100 * last).toFixed(1)}%.`,
);
'''),
    md(r'''
The numbers above say which end is higher in this run. Position-wise accuracy mixes two effects,
though. A decoder that drops or inserts one word shifts every later word, so later positions are
penalised for an error made earlier; and the decoder itself is also an LSTM whose memory of the
context vector fades as it writes. Reading backwards moves the problem rather than removing it: the
first English words are now fresh, the last ones were read first and must survive the whole
sentence in the encoder and then the whole output in the decoder. The early-word forgetting the
notes describe (for an encoder reading forwards) would show as a low left end; whichever end is
lower above is what this model actually does. Either way the whole sentence has to squeeze through $4H$ numbers, and the
length curve shows the cost. Notebook 04 adds attention: a direct path from every encoder output
to every decoder step.
'''),
    code(r'''
// Save the measurements for notebooks 04 and 05, which compare against this model.
Deno.mkdirSync("../data/results", { recursive: true });
Deno.writeTextFileSync("../data/results/03_seq2seq_lstm.json", JSON.stringify({
  smoke: SMOKE, data: DATA, setup: SETUP, steps: STEPS, seconds: vanillaRun.seconds, parameters: vanilla.parameterCount(),
  rows: vanillaEval.rows, overall: vanillaEval.overall, byPosition: vanillaPos,
  addition: { epochs: EPOCHS, seconds: addSeconds, exact: addExact, byDigits: digitRows },
}, null, 1));
vanilla.dispose();
keras.dispose();
console.log("tensors still allocated:", tf.memory().numTensors);
'''),
]

nb(cells, "notebooks/03_seq2seq_lstm.ipynb")
