import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { findTorchPython } from "./_torch_python.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/checkpoint/mod.ts";
import { BatchSampler } from "../lib/data/mod.ts";
import {
  AdamW,
  clipByGlobalNorm,
  cosineSchedule,
  DEFAULT_TRAIN_CONFIG,
  type TrainableModel,
  type TrainConfig,
  Trainer,
  TrainingDivergedError,
} from "../lib/train/mod.ts";
import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { parseTrainArgs, toTrainConfig } from "../scripts/train_args.ts";

await initBackend({ report: false });

// Checkpoints go under one temporary folder, removed when the test run ends.
const ROOT = await Deno.makeTempDir({ prefix: "train_test_" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(ROOT, { recursive: true }),
);

Deno.test("schedule: linear warmup, cosine to minLr, flat after decayIters", () => {
  const lrAt = cosineSchedule({
    lr: 1e-3,
    minLr: 1e-4,
    warmupIters: 100,
    decayIters: 2000,
  });
  assertAlmostEquals(lrAt(0), 1e-3 / 101, 1e-12);
  assertAlmostEquals(lrAt(49), 1e-3 * 50 / 101, 1e-12);
  assertAlmostEquals(lrAt(99), 1e-3 * 100 / 101, 1e-12);
  assertAlmostEquals(lrAt(100), 1e-3, 1e-12);
  assertAlmostEquals(lrAt(1050), 5.5e-4, 1e-12); // halfway: the mean of lr and minLr
  // A quarter of the way: minLr + (1 + cos(pi/4)) / 2 * (lr - minLr).
  assertAlmostEquals(lrAt(575), 1e-4 + 0.5 * (1 + Math.SQRT1_2) * 9e-4, 1e-12);
  assertAlmostEquals(lrAt(2000), 1e-4, 1e-12);
  assertEquals(lrAt(5000), 1e-4);
  for (let s = 101; s <= 2000; s++) {
    assert(lrAt(s) <= lrAt(s - 1), `not decreasing at ${s}`);
  }
  assertThrows(
    () => cosineSchedule({ lr: 1e-3, minLr: 1e-2, warmupIters: 0, decayIters: 10 }),
    Error,
    "minLr",
  );
  assertThrows(
    () => cosineSchedule({ lr: 1e-3, minLr: 0, warmupIters: 20, decayIters: 10 }),
    Error,
    "decayIters",
  );
});

Deno.test("clip: scales to the global norm only when it is exceeded", async () => {
  tf.tidy(() => {
    const g = { a: tf.tensor([3, 0]), b: tf.tensor([[4]]) };
    const clipped = clipByGlobalNorm(g, 1);
    assertAlmostEquals(clipped.norm.dataSync()[0], 5, 1e-6);
    const a = clipped.grads.a.dataSync(), b = clipped.grads.b.dataSync();
    assertAlmostEquals(a[0], 0.6, 1e-6);
    assertAlmostEquals(b[0], 0.8, 1e-6);
    const loose = clipByGlobalNorm(g, 10);
    assertEquals([...loose.grads.a.dataSync()], [3, 0]);
    const off = clipByGlobalNorm(g, 0);
    assertEquals([...off.grads.b.dataSync()], [4]);
    assertAlmostEquals(off.norm.dataSync()[0], 5, 1e-6);
  });
  await Promise.resolve();
});

Deno.test("AdamW: matches the update written out by hand; decays matrices only", () => {
  const w = tf.variable(tf.tensor2d([[1, -2]]));
  const b = tf.variable(tf.tensor1d([0.5]));
  const opt = new AdamW(new Map<string, tf.Variable>([["w", w], ["b", b]]), {
    beta1: 0.9,
    beta2: 0.99,
    eps: 1e-8,
    weightDecay: 0.1,
  });
  assertEquals([...opt.decayed], ["w"]);
  // Reference in plain numbers.
  const p = { w: [1, -2], b: [0.5] };
  const m = { w: [0, 0], b: [0] }, v = { w: [0, 0], b: [0] };
  const gradsSeq = [{ w: [0.3, -1], b: [2] }, { w: [-0.1, 0.4], b: [-1] }, {
    w: [1, 1],
    b: [0],
  }];
  const lrs = [0.1, 0.05, 0.02];
  for (let t = 1; t <= 3; t++) {
    const g = gradsSeq[t - 1], lr = lrs[t - 1];
    tf.tidy(() => opt.update({ w: tf.tensor2d([g.w]), b: tf.tensor1d(g.b) }, lr));
    for (const k of ["w", "b"] as const) {
      for (let i = 0; i < p[k].length; i++) {
        if (k === "w") p[k][i] *= 1 - lr * 0.1;
        m[k][i] = 0.9 * m[k][i] + 0.1 * g[k][i];
        v[k][i] = 0.99 * v[k][i] + 0.01 * g[k][i] ** 2;
        const mHat = m[k][i] / (1 - 0.9 ** t), vHat = v[k][i] / (1 - 0.99 ** t);
        p[k][i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }
  }
  const gotW = w.dataSync(), gotB = b.dataSync();
  for (let i = 0; i < 2; i++) assertAlmostEquals(gotW[i], p.w[i], 1e-6);
  assertAlmostEquals(gotB[0], p.b[0], 1e-6);
  assertEquals(opt.step, 3);
  // State round trip: a fresh optimizer continues identically.
  const state = opt.state();
  const moments = new Map(
    [...opt.moments()].map((
      [k, t],
    ) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]),
  );
  const opt2 = new AdamW(new Map<string, tf.Variable>([["w", w], ["b", b]]), {
    beta2: 0.99,
  });
  opt2.load(state, moments);
  assertEquals(opt2.step, 3);
  assertEquals([...opt2.moments().get("exp_avg_sq.w")!.dataSync()], [
    ...opt.moments().get("exp_avg_sq.w")!.dataSync(),
  ]);
  const opt3 = new AdamW(new Map<string, tf.Variable>([["w", w], ["b", b]]), {
    beta2: 0.95,
  });
  assertThrows(
    () => opt3.load(state, moments),
    Error,
    "beta2 is 0.99 but this optimizer's is 0.95",
  );
  tf.dispose([w, b]);
  opt.dispose();
  opt2.dispose();
  opt3.dispose();
});

/** A bigram model: logits for the next id are one row of a table, plus a bias. */
class Bigram implements TrainableModel {
  readonly params: Map<string, tf.Variable>;
  readonly config: { vocabSize: number; blockSize: number };
  calls = 0;
  poisonAt = -1;
  constructor(readonly V: number, seed = 0) {
    this.config = { vocabSize: V, blockSize: 16 };
    this.params = new Map<string, tf.Variable>([
      [
        "transformer.wte.weight",
        tf.variable(tf.randomNormal([V, V], 0, 0.02, "float32", seed)),
      ],
      ["lm_head.bias", tf.variable(tf.zeros([V]))],
    ]);
  }
  loss(
    idx: tf.Tensor2D,
    targets: tf.Tensor2D,
    opts: { training?: boolean } = {},
  ): tf.Scalar {
    return tf.tidy(() => {
      if (opts.training) this.calls++;
      const logits = tf.add(
        tf.gather(this.params.get("transformer.wte.weight")!, idx.flatten()),
        this.params.get("lm_head.bias")!,
      ); // (B*T, V)
      const loss = tf.losses.softmaxCrossEntropy(
        tf.oneHot(targets.flatten(), this.V),
        logits,
      ) as tf.Scalar;
      // Simulates an overflow at one training step.
      return this.calls === this.poisonAt && opts.training ? tf.mul(loss, NaN) : loss;
    });
  }
  dispose() {
    for (const v of this.params.values()) v.dispose();
  }
}

// A text with structure a bigram can learn: a repeated phrase over 13 letters.
const V = 13;
const data = Int32Array.from(
  { length: 3000 },
  (_, i) => [0, 4, 7, 1, 12, 4, 2, 9, 9, 3, 11, 5, 8, 6, 10][i % 15] ?? 0,
);
const train = data.subarray(0, 2700), val = data.subarray(2700);
const small: Partial<TrainConfig> = {
  maxIters: 40,
  batchSize: 4,
  blockSize: 8,
  lr: 0.05,
  minLr: 0.005,
  warmupIters: 5,
  lrDecayIters: 40,
  evalInterval: 10,
  evalIters: 3,
  seed: 7,
};

Deno.test("trainer: the loss falls, and the same seed gives the same run", async () => {
  const runs: number[][] = [];
  for (let r = 0; r < 2; r++) {
    const model = new Bigram(V, 3);
    const trainer = new Trainer({
      model,
      train,
      val,
      config: small,
    });
    const result = await trainer.run();
    assertEquals(result.step, 40);
    assertEquals(result.history.map((h) => h.step), [0, 10, 20, 30, 40]);
    assertLess(result.last!.valLoss, result.history[0].valLoss - 1);
    runs.push(result.losses);
    trainer.dispose();
    model.dispose();
  }
  assertEquals(runs[0], runs[1]);
});

Deno.test("trainer: 50 GPT training steps leak no tensors", async () => {
  const model = new GPT(
    gptConfig("notes-small", { vocabSize: V, dropout: 0.1 }),
    { seed: 1 },
  );
  const counts: number[] = [];
  const trainer = new Trainer({
    model,
    train,
    val,
    config: { ...small, maxIters: 50, lrDecayIters: 50, lr: 3e-3, minLr: 3e-4 },
    onStep: () => {
      counts.push(tf.memory().numTensors);
    },
  });
  const before = tf.memory().numTensors;
  await trainer.run();
  assertEquals(counts.length, 50);
  // Every step (and the evaluations between them) ends with the same number of live tensors.
  assertEquals(new Set(counts).size, 1, `tensor counts drift: ${counts}`);
  assertEquals(tf.memory().numTensors, before);
  trainer.dispose();
  model.dispose();
});

Deno.test("trainer: resuming from the checkpoint reproduces the uninterrupted run", async () => {
  const dir = (await Deno.makeTempDir({ dir: ROOT })) + "/ckpt";
  const meta = {
    model: { type: "bigram", config: { V } },
    tokenizer: { chars: "x" },
  };
  const config = { ...small, alwaysSaveCheckpoint: true };

  const full = new Bigram(V, 5);
  const ref = await new Trainer({
    model: full,
    train,
    val,
    config,
  }).run();

  // The same run, killed right after the checkpoint at step 20 was written.
  const first = new Bigram(V, 5);
  const stop = new AbortController();
  const t1 = new Trainer({
    model: first,
    train,
    val,
    config,
    checkpoint: { dir, meta },
    signal: stop.signal,
    onEval: (e) => {
      if (e.step === 20) stop.abort();
    },
  });
  const partial = await t1.run();
  assert(partial.stopped);
  assertEquals(partial.step, 20);

  // A fresh process: different initial weights, state entirely from the checkpoint.
  const second = new Bigram(V, 99);
  const t2 = new Trainer({
    model: second,
    train,
    val,
    config,
  });
  const ckpt = await loadCheckpoint(dir);
  assertEquals(ckpt.meta.step, 20);
  t2.restore(ckpt);
  const resumed = await t2.run();
  assertEquals(resumed.losses, ref.losses);
  assertEquals(resumed.history, ref.history);
  assertEquals(
    [...second.params.get("transformer.wte.weight")!.dataSync()],
    [...full.params.get("transformer.wte.weight")!.dataSync()],
  );

  // A resume with another batch shape is another run: refused.
  const t3 = new Trainer({
    model: new Bigram(V),
    train,
    val,
    config: { ...config, batchSize: 5 },
  });
  assertThrows(() => t3.restore(ckpt), Error, "batchSize 4");
  for (const m of [full, first, second]) m.dispose();
});

Deno.test("trainer: saves only when val loss improves, and the checkpoint is the best one", async () => {
  const dir = (await Deno.makeTempDir({ dir: ROOT })) + "/best";
  const saves: number[] = [];
  const model = new Bigram(V, 2);
  const trainer = new Trainer({
    model,
    train,
    val,
    config: small,
    checkpoint: { dir, meta: { model: { type: "bigram", config: { V } } } },
    onEval: (e) => {
      if (e.saved) saves.push(e.step);
      assertEquals(e.saved, e.best && e.step > 0);
    },
  });
  const result = await trainer.run();
  const ckpt = await loadCheckpoint(dir);
  assertEquals(ckpt.meta.step, saves.at(-1));
  assertEquals(ckpt.meta.metrics?.bestValLoss, result.bestValLoss);
  assertGreater(saves.length, 0);
  trainer.dispose();
  model.dispose();
});

Deno.test("trainer: a NaN loss stops training at that step, before the bad update", async () => {
  const model = new Bigram(V, 4);
  model.poisonAt = 13; // the 13th training step, i.e. step 12
  let weightsBefore: Float32Array | undefined;
  const t = new Trainer({
    model,
    train,
    val,
    config: small,
    onStep: (e) => {
      if (e.step === 12) {
        weightsBefore = model.params.get("transformer.wte.weight")!
          .dataSync() as Float32Array;
      }
    },
  });
  const err = await assertRejects(() => t.run(), TrainingDivergedError);
  assertEquals((err as TrainingDivergedError).step, 12);
  assertStringIncludes((err as Error).message, "step 12");
  assertStringIncludes((err as Error).message, "lower");
  assertEquals(
    [...model.params.get("transformer.wte.weight")!.dataSync()],
    [...weightsBefore!],
  );
  t.dispose();
  model.dispose();
});

Deno.test("trainer: bad settings and data are refused before any work", () => {
  const model = new Bigram(V);
  const make = (config: Partial<TrainConfig>, t = train) =>
    new Trainer({
      model,
      train: t,
      val,
      config: { ...small, ...config },
    });
  assertThrows(
    () => make({ blockSize: 32 }),
    Error,
    "exceeds the model's block size 16",
  );
  assertThrows(
    () => make({ batchSize: 0 }),
    Error,
    "batchSize must be a positive integer",
  );
  assertThrows(() => make({ lr: -1 }), Error, "learning rate");
  assertThrows(
    () => make({ lrate: 1 } as Partial<TrainConfig>),
    Error,
    'unknown setting "lrate"',
  );
  assertThrows(
    () => make({}, Int32Array.from([1, 2, 30])),
    Error,
    "token id 30 outside",
  );
  assertThrows(
    () => make({}, Int32Array.from([1, 2, 3])),
    Error,
    "needs at least 9 tokens",
  );
  assertEquals(model.calls, 0);
  model.dispose();
});

Deno.test("trainer: trains the GPT model and resumes it exactly (with dropout)", async () => {
  const cfg = gptConfig("notes-small", { vocabSize: V, dropout: 0.1 });
  const config = {
    ...small,
    maxIters: 12,
    lrDecayIters: 12,
    evalInterval: 6,
    evalIters: 2,
    lr: 3e-3,
    minLr: 3e-4,
    alwaysSaveCheckpoint: true,
  };
  const dir = (await Deno.makeTempDir({ dir: ROOT })) + "/gpt";
  const meta = { model: { type: "gpt", config: { ...cfg } } };
  const a = new GPT(cfg, { seed: 1 });
  const ref = await new Trainer({
    model: a,
    train,
    val,
    config,
  }).run();
  const b = new GPT(cfg, { seed: 1 });
  const stop = new AbortController();
  await new Trainer({
    model: b,
    train,
    val,
    config,
    checkpoint: { dir, meta },
    signal: stop.signal,
    onEval: (e) => {
      if (e.step === 6) stop.abort();
    },
  }).run();
  const c = new GPT(cfg, { seed: 2 });
  const t = new Trainer({ model: c, train, val, config });
  t.restore(await loadCheckpoint(dir));
  const resumed = await t.run();
  assertEquals(resumed.losses, ref.losses);
  assertLess(ref.losses.at(-1)!, ref.losses[0]);
  for (const m of [a, b, c]) m.dispose();
});

Deno.test("train script flags: defaults are the main job, overrides and errors are strict", () => {
  const d = parseTrainArgs([]);
  assertEquals(
    [
      d.corpus,
      d.preset,
      d.maxIters,
      d.batchSize,
      d.lr,
      d.warmupIters,
      d.dropout,
      d.evalInterval,
      d.evalIters,
      d.finalEvalIters,
    ],
    ["tinyshakespeare", "baby", 2000, 12, 1e-3, 100, 0, 250, 20, 200],
  );
  const a = parseTrainArgs([
    "--iters",
    "50",
    "--lr=3e-4",
    "--resume",
    "--eval-iters",
    "7",
  ]);
  assertEquals([a.maxIters, a.lr, a.resume, a.evalIters], [50, 3e-4, true, 7]);
  // One config object from flags to trainer: the defaults are the trainer's own.
  const fromDefaults = toTrainConfig(parseTrainArgs([]), DEFAULT_TRAIN_CONFIG.blockSize);
  assertEquals(fromDefaults, { ...DEFAULT_TRAIN_CONFIG });
  const betas = toTrainConfig(
    parseTrainArgs(["--beta1", "0.8", "--beta2", "0.95", "--eps", "1e-6"]),
    64,
  );
  assertEquals([betas.beta1, betas.beta2, betas.eps], [0.8, 0.95, 1e-6]);
  assertThrows(() => parseTrainArgs(["--beta2", "1"]), Error, "--beta2 must lie in [0, 1)");
  assertThrows(() => parseTrainArgs(["--resume=yes"]), Error, "--resume is a switch");
  const files: Record<string, string> = {
    "run.json": JSON.stringify({
      preset: "notes-small",
      iters: 10,
      evalInterval: 5,
    }),
    "bad.json": JSON.stringify({ preset: "baby", learningRate: 1 }),
  };
  const read = (p: string) =>
    files[p] ?? (() => {
      throw new Error("not found");
    })();
  const c = parseTrainArgs(["--config", "run.json", "--iters", "20"], read);
  assertEquals([c.preset, c.maxIters, c.evalInterval], ["notes-small", 20, 5]);
  assertThrows(
    () => parseTrainArgs(["--bogus", "1"]),
    Error,
    "Unknown flag --bogus",
  );
  assertThrows(
    () => parseTrainArgs(["--iters", "x"]),
    Error,
    "--iters expects an integer",
  );
  assertThrows(
    () => parseTrainArgs(["--iters"]),
    Error,
    "--iters needs a value",
  );
  assertThrows(
    () => parseTrainArgs(["--lr", "--iters", "3"]),
    Error,
    "--lr needs a value",
  );
  assertThrows(
    () => parseTrainArgs(["baby"]),
    Error,
    'Unexpected argument "baby"',
  );
  assertThrows(
    () => parseTrainArgs(["--evalInterval", "3"]),
    Error,
    "Unknown flag --evalInterval",
  );
  assertThrows(
    () => parseTrainArgs(["--config", "bad.json"], read),
    Error,
    'unknown setting "learningRate"',
  );
  assertThrows(
    () => parseTrainArgs(["--config", "nope.json"], read),
    Error,
    "--config nope.json",
  );
  assertThrows(
    () => parseTrainArgs(["--dropout", "1.5"]),
    Error,
    "--dropout must lie in [0, 1)",
  );
});

Deno.test("trainer: evaluate averages evalIters batches, the same ones every time", async () => {
  const model = new Bigram(V, 6);
  const seen: number[][] = [];
  const recording: TrainableModel = {
    params: model.params,
    loss: (x, y, opts) => {
      if (!opts?.training) seen.push([...x.dataSync()], [...y.dataSync()]);
      return model.loss(x, y, opts);
    },
  };
  const trainer = new Trainer({
    model: recording,
    train,
    val,
    config: { ...small, evalIters: 5, batchSize: 3 },
  });
  const first = await trainer.evaluate();
  const rows = seen.splice(0);
  assertEquals(await trainer.evaluate(), first);
  // Recompute the val mean one batch (3 rows of 8) at a time from what the model was shown.
  const T = 8, B = 3;
  const valX = rows.slice(rows.length / 2).filter((_, i) => i % 2 === 0).flat();
  const valY = rows.slice(rows.length / 2).filter((_, i) => i % 2 === 1).flat();
  assertEquals(valX.length, 5 * B * T);
  let sum = 0;
  for (let b = 0; b < 5; b++) {
    const span = [b * B * T, (b + 1) * B * T];
    const l = tf.tidy(() =>
      model.loss(
        tf.tensor2d(valX.slice(span[0], span[1]), [B, T], "int32"),
        tf.tensor2d(valY.slice(span[0], span[1]), [B, T], "int32"),
      )
    );
    sum += (await l.data())[0];
    l.dispose();
  }
  assertAlmostEquals(first.val, sum / 5, 1e-5);
  trainer.dispose();
  model.dispose();
});

Deno.test("train script: trains, saves, samples, resumes, and rejects bad flags", async () => {
  const dir = await Deno.makeTempDir({ dir: ROOT });
  const corpus = `${dir}/tiny.txt`;
  await Deno.writeTextFile(
    corpus,
    "to be or not to be, that is the question.\n".repeat(80),
  );
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/train.ts", ...args],
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      text: dec.decode(out.stdout) + dec.decode(out.stderr),
    };
  };
  const common = [
    "--corpus",
    corpus,
    "--preset",
    "notes-small",
    "--batch",
    "4",
    "--eval-interval",
    "3",
    "--eval-iters",
    "2",
    "--out",
    `${dir}/ckpt`,
    "--backend",
    "cpu",
  ];
  const first = await run(...common, "--iters", "6", "--sample-tokens", "20");
  assertEquals(first.code, 0, first.text);
  assertStringIncludes(
    first.text,
    `evaluating and sampling the saved checkpoint ${dir}/ckpt (step`,
  );
  assertStringIncludes(first.text, "final evaluation over");
  assertStringIncludes(first.text, "sample");
  const saved = JSON.parse(
    await Deno.readTextFile(`${dir}/ckpt/checkpoint.json`),
  );
  assertEquals(saved.tokenizer.type, "CharTokenizer");
  assertEquals(saved.model.config.nLayer, 2);
  const resumed = await run(
    ...common,
    "--iters",
    "9",
    "--sample-tokens",
    "0",
    "--resume",
  );
  assertEquals(resumed.code, 0, resumed.text);
  assertStringIncludes(
    resumed.text,
    `resuming from ${dir}/ckpt at step ${saved.step}`,
  );
  const bad = await run("--iters", "5", "--learning-rate", "1");
  assertEquals(bad.code, 1);
  assertStringIncludes(bad.text, "Unknown flag --learning-rate");
  const mismatch = await run(
    ...common,
    "--preset",
    "baby",
    "--iters",
    "9",
    "--resume",
  );
  assertEquals(mismatch.code, 1);
  assertStringIncludes(mismatch.text, "different model config");
});

