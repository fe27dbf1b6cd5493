"""Generates notebooks/07_llms_are_trained_cpus.ipynb (run from the repository root:
`python3 scripts/notebooks/07_llms_are_trained_cpus.py`); executing the notebook fills the outputs.
With `--script PATH` it also writes the code cells joined into one Deno script, for quick runs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbgen import auto_show, code, md, nb  # noqa: E402

cells = [
    md(r'''
# 07 · LLMs are trained CPUs

The notes compare a language model to a CPU: text is the source code, the **tokenizer is the
compiler**, token ids are the **machine code**, and the model is a processor that runs only the
machine code it was trained on. They make conjectures; here each one becomes an experiment with a
measured answer:

1. **The tokenizer as a compiler**: one sentence through every tokenizer in `lib`, then a trained
   GPT run end to end.
2. **Code for one CPU does not run on another**: a GPT trained with tokenizer A, fed the ids of
   tokenizer B. How much worse, and is the output still "coherent" (a number, defined below)?
3. **"...unless" it is trained for the new instruction set**: adapting to B by retraining only
   the embeddings, the whole model, or a fresh model, at the same budget.
4. **Embedding arithmetic**: word2vec and "King + Woman = Queen", measured on our corpora; then
   the same arithmetic on a GPT's token embeddings.
5. **Encoder-decoder, "programmed" by a prefix**: one model, several tasks, T5-style.
6. **Encoder-only: embeddings**: sentence vectors for search.
7. **Decoder-only**: what the encoder costs in parameters.
8. **Crafting weights by hand**: a transformer programmed without training, checked exactly.
9. **vec2text**: text decoded back from sentence embeddings, and what happens when the encoder is
   swapped (the notes' experiment).

Everything runs on a 2-core CPU, so the models are small. `LLM_SMOKE=1` shrinks every run to a
few steps (the test suite); the committed outputs are a full run.
'''),
    code(r'''
import * as tf from "@tensorflow/tfjs";
import { distance } from "fastest-levenshtein";
import { assert, assertAlmostEquals, assertEquals, assertGreater, assertLess } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { isSmoke, markdown, plot, show } from "../lib/notebook/mod.ts";
import { BatchSampler, loadCorpus } from "../lib/data/mod.ts";
import { ByteBPE, CharTokenizer, loadGPT2, WordPieceBPE, WordTokenizer } from "../lib/tokenizers/mod.ts";
import {
  countParams, evaluateAnalogies, GPT, gptConfig, type GPTConfig, Transformer, Vocab, Word2Vec, wordTokens,
} from "../lib/models/mod.ts";
import { layerNorm } from "../lib/models/layers.ts";
import { cosineSimilarity, encodeSources, meanPool, splitWords, trainSeq2Seq } from "../lib/models/mod.ts";
import { generateToyTranslations } from "../lib/data/mod.ts";
import { AdamW } from "../lib/train/mod.ts";
import { type EvalRecord, Trainer } from "../lib/train/mod.ts";
import { generate } from "../lib/sample/mod.ts";
import { Rng } from "../lib/random.ts";

await initBackend();
const SMOKE = isSmoke();
const t0 = performance.now();
const shakespeare = (await loadCorpus("tinyshakespeare")).text;
const moby = (await loadCorpus("moby-dick")).text;
// The first 90% of each text trains, the rest is held out.
const cut = (s: string) => Math.floor(s.length * 0.9);
const shakesTrain = shakespeare.slice(0, cut(shakespeare)), shakesVal = shakespeare.slice(cut(shakespeare));
const mobyTrain = moby.slice(0, cut(moby));
console.log(`smoke mode: ${SMOKE}; tiny Shakespeare ${shakespeare.length} chars, Moby-Dick ${moby.length} chars`);
'''),
    md(r'''
## 1 · The tokenizer is the compiler

The same "source code" compiled by five tokenizers: characters, whitespace words, the notes'
word-piece encoder, a byte-level BPE trained here on Shakespeare, and GPT-2's. Each produces a
different "machine code": other ids, other lengths. Decoding is the disassembler: where a tokenizer
is lossless, the round trip gives the sentence back exactly.
'''),
    code(r'''
const V = 512; // the vocabulary size of the BPE tokenizers A and B below
const sentence = "To be, or not to be: that is the question.";
const bpeText = SMOKE ? shakesTrain.slice(0, 100_000) : shakesTrain;
const tokenizers = {
  "char": CharTokenizer.fromText(shakespeare),
  "word": WordTokenizer.fromText(shakespeare, { vocabSize: 5000 }),
  "word-piece": new WordPieceBPE({ vocabSize: 2000 }).fit(shakespeare.split("\n")),
  "byte BPE (A)": ByteBPE.train(bpeText, V),
  "GPT-2": loadGPT2(),
};
const rows = Object.entries(tokenizers).map(([name, tok]) => {
  const ids = tok.encode(sentence);
  const back = tok.decode(ids);
  return { name, vocab: tok.vocabSize, n: ids.length, ids, back, exact: back === sentence };
});
await show(markdown([
  "| tokenizer | vocabulary | ids | machine code | decoded | exact round trip |",
  "|---|---:|---:|---|---|:-:|",
  ...rows.map((r) => `| ${r.name} | ${r.vocab} | ${r.n} | \`${r.ids.join(" ")}\` | ${JSON.stringify(r.back)} | ${r.exact ? "yes" : "no"} |`),
].join("\n")));
'''),
    code(r'''
// Lossless compilers give the text back; the word-level ones lose case, spacing or punctuation.
for (const name of ["char", "byte BPE (A)", "GPT-2"]) assert(rows.find((r) => r.name === name)!.exact, name);
const lengths = Object.fromEntries(rows.map((r) => [r.name, r.n]));
assert(lengths["char"] > lengths["byte BPE (A)"] && lengths["byte BPE (A)"] >= lengths["GPT-2"]);
console.log("ids per sentence:", lengths);
'''),
    md(r'''
The larger the vocabulary, the shorter the program: 42 characters are 42 "instructions" for the
char tokenizer and less than a third of that for GPT-2. The word and word-piece tokenizers are
lossy compilers (they lowercase, split off punctuation, or turn a word they never saw into an
unknown token), so their round trip is not exact.

Now the CPU. We train a small GPT on Shakespeare compiled by tokenizer **A** (the byte-level BPE
above, 512 ids) and run the whole pipeline: encode → forward → sample → decode.
'''),
    code(r'''
const bpeA = tokenizers["byte BPE (A)"] as ByteBPE;
const encodeAll = (tok: { encode(s: string): number[] }, text: string) => Int32Array.from(tok.encode(text));
const trainA = encodeAll(bpeA, shakesTrain), valA = encodeAll(bpeA, shakesVal);
const config: GPTConfig = gptConfig("baby", { vocabSize: V, nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 64 });
const STEPS = SMOKE ? 20 : 600;
const trainConfig = (steps: number, lr = 3e-3) => ({
  maxIters: steps, batchSize: 16, blockSize: 64, lr, minLr: lr / 10, warmupIters: Math.min(50, steps / 10),
  lrDecayIters: steps, evalInterval: Math.max(5, Math.floor(steps / 10)), evalIters: SMOKE ? 2 : 10, seed: 7,
});
const modelA = new GPT(config, { seed: 1 });
const runA = await new Trainer({ model: modelA, train: trainA, val: valA, config: trainConfig(STEPS) }).run();
console.log(`GPT (${modelA.numParams()} parameters) on A: val loss ${runA.last!.valLoss.toFixed(3)} after ${STEPS} steps, ${runA.seconds.toFixed(0)} s`);
'''),
    code(r'''
const prompt = "ROMEO:\nWhat light";
const promptIds = bpeA.encode(prompt);
const logits = modelA.forward(tf.tensor2d([promptIds], [1, promptIds.length], "int32"));
const nextProbs = tf.tidy(() => tf.softmax(logits.slice([0, promptIds.length - 1, 0], [1, 1, V]).reshape([V])));
const top = Array.from((await tf.topk(nextProbs, 5).indices.data()));
const probs = await nextProbs.data();
tf.dispose([logits, nextProbs]);
console.log(`encode: ${JSON.stringify(prompt)} -> [${promptIds.join(", ")}]`);
console.log("forward: most likely next tokens:", top.map((i) => `${JSON.stringify(bpeA.decode([i]))} ${(probs[i] * 100).toFixed(1)}%`).join(", "));
const outIds = generate(modelA, promptIds, { maxNewTokens: 60, temperature: 0.8, topK: 40, seed: 3 });
console.log(`sample + decode:\n${prompt}${bpeA.decode(outIds)}`);
'''),
    md(r'''
## 2 · Code compiled for one CPU does not run on another

"Code compiled for a certain CPU architecture will not work in a different CPU architecture (ARM
vs. x86); in a similar manner, it is expected that the same happens for the LLM." Two other
"architectures" with exactly the same number of ids (512), so every id is a valid input:

- **B1, a permutation of A**: the same tokens, shuffled ids. The text is compiled by the same
  rules; only the opcode numbering differs.
- **B2, a BPE trained on Moby-Dick**: another compiler, with its own tokens.

We feed the model trained on A the validation text compiled by A, B1 and B2 and measure the loss
(mean cross-entropy per token, in nats) and perplexity $e^{\text{loss}}$. A model that knew
nothing would spread its bet evenly over the 512 ids: loss $\ln 512 = 6.24$.

The notes ask what "coherent" means. A measurable version: sample text, split it into words, and
count the share of words that are **words of the corpus** (exactly, or within Levenshtein
distance 1, i.e. one typo away, using `fastest-levenshtein`).
'''),
    code(r'''
const perm = Array.from({ length: V }, (_, i) => i);
const rng = new Rng(11);
for (let i = V - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
const inverse = new Int32Array(V);
perm.forEach((p, i) => (inverse[p] = i));
// B1 compiles with A's rules and renumbers every id.
const bpeB1 = {
  vocabSize: V,
  encode: (s: string) => bpeA.encode(s).map((i) => perm[i]),
  decode: (ids: ArrayLike<number>) => bpeA.decode(Array.from(ids, (i) => inverse[i])),
};
const bpeB2 = ByteBPE.train(SMOKE ? mobyTrain.slice(0, 100_000) : mobyTrain, V);
const compilers = { "A (trained on)": bpeA, "B1 (A permuted)": bpeB1, "B2 (Moby-Dick BPE)": bpeB2 };
assertEquals(bpeB2.vocabSize, V);
const sameTokens = [...Array(V).keys()].filter((i) => bpeA.decode([i]) === bpeB2.decode([i])).length;
console.log(`A and B2 share ${sameTokens} of ${V} tokens at the same id (the 256 single bytes, and a few merges that happen to match)`);

/** Mean loss of `model` on `n` fixed batches of `ids` (the same windows every call). */
function meanLoss(model: GPT, ids: Int32Array, n = SMOKE ? 2 : 20): number {
  const sampler = new BatchSampler(ids, 64, 16, 99);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const { x, y } = sampler.nextTensors();
    const l = model.loss(x, y);
    sum += l.dataSync()[0];
    tf.dispose([x, y, l]);
  }
  return sum / n;
}

// "Coherent": the share of generated words that are words of the corpus, exactly or one edit away.
const corpusWords = new Set(wordTokens(shakespeare));
const byLength = new Map<number, string[]>();
for (const w of corpusWords) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
function coherence(text: string): { words: number; exact: number; near: number } {
  const words = wordTokens(text);
  let exact = 0, near = 0;
  for (const w of words) {
    if (corpusWords.has(w)) { exact++; near++; continue; }
    const close = [w.length - 1, w.length, w.length + 1].some((n) => (byLength.get(n) ?? []).some((c) => distance(w, c) <= 1));
    if (close) near++;
  }
  return { words: words.length, exact: words.length ? exact / words.length : 0, near: words.length ? near / words.length : 0 };
}
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
'''),
    code(r'''
const SAMPLES = SMOKE ? 1 : 4, SAMPLE_TOKENS = SMOKE ? 20 : 150;
const prompts = ["ROMEO:\n", "First Citizen:\n", "KING RICHARD III:\n", "JULIET:\n"];
const compat: { name: string; loss: number; text: string; words: number; exact: number; near: number }[] = [];
for (const [name, tok] of Object.entries(compilers)) {
  const loss = meanLoss(modelA, encodeAll(tok, shakesVal));
  let text = "";
  for (let s = 0; s < SAMPLES; s++) {
    const ids = generate(modelA, tok.encode(prompts[s]), { maxNewTokens: SAMPLE_TOKENS, temperature: 0.8, topK: 40, seed: s });
    text += tok.decode(ids) + "\n";
  }
  compat.push({ name, loss, text, ...coherence(text) });
}
// For scale: held-out Shakespeare itself (some of its words never occur in the rest of the text).
const reference = coherence(shakesVal.slice(0, 5000));
await show(markdown([
  "| fed ids from | val loss (nats) | perplexity | vs ln V = 6.24 | generated words | corpus words (exact) | within 1 edit |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...compat.map((c) => `| ${c.name} | ${c.loss.toFixed(3)} | ${Math.exp(c.loss).toFixed(1)} | ${(c.loss - Math.log(V) >= 0 ? "+" : "") + (c.loss - Math.log(V)).toFixed(2)} | ${c.words} | ${pct(c.exact)} | ${pct(c.near)} |`),
  `| (real validation text) | | | | ${reference.words} | ${pct(reference.exact)} | ${pct(reference.near)} |`,
].join("\n")));
'''),
    code(r'''
for (const c of compat) console.log(`--- model trained on A, fed ${c.name} ---\n${c.text.slice(0, 400)}\n`);
'''),
    code(r'''
const [onA, onB1, onB2] = compat;
if (!SMOKE) {
  assertLess(onA.loss, Math.log(V)); // the model learned something
  assertGreater(onB1.loss, Math.log(V)); // and the wrong machine code is worse than knowing nothing
  assertGreater(onB2.loss, onA.loss + 1);
}
await show(markdown(
  `**Measured.** Fed its own machine code, the model reaches a loss of ${onA.loss.toFixed(2)} ` +
  `(perplexity ${Math.exp(onA.loss).toFixed(0)}) and ${pct(onA.exact)} of its sampled words are Shakespeare's words. ` +
  `Fed the permuted ids (B1) its loss is ${onB1.loss.toFixed(2)} and fed B2's ${onB2.loss.toFixed(2)}: ` +
  `${onB1.loss > Math.log(V) && onB2.loss > Math.log(V) ? "both worse than the uniform guess ln 512 = 6.24, because the model confidently predicts the wrong ids" : "far from A's"}. ` +
  `Its samples keep ${pct(onB1.exact)} (B1) and ${pct(onB2.exact)} (B2) corpus words. ` +
  (onB1.loss > onA.loss + 1 && onB2.loss > onA.loss + 0.5
    ? `The conjecture holds: code compiled for one "CPU" does not run well on another, even with the same instruction count. `
    : `At this training budget the gap is small, so this run supports the conjecture only weakly. `) +
  (onB2.loss < onB1.loss
    ? `B2 hurts less than B1: the two compilers agree on the 256 single bytes (same ids), so part of B2's machine code is still A's.`
    : `B2 hurts at least as much as B1.`),
));
'''),
    md(r'''
## 3 · "...unless" it is trained for the new instruction set

The notes: the model works with an embedding language "if and only if the model is trained with
such embeddings", and "it is likely that certain capabilities for the model will prevail, as it
happens when we attempt transfer learning". We adapt the A-model to B2 (and to B1) in three ways,
each with the same number of steps on Shakespeare compiled by the new tokenizer:

- **embeddings only**: every weight frozen except the token embedding (which is also the output
  layer, GPT-2 ties them): the "body" must keep working as it is;
- **whole model**: every weight trains, starting from A's;
- **fresh**: a new model from random weights, the baseline without transfer.

If capabilities "prevail", the first two should recover faster than the fresh model.
'''),
    code(r'''
const ADAPT = SMOKE ? 10 : 200;
function copyOf(src: GPT): GPT {
  const m = new GPT(src.config, { seed: 2 });
  for (const [name, v] of src.params) m.params.get(name)!.assign(v);
  return m;
}
const adaptRuns: { target: string; how: string; history: EvalRecord[]; final: number }[] = [];
for (const [target, tok] of [["B2 (Moby-Dick BPE)", bpeB2], ["B1 (A permuted)", bpeB1]] as const) {
  const train = encodeAll(tok, shakesTrain), val = encodeAll(tok, shakesVal);
  const ways = target.startsWith("B1") ? ["embeddings only", "fresh"] : ["embeddings only", "whole model", "fresh"];
  for (const how of ways) {
    const model = how === "fresh" ? new GPT(config, { seed: 5 }) : copyOf(modelA);
    const trainer = new Trainer({
      model, train, val, config: trainConfig(ADAPT),
      freeze: how === "embeddings only" ? (name: string) => name !== "transformer.wte.weight" : undefined,
    });
    const run = await trainer.run();
    trainer.dispose();
    adaptRuns.push({ target, how, history: run.history, final: meanLoss(model, val) });
    model.dispose();
  }
}
await show(plot({
  data: adaptRuns.map((r) => ({
    x: r.history.map((h) => h.step), y: r.history.map((h) => h.valLoss), name: `${r.target}: ${r.how}`, mode: "lines+markers",
    line: { dash: r.target.startsWith("B1") ? "dot" : "solid" },
  })).concat([{ x: [0, ADAPT], y: [onA.loss, onA.loss], name: "original model on A", mode: "lines", line: { dash: "dash" } } as never]),
  layout: { title: `Recovering on a new tokenizer, ${ADAPT} steps each`, xaxis: { title: "step" }, yaxis: { title: "val loss (nats)" } },
}));
'''),
    code(r'''
const find = (t: string, h: string) => adaptRuns.find((r) => r.target.startsWith(t) && r.how === h)!;
const e2 = find("B2", "embeddings only"), w2 = find("B2", "whole model"), f2 = find("B2", "fresh"), e1 = find("B1", "embeddings only"), f1 = find("B1", "fresh");
await show(markdown([
  "| new tokenizer | adapted how | val loss after | vs the original model on A |",
  "|---|---|---:|---:|",
  ...adaptRuns.map((r) => `| ${r.target} | ${r.how} | ${r.final.toFixed(3)} | ${(r.final - onA.loss >= 0 ? "+" : "") + (r.final - onA.loss).toFixed(3)} |`),
].join("\n")));
'''),
    code(r'''
await show(markdown(
  `**Measured.** With the same ${ADAPT} steps on B2, retraining only the embeddings reaches ${e2.final.toFixed(2)}, ` +
  `the whole model ${w2.final.toFixed(2)} and a fresh model ${f2.final.toFixed(2)} (the original on A: ${onA.loss.toFixed(2)}). ` +
  `For the permutation B1, embeddings alone reach ${e1.final.toFixed(2)} against ${f1.final.toFixed(2)} from scratch. ` +
  (e2.final < f2.final && w2.final < f2.final
    ? "Both transfers beat the fresh model: the body's capabilities do prevail, and relearning the instruction set (the embeddings) is most of the work."
    : "Transfer did not beat the fresh model here at this budget, so this run does not support the conjecture.") +
  (e1.final < f1.final - 0.05
    ? ` The permutation needs no new knowledge at all, only the renumbering of ${V} rows, and retraining the embeddings alone does beat a fresh start there.`
    : ` For the permutation, though, retraining the embeddings alone is no better than a fresh start at this budget: every row must travel to another id's place, and ${ADAPT} small steps from the wrong starting point are worth about as much as ${ADAPT} from a random one. The knowledge is all there, but the optimizer does not find the renumbering quickly.`),
));
'''),

    md(r'''
## 4 · Embedding arithmetic

The notes recall word2vec's famous property, "King + Woman = Queen", i.e. the vector of *king*
minus *man* plus *woman* lands nearest to *queen*. `lib/models/word2vec.ts` trains skip-gram with
negative sampling: each word has an input vector $v$ and an output vector $u$; for a word and a
word seen near it (the context, $o$) plus $K$ random "noise" words $k$ drawn with probability
$\propto \text{count}^{3/4}$, the loss is

$$-\log\sigma(u_o\cdot v) - \sum_{k=1}^{K}\log\sigma(-u_k\cdot v).$$

By hand first: the output vectors start at zero, so every dot product is 0, $\sigma(0) = 1/2$, and
the first loss must be $(1+K)\ln 2$.
'''),
    code(r'''
const W2V_STEPS = SMOKE ? 20 : 1000;
const w2v: Record<string, Word2Vec> = {};
for (const [name, text] of [["Shakespeare", shakespeare], ["Moby-Dick", moby]] as const) {
  const model = new Word2Vec(wordTokens(text), { dim: 64, window: 4, negatives: 5, minCount: 5, seed: 1 });
  const losses = await model.train({ steps: W2V_STEPS, batchSize: 1024, lr: 0.01 });
  assertAlmostEquals(losses[0], 6 * Math.log(2), 1e-4); // (1 + K) ln 2 with K = 5
  console.log(`${name}: ${model.vocabSize} words, ${model.trainingWords} training words after subsampling; loss ${losses[0].toFixed(3)} -> ${losses.slice(-50).reduce((a, b) => a + b, 0) / Math.min(50, losses.length)}`);
  w2v[name] = model;
}
'''),
    code(r'''
const probe = ["king", "love", "sea", "night", "sword", "father"];
const neighbourRows = probe.map((w) => `| ${w} | ${Object.entries(w2v).map(([, m]) => m.has(w) ? m.nearest(w, 6).map((n) => n.word).join(", ") : "(not in vocabulary)").join(" | ")} |`);
await show(markdown(["| word | nearest in Shakespeare | nearest in Moby-Dick |", "|---|---|---|", ...neighbourRows].join("\n")));
'''),
    md(r'''
The arithmetic by hand: normalise the three vectors, form $\hat b - \hat a + \hat c$, and look for
the word whose vector has the highest cosine with it, leaving out the three question words (as the
original evaluation does; otherwise $b$ or $c$ itself usually wins). `analogy` must agree.
'''),
    code(r'''
const ws = w2v["Shakespeare"];
const unitVec = (v: Float32Array) => { const n = Math.hypot(...v); return Array.from(v, (x) => x / n); };
const [vk, vm, vw] = ["king", "man", "woman"].map((w) => unitVec(ws.vector(w)));
const target = vk.map((_, d) => vk[d] - vm[d] + vw[d]);
let best = "", bestSim = -2;
for (const word of ws.vocab) {
  if (["king", "man", "woman"].includes(word)) continue;
  const u = unitVec(ws.vector(word));
  const sim = u.reduce((acc, x, d) => acc + x * target[d], 0) / Math.hypot(...target);
  if (sim > bestSim) [best, bestSim] = [word, sim];
}
const libTop = ws.analogy("man", "king", "woman", 5);
assertEquals(libTop[0].word, best);
console.log(`king - man + woman ≈ ${best} (cosine ${bestSim.toFixed(3)}); top 5: ${libTop.map((n) => n.word).join(", ")}`);
'''),
    md(r'''
One example proves little. A small analogy test written for these corpora: pairs related the
same way (gender, singular→plural), and every ordered combination of two pairs in a group is a
question "a is to b as c is to ?". Accuracy@1 (the answer is the top word) and @5 (among the top
5), next to guessing at random among the vocabulary.
'''),
    code(r'''
const groups: Record<string, [string, string][]> = {
  gender: [["king", "queen"], ["man", "woman"], ["he", "she"], ["his", "her"], ["lord", "lady"], ["father", "mother"], ["son", "daughter"],
    ["brother", "sister"], ["husband", "wife"], ["boy", "girl"], ["sir", "madam"], ["uncle", "aunt"], ["duke", "duchess"], ["prince", "princess"]],
  plural: [["lord", "lords"], ["king", "kings"], ["eye", "eyes"], ["hand", "hands"], ["friend", "friends"], ["word", "words"], ["day", "days"],
    ["night", "nights"], ["thing", "things"], ["heart", "hearts"], ["ship", "ships"], ["whale", "whales"], ["man", "men"], ["sea", "seas"]],
};
const questionsOf = (pairs: [string, string][]) =>
  pairs.flatMap(([a, b]) => pairs.filter(([c]) => c !== a).map(([c, d]) => ({ a, b, c, expected: d })));
const analogyRows: string[] = [];
const scores: Record<string, ReturnType<typeof evaluateAnalogies>> = {};
for (const [corpus, model] of Object.entries(w2v)) {
  for (const [group, pairs] of Object.entries(groups)) {
    const s = evaluateAnalogies(model, questionsOf(pairs));
    scores[`${corpus}/${group}`] = s;
    analogyRows.push(`| ${corpus} | ${group} | ${s.asked} (${s.skipped} skipped) | ${pct(s.acc1)} | ${pct(s.acc5)} | ${pct(s.random1)} / ${pct(s.random5)} |`);
  }
}
await show(markdown(["| corpus | relation | questions asked | acc@1 | acc@5 | random @1 / @5 |", "|---|---|---:|---:|---:|---:|", ...analogyRows].join("\n")));
'''),
    code(r'''
const sg = scores["Shakespeare/gender"], sp = scores["Shakespeare/plural"];
console.log("some answers (Shakespeare, gender):");
for (const { question: q, top } of sg.answers.slice(0, 8)) console.log(`  ${q.a} : ${q.b} :: ${q.c} : ?  expected ${q.expected}, got ${top.join(", ")}`);
'''),
    md(r'''
A picture of the offsets: the gender pairs projected on their two principal components (PCA by
hand: centre the vectors, then power iteration on the covariance for the two largest
eigenvectors). If "female minus male" were one direction, the arrows would be parallel.
'''),
    code(r'''
function pca2(rows: number[][]): number[][] {
  const n = rows.length, d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / n);
  const X = rows.map((r) => r.map((x, j) => x - mean[j]));
  const cov = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => X.reduce((a, r) => a + r[i] * r[j], 0) / n));
  const comps: number[][] = [];
  for (let c = 0; c < 2; c++) {
    let v = Array.from({ length: d }, (_, j) => Math.sin(j + 1 + c));
    for (let it = 0; it < 200; it++) {
      let w = cov.map((row) => row.reduce((a, x, j) => a + x * v[j], 0));
      for (const p of comps) { const dot = w.reduce((a, x, j) => a + x * p[j], 0); w = w.map((x, j) => x - dot * p[j]); }
      const norm = Math.hypot(...w);
      v = w.map((x) => x / norm);
    }
    comps.push(v);
  }
  return X.map((r) => comps.map((p) => r.reduce((a, x, j) => a + x * p[j], 0)));
}
const shown = groups.gender.filter(([a, b]) => ws.has(a) && ws.has(b)).slice(0, 8);
const pts = pca2(shown.flatMap(([a, b]) => [unitVec(ws.vector(a)), unitVec(ws.vector(b))]));
await show(plot({
  data: shown.map(([a, b], i) => ({
    x: [pts[2 * i][0], pts[2 * i + 1][0]], y: [pts[2 * i][1], pts[2 * i + 1][1]], text: [a, b], mode: "lines+markers+text",
    textposition: "top center", name: `${a} → ${b}`,
  })),
  layout: { title: "word2vec (Shakespeare): male → female offsets, first two principal components", xaxis: { title: "PC 1" }, yaxis: { title: "PC 2" } },
}));
'''),
    md(r'''
The same arithmetic on a GPT's token embeddings: the rows of `transformer.wte.weight` of the model
trained on A in section 1. Its tokens are BPE pieces, so only words that are one token (with their
leading space) can take part.
'''),
    code(r'''
const wte = modelA.params.get("transformer.wte.weight")!.arraySync() as number[][];
const wteUnit = wte.map((r) => { const n = Math.hypot(...r); return r.map((x) => x / n); });
const singleToken = (w: string) => { const ids = bpeA.encode(" " + w); return ids.length === 1 ? ids[0] : undefined; };
function nearestTokens(query: number[], k: number, skip: number[]): number[] {
  const n = Math.hypot(...query);
  return wteUnit.map((r, i) => [r.reduce((a, x, j) => a + x * query[j], 0) / n, i])
    .filter(([, i]) => !skip.includes(i)).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, i]) => i);
}
const show1 = (i: number) => JSON.stringify(bpeA.decode([i]));
const gptProbe = ["the", "and", "my", "he", "thou", "king", "love"].filter((w) => singleToken(w) !== undefined);
for (const w of gptProbe) {
  const id = singleToken(w)!;
  console.log(`${JSON.stringify(" " + w)}: ${nearestTokens(wteUnit[id], 6, [id]).map(show1).join(", ")}`);
}
let gptAsked = 0, gptHit1 = 0, gptHit5 = 0;
for (const pairs of Object.values(groups)) {
  for (const q of questionsOf(pairs)) {
    const ids = [q.a, q.b, q.c, q.expected].map(singleToken);
    if (ids.some((i) => i === undefined)) continue;
    const [a, b, c, d] = ids as number[];
    const top = nearestTokens(wteUnit[b].map((x, j) => x - wteUnit[a][j] + wteUnit[c][j]), 5, [a, b, c]);
    gptAsked++;
    if (top[0] === d) gptHit1++;
    if (top.includes(d)) gptHit5++;
  }
}
const gptRandom = 1 / (V - 3);
console.log(`GPT token embeddings: ${gptAsked} analogy questions have all four words as single tokens; acc@1 ${pct(gptAsked ? gptHit1 / gptAsked : 0)}, acc@5 ${pct(gptAsked ? gptHit5 / gptAsked : 0)} (random @1 ${pct(gptRandom)})`);
'''),
    code(r'''
const wsAll = [sg, sp].reduce((a, s) => ({ asked: a.asked + s.asked, hit1: a.hit1 + s.acc1 * s.asked, hit5: a.hit5 + s.acc5 * s.asked }), { asked: 0, hit1: 0, hit5: 0 });
await show(markdown(
  `**Measured.** On Shakespeare, word2vec answers ${pct(wsAll.hit1 / Math.max(1, wsAll.asked))} of ${wsAll.asked} analogy questions at rank 1 and ` +
  `${pct(wsAll.hit5 / Math.max(1, wsAll.asked))} in the top 5, against ${pct(sg.random1)} / ${pct(sg.random5)} for a random guess; ` +
  `king − man + woman gives "${best}". ` +
  (wsAll.hit5 / Math.max(1, wsAll.asked) > 5 * sg.random5
    ? `So vector arithmetic is above chance even from a million characters, but nearly useless at this scale (the original word2vec used billions of words); the nearest neighbours are the better evidence that the vectors carry meaning. `
    : `At this scale (a million characters; the original word2vec used billions of words) the arithmetic is barely above chance: the conjecture needs far more text than we have here. `) +
  `The GPT's token embeddings are another story: only ${gptAsked} questions can even be asked, because most of these words are several BPE pieces` +
  (gptAsked ? `, and they answer ${gptHit1} at rank 1 and ${gptHit5} in the top 5` : "") +
  `. Their nearest neighbours (above) group tokens that can take each other's place in the next-token prediction, such as determiners with determiners ` +
  `and pronouns with pronouns: a grammatical similarity, learned because the rows feed and read out a next-token model, rather than the topical one word2vec's context windows give.`,
));
for (const m of Object.values(w2v)) m.dispose();
'''),

    md(r'''
## 5 · Encoder-decoder: a latent space you can program

In an encoder-decoder the encoder turns the input into a latent representation and the decoder
"executes" it. The notes: the encoder "kind of programs how it wants the Decoder to behave", as
T5 is programmed by prefixes in the prompt. One `lib` `Transformer` (2 + 2 layers, width 64) is
trained on three tasks over digit strings, selected only by the first word: `copy:`, `reverse:`
and `sort:`. Then we measure each task on held-out strings, and feed it a prefix it never saw.
'''),
    code(r'''
const TASKS: Record<string, (xs: string[]) => string[]> = {
  "copy:": (xs) => xs, "reverse:": (xs) => [...xs].reverse(), "sort:": (xs) => [...xs].sort(),
};
const DIGITS = [..."0123456789"];
function digitStrings(n: number, seed: number): string[][] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 3 + r.int(4) }, () => DIGITS[r.int(10)]));
}
const asPairs = (strings: string[][]) => strings.flatMap((xs) => Object.entries(TASKS).map(([p, f]) => ({ source: `${p} ${xs.join(" ")}`, target: f(xs).join(" ") })));
const heldOut = digitStrings(SMOKE ? 20 : 200, 2);
const seen = new Set(heldOut.map((xs) => xs.join("")));
const prefixTrain = asPairs(digitStrings(SMOKE ? 100 : 3000, 1).filter((xs) => !seen.has(xs.join(""))));
const t5 = new Transformer({
  sourceVocab: new Vocab([...Object.keys(TASKS), ...DIGITS]), targetVocab: new Vocab(DIGITS),
  maxSourceLength: 8, maxTargetLength: 8, dModel: 64, nHead: 4, layers: 2, seed: 1,
});
const T5_STEPS = SMOKE ? 10 : 700;
const t5Run = await trainSeq2Seq(t5, prefixTrain, { steps: T5_STEPS, batchSize: 64, learningRate: 0.002 });
console.log(`${prefixTrain.length} training pairs, ${T5_STEPS} steps in ${t5Run.seconds.toFixed(0)} s, last loss ${t5Run.losses.at(-1)!.toFixed(3)}`);
const exactShare = (got: string[], want: string[]) => got.filter((g, i) => g === want[i]).length / want.length;
const prefixRows = Object.entries(TASKS).map(([p, f]) => {
  const got = t5.translate(heldOut.map((xs) => `${p} ${xs.join(" ")}`));
  return { p, acc: exactShare(got, heldOut.map((xs) => f(xs).join(" "))) };
});
// A prefix it never saw, and no prefix at all: which known program, if any, does it run?
const strange = Object.fromEntries([["shuffle: (unknown word)", "shuffle:"], ["(no prefix)", ""]].map(([label, p]) => {
  const got = t5.translate(heldOut.map((xs) => `${p} ${xs.join(" ")}`.trim()), { unknown: "unk" });
  return [label, Object.fromEntries(Object.entries(TASKS).map(([q, f]) => [q, exactShare(got, heldOut.map((xs) => f(xs).join(" ")))]))];
}));
await show(markdown([
  "| prefix | exact match on held-out strings |", "|---|---:|",
  ...prefixRows.map((r) => `| \`${r.p}\` | ${pct(r.acc)} |`),
  "", "| unseen input | output equals copy | equals reverse | equals sort |", "|---|---:|---:|---:|",
  ...Object.entries(strange).map(([label, m]) => `| ${label} | ${pct(m["copy:"])} | ${pct(m["reverse:"])} | ${pct(m["sort:"])} |`),
].join("\n")));
'''),
    code(r'''
const sampleDigits = heldOut[0].join(" ");
for (const p of [...Object.keys(TASKS), "shuffle:"]) console.log(`${p} ${sampleDigits} -> ${t5.translate([`${p} ${sampleDigits}`], { unknown: "unk" })[0]}`);
const unk = strange["shuffle: (unknown word)"];
const [bestTask, bestShare] = Object.entries(unk).sort((a, b) => b[1] - a[1])[0];
t5.dispose();
await show(markdown(
  `**Measured.** One set of weights runs three programs chosen by one word: ${prefixRows.map((r) => `\`${r.p}\` ${pct(r.acc)}`).join(", ")} exact on held-out strings. ` +
  `Given a prefix it never saw, its output matches \`${bestTask}\` ${pct(bestShare)} of the time ` +
  `(${Object.entries(unk).map(([k, v]) => `${k} ${pct(v)}`).join(", ")}): like a CPU fed an unknown opcode, it does not fail loudly, it runs ` +
  `${bestShare > 0.5 ? "one of the known programs" : "none of the known programs exactly"}. ` +
  (prefixRows.every((r) => r.acc > 0.8)
    ? `The conjecture holds at this scale: the prefix is an instruction that the encoder turns into a different latent program for the same decoder.`
    : `At this training budget the three programs are not all learned, so the prefix works only partly as an instruction.`),
));
'''),
    md(r'''
## 6 · Encoder-only: embeddings

An encoder alone turns a sentence into vectors; their mean over the words (mean pooling,
`meanPool` in `lib/models/pooling.ts`) is one **sentence embedding**, usable for search. We train
two `Transformer`s on notebook 03's toy English→Italian translations and keep their encoders:
encoder 1 (width 64, seed 1) and encoder 2 (width 32, seed 2, so a different "embedding language"
of a different size). By hand first: the pooled vector is the plain average of the word vectors.
'''),
    code(r'''
const toy = generateToyTranslations({ seed: 0, train: SMOKE ? 300 : 6000, validation: 0, test: SMOKE ? 40 : 400, maxLength: 8 });
const enVocab = Vocab.fromSentences([...toy.train, ...toy.test].map((p) => p.source));
const itVocab = Vocab.fromSentences([...toy.train, ...toy.test].map((p) => p.target));
const ENC_STEPS = SMOKE ? 10 : 600;
const encoders: Transformer[] = [];
for (const [dModel, seed] of [[64, 1], [32, 2]]) {
  const model = new Transformer({ sourceVocab: enVocab, targetVocab: itVocab, maxSourceLength: 8, maxTargetLength: 10, dModel, nHead: 4, layers: 2, seed });
  const run = await trainSeq2Seq(model, toy.train, { steps: ENC_STEPS, batchSize: 64, seed });
  const test = model.translate(toy.test.slice(0, 100).map((p) => p.source));
  console.log(`encoder ${encoders.length + 1} (width ${dModel}): ${ENC_STEPS} steps in ${run.seconds.toFixed(0)} s; translation exact ${pct(exactShare(test, toy.test.slice(0, 100).map((p) => p.target)))} on held-out`);
  encoders.push(model);
}
/** Mean-pooled encoder outputs (N, d) of `sentences`. */
function embed(model: Transformer, sentences: string[]): tf.Tensor2D {
  const src = encodeSources(sentences, model.sourceVocab, model.maxSourceLength);
  const out = tf.tidy(() => meanPool(model.encode(src), src.mask));
  tf.dispose([src.ids, src.mask]);
  return out;
}
const catSrc = encodeSources(["the cat sleeps"], enVocab, 8);
const catHidden = encoders[0].encode(catSrc);
const hRows = catHidden.arraySync()[0];
const byHand = hRows[0].map((_, j) => (hRows[0][j] + hRows[1][j] + hRows[2][j]) / 3);
const pooled = embed(encoders[0], ["the cat sleeps"]);
Array.from(pooled.dataSync()).forEach((x, j) => assertAlmostEquals(x, byHand[j], 1e-5));
tf.dispose([catSrc.ids, catSrc.mask, catHidden, pooled]);
console.log("mean pooling = the average of the 3 word vectors, checked for all", byHand.length, "dimensions");
'''),
    code(r'''
const library = [...new Set(toy.test.map((p) => p.source))];
const libEmb = embed(encoders[0], library);
const queries = ["the black cat sleeps", "a girl sings", "the old dog eats the red apple"];
const qEmb = embed(encoders[0], queries);
const sims = cosineSimilarity(qEmb, libEmb).arraySync();
tf.dispose([libEmb, qEmb]);
await show(markdown([
  `| query | 3 nearest of ${library.length} held-out sentences (cosine) |`, "|---|---|",
  ...queries.map((q, i) => `| ${q} | ${sims[i].map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([v, j]) => `${library[j]} (${v.toFixed(2)})`).join("; ")} |`),
].join("\n")));
'''),
    md(r'''
The neighbours share words and structure with the query: the embedding keeps what the encoder
needed for translating. The notes' second conjecture about encoders, that swapping one for another
breaks what reads its output "unless a fine tuning is done", is measured in section 9 with a decoder
that reads these embeddings.
'''),
    md(r'''
## 7 · Decoder-only: what the encoder costs

The notes call decoder-only models "simpler" than encoder-decoder models, "that require the
training of the Encoder in addition". In parameters, at the same width and depth: the GPT of
section 1 (2 layers, width 64) against `lib`'s encoder-decoder `Transformer` with 2 encoder and 2
decoder layers of the same width and a vocabulary of the same size. GPT's count by hand first.
'''),
    code(r'''
// By hand: embeddings + positions + per layer (2 LayerNorms, qkv, attention output, MLP) + final LayerNorm.
const C = config.nEmbd, L = config.nLayer;
const perLayer = 2 * (2 * C) + (C * 3 * C + 3 * C) + (C * C + C) + (C * 4 * C + 4 * C) + (4 * C * C + C);
const gptByHand = V * C + config.blockSize * C + L * perLayer + 2 * C;
assertEquals(gptByHand, countParams(config));
assertEquals(gptByHand, modelA.numParams());
const vocabWords = Array.from({ length: V - 4 }, (_, i) => `w${i}`); // 4 reserved tokens + 508 words = 512
const encDec = (layers: number) => {
  const t = new Transformer({ sourceVocab: new Vocab(vocabWords), targetVocab: new Vocab(vocabWords), maxSourceLength: 64, maxTargetLength: 64, dModel: C, nHead: 4, layers });
  const n = t.parameterCount();
  t.dispose();
  return n;
};
const ed = encDec(L), edPerLayerPair = encDec(L + 1) - ed;
const gptOf = (l: number) => countParams({ ...config, nLayer: l });
await show(markdown([
  "| model (width 64, vocabulary 512) | parameters | per extra layer |",
  "|---|---:|---:|",
  `| decoder-only GPT, ${L} layers | ${gptByHand} | ${gptOf(L + 1) - gptOf(L)} |`,
  `| encoder-decoder, ${L} + ${L} layers | ${ed} | ${edPerLayerPair} (one encoder + one decoder layer) |`,
].join("\n")));
'''),
    code(r'''
await show(markdown(
  `**Measured.** At the same width and depth the encoder-decoder has ${(ed / gptByHand).toFixed(2)}× the parameters of the GPT: ` +
  `a whole second stack, a cross-attention block in every decoder layer, and separate input and output embeddings ` +
  `(GPT ties its output layer to its input embedding, and its positions are a learned table instead of fixed sinusoids). ` +
  `"Simpler" holds in the literal sense: one stack, one kind of block, one objective (the next token) on any text.`,
));
'''),
    md(r'''
## 8 · Crafting weights by hand

The notes point to work that programs a transformer's weights by hand. Here is a complete one: a
one-layer, one-head GPT built with `lib`'s own `GPT` class whose weights we set so that it
predicts, at every position, **the previous token**. No training.

- Token $t$ is the one-hot vector $e_t$ in dimensions 0–15, position $p$ the one-hot $e_{16+p}$
  in dimensions 16–31, so the residual stream is $x = e_t + e_{16+p}$ (width 32).
- Every $x$ has exactly two ones, so LayerNorm sees the same mean $m$ and spread $s$ everywhere:
  with its bias set to $m/s$ it is just $x/s$.
- The query of position $p$ is $\alpha\,e_{16+(p-1)}$, every key is the position part, so the
  only large score is for $j = p - 1$: attention looks one step back.
- The value is the token part; the output projection writes it, times $\beta$, onto the token
  dimensions. The MLP is switched off (zero weights), making the model attention-only.
- The LM head is the tied embedding, so the logit of token $v$ is dimension $v$ of the final
  stream: $\beta/s$ for the previous token, $1$ for the current one. The previous token wins.
'''),
    code(r'''
const VT = 16, T = 16, CW = VT + T;
const handConfig: GPTConfig = { vocabSize: VT, blockSize: T, nLayer: 1, nHead: 1, nEmbd: CW, dropout: 0, bias: true };
const hand = new GPT(handConfig);
const setW = (name: string, f: (i: number, j: number) => number) => {
  const v = hand.params.get(name)!;
  const [r, c] = v.shape.length === 2 ? v.shape : [1, v.shape[0]];
  v.assign(tf.tensor(Array.from({ length: r * c }, (_, k) => f(Math.floor(k / c), k % c)), v.shape));
};
const m = 2 / CW, s = Math.sqrt(2 / CW - m * m + 1e-5), alpha = 50, beta = 10;
setW("transformer.wte.weight", (t, d) => (d === t ? 1 : 0));
setW("transformer.wpe.weight", (p, d) => (d === VT + p ? 1 : 0));
setW("transformer.h.0.ln_1.weight", () => 1);
setW("transformer.h.0.ln_1.bias", () => m / s);
setW("transformer.h.0.attn.c_attn.weight", (i, j) => {
  if (j < CW) return i >= VT + 1 && j === i - 1 ? alpha : 0; // query: position p asks for p - 1
  if (j < 2 * CW) return i >= VT && j - CW === i ? 1 : 0; // key: its own position
  return i < VT && j - 2 * CW === i ? 1 : 0; // value: its own token
});
setW("transformer.h.0.attn.c_attn.bias", () => 0);
setW("transformer.h.0.attn.c_proj.weight", (i, j) => (i < VT && i === j ? beta : 0));
setW("transformer.h.0.attn.c_proj.bias", () => 0);
for (const name of ["mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"]) setW(`transformer.h.0.${name}`, () => 0);
setW("transformer.ln_f.weight", () => 1);
setW("transformer.ln_f.bias", () => 0);

const taskRng = new Rng(5);
const randomSeqs = (n: number) => Array.from({ length: n }, () => Array.from({ length: T }, () => taskRng.int(VT)));
/** Share of positions 1..T-1 where the argmax is the previous token. */
function prevTokenAccuracy(model: GPT, seqs: number[][]): number {
  const logits = model.forward(tf.tensor2d(seqs, [seqs.length, T], "int32"));
  const pred = logits.argMax(-1).arraySync() as number[][];
  logits.dispose();
  let ok = 0, n = 0;
  seqs.forEach((row, b) => { for (let p = 1; p < T; p++) { n++; if (pred[b][p] === row[p - 1]) ok++; } });
  return ok / n;
}
const testSeqs = randomSeqs(500);
const handAcc = prevTokenAccuracy(hand, testSeqs);
assertEquals(handAcc, 1);
console.log(`hand-set weights: ${pct(handAcc)} of ${500 * (T - 1)} positions predict the previous token`);
'''),
    md(r'''
For comparison, the same architecture trained on the task (positions' targets are the previous
tokens; here the MLP is trainable too). Its attention pattern is computed from its weights with
`lib`'s `layerNorm`, next to the hand-set one.
'''),
    code(r'''
const trained = new GPT(handConfig, { seed: 3 });
const TASK_STEPS = SMOKE ? 20 : 400;
{
  const opt = new AdamW(trained.params, { weightDecay: 0 });
  const vars = [...trained.params.values()];
  const nameOf = new Map([...trained.params].map(([n, v]) => [v.name, n]));
  for (let step = 0; step < TASK_STEPS; step++) {
    const seqs = randomSeqs(32);
    tf.tidy(() => {
      const x = tf.tensor2d(seqs, [32, T], "int32");
      const y = tf.tensor2d(seqs.map((r) => [r[0], ...r.slice(0, -1)]), [32, T], "int32");
      const { grads } = tf.variableGrads(() => trained.loss(x, y), vars);
      opt.update(Object.fromEntries(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g])), 3e-3);
    });
  }
  opt.dispose();
}
const trainedAcc = prevTokenAccuracy(trained, testSeqs);
console.log(`trained for ${TASK_STEPS} steps: ${pct(trainedAcc)}`);

function attentionMap(model: GPT, seq: number[]): number[][] {
  return tf.tidy(() => {
    const P = (n: string) => model.params.get(n)!;
    const x = tf.add(tf.gather(P("transformer.wte.weight"), seq), P("transformer.wpe.weight").slice([0, 0], [seq.length, CW])) as tf.Tensor2D;
    const a = layerNorm(x, P("transformer.h.0.ln_1.weight"), P("transformer.h.0.ln_1.bias"));
    const qkv = tf.add(tf.matMul(a, P("transformer.h.0.attn.c_attn.weight")), P("transformer.h.0.attn.c_attn.bias"));
    const [q, k] = tf.split(qkv, 3, 1);
    const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(CW));
    const mask = tf.linalg.bandPart(tf.ones([seq.length, seq.length]), -1, 0);
    return tf.softmax(tf.where(tf.cast(mask, "bool"), scores, tf.fill(scores.shape, -1e9))).arraySync() as number[][];
  });
}
const demo = testSeqs[0];
for (const [name, model] of [["hand-set", hand], ["trained", trained]] as const) {
  await show(plot({
    data: [{ type: "heatmap", z: attentionMap(model, demo), colorscale: "Viridis", zmin: 0, zmax: 1 }],
    layout: { title: `${name} weights: attention of each position (row) over earlier positions (column)`, xaxis: { title: "key position" }, yaxis: { title: "query position", autorange: "reversed" } },
  }));
}
'''),
    code(r'''
const offDiag = (map: number[][]) => map.slice(1).reduce((a, row, i) => a + row[i], 0) / (map.length - 1);
const handFocus = offDiag(attentionMap(hand, demo)), trainedFocus = offDiag(attentionMap(trained, demo));
hand.dispose();
trained.dispose();
await show(markdown(
  `**Measured.** The hand-programmed model predicts the previous token at ${pct(handAcc)} of positions with no training; ` +
  `its attention puts ${pct(handFocus)} of each row on the previous position. The trained model reaches ${pct(trainedAcc)} after ${TASK_STEPS} steps ` +
  `and puts ${pct(trainedFocus)} there: ${trainedFocus > 0.5 ? "gradient descent found the same program, a previous-token head" : "it has not (yet) found the same clean pattern"}. ` +
  `Weights are a program: the hand-set ones can be read line by line, the trained ones have to be reverse-engineered.`,
));
'''),

    md(r'''
## 9 · vec2text: text back from an embedding

The notes' last experiment takes a model that decodes sentences from OpenAI's
`text-embedding-ada-002` vectors (wikivec2text) and feeds it other embeddings, zero-padded to the
1536 numbers it expects: the text stays somewhat fluent but loses its meaning. Neither that model
nor OpenAI's embeddings can be downloaded here, so we rebuild the experiment at toy scale, keeping
its structure: a decoder trained on the embeddings of encoder 1 (width 64), then fed encoder 2's
(width 32, zero-padded to 64).

The decoder is small and non-autoregressive: embedding → 256 ReLU units → one softmax over the
English words for each of the 9 output positions (the sentence, then `<eos>`, then padding).
"Coherent" here: the decoded sentence is a sentence of the toy language (it occurs in the corpus),
the analogue of section 2's "real words".
'''),
    code(r'''
const L9 = 9, VE = enVocab.size, H = 256;
const allEnglish = new Set([...toy.train, ...toy.test].map((p) => p.source));
const targetsOf = (sentences: string[]) => sentences.map((s) => {
  const ids = enVocab.encode(s).concat([2]); // then <eos> (id 2)
  return ids.concat(Array(L9 - ids.length).fill(0)); // then <pad> (id 0)
});
function makeDecoder(seed: number) {
  const r = new Rng(seed);
  const init = (n: number, std: number) => Array.from({ length: n }, () => r.normal() * std);
  return new Map<string, tf.Variable>([
    ["w1", tf.tidy(() => tf.variable(tf.tensor2d(init(64 * H, 1 / 8), [64, H])))],
    ["b1", tf.tidy(() => tf.variable(tf.zeros([H])))],
    ["w2", tf.tidy(() => tf.variable(tf.tensor2d(init(H * L9 * VE, 1 / 16), [H, L9 * VE])))],
    ["b2", tf.tidy(() => tf.variable(tf.zeros([L9 * VE])))],
  ]);
}
const decLogits = (d: Map<string, tf.Variable>, e: tf.Tensor2D) =>
  tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(e, d.get("w1")!), d.get("b1")!)), d.get("w2")!), d.get("b2")!).reshape([-1, L9, VE]);
async function trainDecoder(d: Map<string, tf.Variable>, emb: tf.Tensor2D, sentences: string[], steps: number, seed: number) {
  const opt = new AdamW(d, { weightDecay: 0 });
  const y = tf.tensor2d(targetsOf(sentences), undefined, "int32");
  const r = new Rng(seed), n = sentences.length, vars = [...d.values()];
  const nameOf = new Map([...d].map(([k, v]) => [v.name, k]));
  for (let step = 0; step < steps; step++) {
    const idx = tf.tensor1d(Array.from({ length: 128 }, () => r.int(n)), "int32");
    tf.tidy(() => {
      const e = tf.gather(emb, idx) as tf.Tensor2D, t = tf.gather(y, idx);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(t.flatten(), VE), decLogits(d, e).reshape([-1, VE])) as tf.Scalar, vars);
      opt.update(Object.fromEntries(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g])), 3e-3);
    });
    idx.dispose();
    if (step % 50 === 0) await new Promise((res) => setTimeout(res, 0));
  }
  tf.dispose(y);
  opt.dispose();
}
function decode(d: Map<string, tf.Variable>, emb: tf.Tensor2D): string[] {
  const ids = tf.tidy(() => decLogits(d, emb).argMax(-1).arraySync() as number[][]);
  return ids.map((row) => { const end = row.findIndex((i) => i === 2 || i === 0); return enVocab.decode(row.slice(0, end < 0 ? L9 : end)); });
}
function scoreDecoded(got: string[], want: string[]) {
  let exact = 0, tok = 0, tot = 0, coherent = 0;
  got.forEach((g, i) => {
    const a = splitWords(g), b = splitWords(want[i]);
    if (g === want[i]) exact++;
    if (allEnglish.has(g)) coherent++;
    for (let j = 0; j < b.length; j++) if (a[j] === b[j]) tok++;
    tot += b.length;
  });
  return { exact: exact / got.length, token: tok / tot, coherent: coherent / got.length };
}
const pad = (e: tf.Tensor2D) => tf.pad(e, [[0, 0], [0, 64 - e.shape[1]]]) as tf.Tensor2D;
const trainSents = [...new Set(toy.train.map((p) => p.source))], testSents = library;
const [e1Train, e1Test] = [trainSents, testSents].map((s) => embed(encoders[0], s));
const [e2Train, e2Test] = [trainSents, testSents].map((s) => embed(encoders[1], s));
const DEC_STEPS = SMOKE ? 10 : 1000;
const decoder = makeDecoder(4);
await trainDecoder(decoder, e1Train, trainSents, DEC_STEPS, 1);
const v2t: Record<string, ReturnType<typeof scoreDecoded>> = {};
v2t["encoder 1 (trained with it)"] = scoreDecoded(decode(decoder, e1Test), testSents);
const e2Padded = pad(e2Test);
v2t["encoder 2, zero-padded 32 → 64"] = scoreDecoded(decode(decoder, e2Padded), testSents);
for (const [i, s] of testSents.slice(0, 4).entries()) {
  const one = [s];
  const [a, b] = [embed(encoders[0], one), pad(embed(encoders[1], one))];
  console.log(`${s}\n   from encoder 1: ${decode(decoder, a)[0]}\n   from encoder 2: ${decode(decoder, b)[0]}`);
  tf.dispose([a, b]);
}
'''),
    md(r'''
Arithmetic in sentence-embedding space, decoded back to text: embed a sentence, subtract the
embedding of one word, add another's.
'''),
    code(r'''
for (const [sent, minus, plus] of [["the black cat sleeps", "black", "white"], ["a girl sings", "girl", "boy"], ["the old dog eats the red apple", "dog", "cat"]]) {
  const [a, b, c] = [sent, minus, plus].map((x) => embed(encoders[0], [x]));
  const mixed = tf.tidy(() => tf.add(tf.sub(a, b), c)) as tf.Tensor2D;
  console.log(`"${sent}" − "${minus}" + "${plus}" → "${decode(decoder, mixed)[0]}"`);
  tf.dispose([a, b, c, mixed]);
}
console.log("(the swapped-in word appears in the decoded text when the arithmetic works; a sentence embedding is a mean, so removing one word's embedding is only approximate)");
'''),
    md(r'''
Now the swap, repaired two ways:

- **(a) a linear map**: the least-squares matrix $M$ (with a bias column) that sends encoder 2's
  embeddings of the training sentences to encoder 1's, solved by hand from the normal equations
  $(X^\top X + \lambda I)M = X^\top Y$ by Gaussian elimination; the decoder is left as it was.
- **(b) fine-tuning**: the decoder trained further, briefly, on encoder 2's zero-padded embeddings.
'''),
    code(r'''
function solve(A: number[][], B: number[][]): number[][] {
  const n = A.length, M = A.map((row, i) => [...row, ...B[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k < M[r].length; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row.slice(n).map((x) => x / M[i][i]));
}
const withBias = (e: tf.Tensor2D) => tf.concat([e, tf.ones([e.shape[0], 1])], 1) as tf.Tensor2D;
const mapM = tf.tidy(() => {
  const X = withBias(e2Train);
  const XtX = tf.add(tf.matMul(X, X, true, false), tf.mul(tf.eye(X.shape[1]), 1e-3)).arraySync() as number[][];
  const XtY = tf.matMul(X, e1Train, true, false).arraySync() as number[][];
  return tf.tensor2d(solve(XtX, XtY));
});
const e2Mapped = tf.tidy(() => tf.matMul(withBias(e2Test), mapM)) as tf.Tensor2D;
v2t["encoder 2 → linear map → encoder 1 space"] = scoreDecoded(decode(decoder, e2Mapped), testSents);
const FT_STEPS = SMOKE ? 5 : 200;
const e2TrainPadded = pad(e2Train);
await trainDecoder(decoder, e2TrainPadded, trainSents, FT_STEPS, 2);
v2t[`encoder 2, zero-padded, decoder fine-tuned ${FT_STEPS} steps`] = scoreDecoded(decode(decoder, e2Padded), testSents);
v2t["encoder 1 again, after that fine-tuning"] = scoreDecoded(decode(decoder, e1Test), testSents);
await show(markdown([
  `| decoder fed (${testSents.length} held-out sentences) | exact | token accuracy | coherent (a sentence of the language) |`, "|---|---:|---:|---:|",
  ...Object.entries(v2t).map(([k, v]) => `| ${k} | ${pct(v.exact)} | ${pct(v.token)} | ${pct(v.coherent)} |`),
].join("\n")));
'''),
    code(r'''
const [own, swapped, mapped, tuned, back] = Object.values(v2t);
await show(markdown(
  `**Measured.** Reading the embeddings it was trained on, the decoder recovers ${pct(own.exact)} of held-out sentences exactly (${pct(own.token)} of words). ` +
  `Fed the other encoder's embeddings, zero-padded as in the notes, it drops to ${pct(swapped.exact)} exact / ${pct(swapped.token)} of words, ` +
  `while ${pct(swapped.coherent)} of its outputs are still sentences of the language` +
  (swapped.coherent > 0.5 ? `: fluent but wrong, as the notes observed with wikivec2text. ` : ` (against ${pct(own.coherent)} with its own encoder): unlike the notes' wikivec2text run, our small decoder does not stay fluent. `) +
  `A linear map between the two embedding spaces brings it back to ${pct(mapped.exact)} exact (${pct(mapped.token)} words), ` +
  `and ${FT_STEPS} fine-tuning steps to ${pct(tuned.exact)} (${pct(tuned.token)}); after that fine-tuning it reads encoder 1 at ${pct(back.exact)} exact. ` +
  `The two encoders, trained separately, learned embedding spaces that are ${mapped.token > 2 * swapped.token ? "largely a linear transformation of each other" : "not simply linearly related"}: ` +
  (tuned.token > swapped.token + 0.1
    ? `the notes' expectation that "a fine tuning with the new Encoder" repairs the swap holds here.`
    : `brief fine-tuning did not repair the swap at this budget.`),
));
tf.dispose([e1Train, e1Test, e2Train, e2Test, e2Padded, e2Mapped, mapM, e2TrainPadded]);
for (const v of decoder.values()) v.dispose();
for (const e of encoders) e.dispose();
modelA.dispose();
console.log(`notebook time: ${((performance.now() - t0) / 60000).toFixed(1)} min`);
'''),
]

if __name__ == "__main__":
    all_cells = cells
    nb(all_cells, "notebooks/07_llms_are_trained_cpus.ipynb")
    if "--script" in sys.argv:
        path = sys.argv[sys.argv.index("--script") + 1]
        with open(path, "w") as f:
            f.write("\n\n".join(auto_show(src.strip("\n")) for kind, src in all_cells if kind == "code") + "\n")
