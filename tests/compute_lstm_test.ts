// lib/compute/lstm: parameter counts from sizes, checked against a built model and the paper.
import { assertEquals, assertThrows } from "@std/assert";
import { lstmLayerParams, seq2seqLSTMParams } from "../lib/compute/mod.ts";
import { Seq2SeqLSTM, Vocab } from "../lib/models/mod.ts";

Deno.test("seq2seqLSTMParams equals the parameters of a built Seq2SeqLSTM", () => {
  const sourceVocab = Vocab.fromSentences(["the dog sleeps", "a cat runs"]);
  const targetVocab = Vocab.fromSentences(["il cane dorme", "un gatto corre", "la luna"]);
  const m = new Seq2SeqLSTM({
    sourceVocab,
    targetVocab,
    maxSourceLength: 4,
    maxTargetLength: 5,
    embedDim: 6,
    hidden: 5,
    layers: 3,
  });
  const p = seq2seqLSTMParams({
    sourceVocab: sourceVocab.size,
    targetVocab: targetVocab.size,
    embed: 6,
    hidden: 5,
    layers: 3,
  });
  assertEquals(p.total, m.parameterCount());
  m.dispose();
});

Deno.test("Sutskever et al. (2014): 384M parameters, 64M of them recurrent", () => {
  const p = seq2seqLSTMParams({
    sourceVocab: 160_000,
    targetVocab: 80_000,
    embed: 1000,
    hidden: 1000,
    layers: 4,
  });
  assertEquals(lstmLayerParams(1000, 1000), 8_004_000);
  assertEquals(p.encoder + p.decoder, 64_032_000);
  assertEquals(Math.round(p.total / 1e6), 384);
  assertThrows(() => lstmLayerParams(0, 10), Error, "input must be a positive integer");
});
