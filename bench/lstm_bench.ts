/**
 * `deno task bench:lstm`: notebook 03's encoder-decoder (2 LSTM layers, H = 64, embeddings 32,
 * batches of 64 sentences of 2-25 words) on the `tensorflow` backend, with each LSTM layer's
 * recurrence as lib's `LlmLstm` op (lib/ops/lstm_sequence.cc) against the per-step tensor ops it
 * replaces (`withKernels({ nativeKernels: false })`: every other lib op off too, as the
 * reference path runs everywhere).
 *
 *     deno task bench:lstm                        # 7 rounds of 10 training steps each way
 *     deno task bench:lstm --rounds 5 --steps 20 --hidden 128
 *
 * Within a round the two take turns (order alternating between rounds), each training a fresh
 * model from the same seed on the same batches, so load from other processes hits both alike.
 * Printed: ms per training step and for greedy translation of 200 test sentences, median and
 * range over the rounds, and the per-round ratio reference / op; then the two runs' losses,
 * which must agree to rounding (the op computes the same function).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, withKernels } from "../lib/backend/mod.ts";
import { generateToyTranslations } from "../lib/data/mod.ts";
import { Vocab } from "../lib/models/seq2seq/seq2seq_data.ts";
import { Seq2SeqLSTM } from "../lib/models/seq2seq/seq2seq_lstm.ts";
import { trainSeq2Seq } from "../lib/train/seq2seq.ts";
import { evaluateByLength } from "../lib/models/seq2seq/seq2seq_eval.ts";
import { flagUsage, parseFlags } from "../scripts/flags.ts";
import { loadAverage, median } from "./_round_stats.ts";

/** What one arm measured in one round. */
interface Sample {
  stepMs: number;
  evalMs: number;
  losses: number[];
}

/**
 * Trains a fresh notebook-03 model for `steps` steps and translates `evalPairs`, timing both;
 * the first step (tfjs's kernels warming) is left out of the step time.
 */
async function runArm(
  corpus: ReturnType<typeof generateToyTranslations>,
  vocabs: { src: Vocab; tgt: Vocab },
  opts: { steps: number; hidden: number; evalPairs: number },
): Promise<Sample> {
  const model = new Seq2SeqLSTM({
    sourceVocab: vocabs.src,
    targetVocab: vocabs.tgt,
    maxSourceLength: 25,
    maxTargetLength: 26,
    embedDim: 32,
    hidden: opts.hidden,
    layers: 2,
    seed: 0,
    reverseSource: true,
  });
  try {
    const times: number[] = [];
    let last = performance.now();
    const run = await trainSeq2Seq(model, corpus.train, {
      steps: opts.steps + 1,
      batchSize: 64,
      learningRate: 0.01,
      seed: 0,
      onStep: () => {
        const now = performance.now();
        times.push(now - last);
        last = now;
      },
    });
    const t0 = performance.now();
    evaluateByLength(model, corpus.test.slice(0, opts.evalPairs));
    const evalMs = performance.now() - t0;
    const steady = times.slice(1);
    return {
      stepMs: steady.reduce((a, b) => a + b, 0) / steady.length,
      evalMs,
      losses: run.losses,
    };
  } finally {
    model.dispose();
  }
}

if (import.meta.main) {
  const FLAGS = {
    rounds: { kind: "int", description: "interleaved rounds", default: 7 },
    steps: { kind: "int", description: "timed training steps per arm per round", default: 10 },
    hidden: { kind: "int", description: "LSTM width (notebook 03: 64)", default: 64 },
    eval: { kind: "int", description: "test sentences translated per arm", default: 200 },
  } as const;
  const flags = parseFlags(Deno.args, FLAGS);
  if (flags.help) {
    console.log(flagUsage("Usage: deno task bench:lstm [flags]", FLAGS));
    Deno.exit(0);
  }
  for (const k of ["rounds", "steps", "hidden", "eval"] as const) {
    if (!(flags[k] >= 1)) throw new Error(`--${k} must be a positive integer, got ${flags[k]}`);
  }
  const info = await initBackend({ backend: "tensorflow", report: false });
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1] ??
    "unknown CPU";
  console.log(`${info.detail}\n${cpu}, ${navigator.hardwareConcurrency} threads`);
  const corpus = generateToyTranslations({
    seed: 0,
    train: 3000,
    validation: 0,
    test: flags.eval,
    minLength: 2,
    maxLength: 25,
  });
  const vocabs = {
    src: Vocab.fromSentences(corpus.train.map((p) => p.source)),
    tgt: Vocab.fromSentences(corpus.train.map((p) => p.target)),
  };
  const opts = { steps: flags.steps, hidden: flags.hidden, evalPairs: flags.eval };
  const arms = {
    op: () => runArm(corpus, vocabs, opts),
    reference: () => withKernels({ nativeKernels: false }, () => runArm(corpus, vocabs, opts)),
  };
  const got: Record<keyof typeof arms, Sample[]> = { op: [], reference: [] };
  const loads: string[] = [];
  const before = tf.memory().numTensors;
  for (let r = 0; r < flags.rounds; r++) {
    const order = (r % 2 ? ["reference", "op"] : ["op", "reference"]) as (keyof typeof arms)[];
    for (const arm of order) got[arm].push(await arms[arm]());
    loads.push(loadAverage().split(" ")[0]);
    const [o, f] = [got.op.at(-1)!, got.reference.at(-1)!];
    console.log(
      `round ${r + 1}: step ${o.stepMs.toFixed(1)} ms (op) vs ${f.stepMs.toFixed(1)} ms ` +
        `(reference); translate ${o.evalMs.toFixed(0)} vs ${f.evalMs.toFixed(0)} ms; load ${
          loads.at(-1)
        }`,
    );
  }
  const row = (what: string, key: "stepMs" | "evalMs") => {
    const o = got.op.map((s) => s[key]), f = got.reference.map((s) => s[key]);
    const ratios = f.map((x, i) => x / o[i]);
    const fmt = (xs: number[]) =>
      `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
    return `| ${what} | ${fmt(o)} | ${fmt(f)} | ${median(ratios).toFixed(2)}x (${
      Math.min(...ratios).toFixed(2)
    }-${Math.max(...ratios).toFixed(2)}) |`;
  };
  console.log(
    `\nnotebook 03's encoder-decoder, H = ${flags.hidden}, batch 64, ${flags.rounds} rounds ` +
      `(load ${loads.join(", ")}):\n\n` +
      "| ms, median (range) | LlmLstm op | per-step tensor ops | reference / op, per round |\n" +
      "|---|---:|---:|---:|\n" +
      row(`training step (mean of ${flags.steps})`, "stepMs") + "\n" +
      row(`translating ${flags.eval} test sentences`, "evalMs"),
  );
  const a = got.op[0].losses, b = got.reference[0].losses;
  const diff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  console.log(
    `\nlosses of round 1, op vs reference: first ${a[0].toFixed(5)} vs ${b[0].toFixed(5)}, ` +
      `last ${a.at(-1)!.toFixed(5)} vs ${b.at(-1)!.toFixed(5)}, largest difference ${
        diff.toExponential(1)
      }`,
  );
  console.log(`tensors left over: ${tf.memory().numTensors - before}`);
  if (!(diff < 1e-3)) {
    console.error(`the op's losses differ from the reference's by ${diff}: a bug in LlmLstm`);
    Deno.exit(1);
  }
}