// LLM_TORCH_PYTHON, else Debian's python3 with python3-torch (tests/_torch_python.ts).
const TORCH_PYTHON = findTorchPython();

Deno.test({
  name: "trainer: each step matches PyTorch's AdamW + clip_grad_norm_ on the same GPT and batches",
  ignore: TORCH_PYTHON === undefined, // needs a Python with torch
  fn: async () => {
    const cfg = gptConfig("notes-small", { vocabSize: V });
    const model = new GPT(cfg, { seed: 11 });
    const config: TrainConfig = {
      ...DEFAULT_TRAIN_CONFIG,
      ...small,
      maxIters: 8,
      lrDecayIters: 8,
      warmupIters: 2,
      lr: 1e-2,
      minLr: 1e-3,
      evalInterval: 100,
      evalIters: 1,
      gradClip: 0.5,
    };
    const dir = await Deno.makeTempDir({ dir: ROOT });
    await saveCheckpoint(`${dir}/init`, {
      weights: model.params,
      meta: { model: { type: "gpt", config: { ...cfg } }, step: 0 },
    });
    // The batches the trainer will draw: same sampler, same seed.
    const sampler = new BatchSampler(
      train,
      config.blockSize,
      config.batchSize,
      config.seed,
    );
    const rows = (a: Int32Array) =>
      Array.from({ length: config.batchSize }, (_, b) => [
        ...a.subarray(b * config.blockSize, (b + 1) * config.blockSize),
      ]);
    const xs: number[][][] = [], ys: number[][][] = [];
    for (let s = 0; s < config.maxIters; s++) {
      const { x, y } = sampler.next();
      xs.push(rows(x));
      ys.push(rows(y));
    }
    const norms: number[] = [];
    const trainer = new Trainer({
      model,
      train,
      val,
      config,
      onStep: (e) => {
        norms.push(e.gradNorm);
      },
    });
    const steps = {
      x: xs,
      y: ys,
      lr: xs.map((_, s) => trainer.lrAt(s)),
      betas: [config.beta1, config.beta2],
      eps: config.eps,
      weightDecay: config.weightDecay,
      gradClip: config.gradClip,
    };
    await Deno.writeTextFile(`${dir}/steps.json`, JSON.stringify(steps));
    const run = await new Deno.Command(TORCH_PYTHON!, {
      args: [
        "tools/torch/pt_train_steps.py",
        `${dir}/init`,
        `${dir}/steps.json`,
        `${dir}/ref.json`,
      ],
    }).output();
    assert(run.success, new TextDecoder().decode(run.stderr));
    const ref = JSON.parse(await Deno.readTextFile(`${dir}/ref.json`));
    const result = await trainer.run();
    assert(
      norms.some((n) => n > config.gradClip),
      `clipping never engaged: ${norms}`,
    );
    for (let s = 0; s < config.maxIters; s++) {
      assertAlmostEquals(
        result.losses[s],
        ref.losses[s],
        1e-4,
        `loss at step ${s}`,
      );
      assertAlmostEquals(
        norms[s],
        ref.gradNorms[s],
        1e-3 * ref.gradNorms[s],
        `norm at ${s}`,
      );
    }
    let worst = 0;
    for (const [name, p] of model.params) {
      const ours = await p.data(), theirs = ref.weights[name] as number[];
      for (let i = 0; i < ours.length; i++) {
        worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
      }
    }
    assertLess(
      worst,
      1e-4,
      `max |weight difference| after ${config.maxIters} steps: ${worst}`,
    );
    trainer.dispose();
    model.dispose();
  },
});
