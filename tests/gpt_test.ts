import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend, withKernels } from "../lib/backend/mod.ts";
import {
  countParams,
  disposeKVCache,
  GPT,
  GPT_PRESETS,
  type GPTConfig,
  gptConfig,
} from "../lib/models/mod.ts";

await initBackend({ report: false });

interface Fixture {
  config: GPTConfig;
  weights: Record<string, { shape: number[]; data: number[] }>;
  idx: number[][];
  targets: number[][];
  logits: { shape: number[]; data: number[] };
  logitsShort: { shape: number[]; data: number[] };
  loss: number;
  grads: Record<string, { shape: number[]; data: number[] }>;
}

const fixture: Fixture = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/gpt_parity.json", import.meta.url)),
);

function loadFixtureModel(): GPT {
  const model = new GPT(fixture.config, { seed: 0 });
  assertEquals(
    [...model.params.keys()].sort(),
    Object.keys(fixture.weights).sort(),
    "parameter names follow the Hugging Face GPT-2 layout",
  );
  for (const [name, { shape, data }] of Object.entries(fixture.weights)) {
    const v = model.params.get(name)!;
    assertEquals(v.shape, shape, name);
    v.assign(tf.tensor(data, shape));
  }
  return model;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("logits, loss and gradients match the PyTorch GPT-2 reference to 1e-4", () => {
  const model = loadFixtureModel();
  const idx = tf.tensor2d(fixture.idx, undefined, "int32");
  const targets = tf.tensor2d(fixture.targets, undefined, "int32");
  const logits = model.forward(idx);
  assertEquals(logits.shape, fixture.logits.shape);
  const err = maxAbsDiff(logits.dataSync(), fixture.logits.data);
  console.log(`parity: max |logits - torch| = ${err.toExponential(2)}`);
  assertLess(err, 1e-4);

  const short = model.forward(tf.slice(idx, [0, 0], [-1, 5]) as tf.Tensor2D);
  assertLess(maxAbsDiff(short.dataSync(), fixture.logitsShort.data), 1e-4);

  const vars = [...model.params.values()];
  const { value, grads } = tf.variableGrads(
    () => model.loss(idx, targets),
    vars,
  );
  assertLess(Math.abs(value.dataSync()[0] - fixture.loss), 1e-4);
  let gradErr = 0;
  for (const [name, v] of model.params) {
    gradErr = Math.max(
      gradErr,
      maxAbsDiff(grads[v.name].dataSync(), fixture.grads[name].data),
    );
  }
  console.log(`parity: max |grad - torch| = ${gradErr.toExponential(2)}`);
  assertLess(gradErr, 1e-4);
  tf.dispose([idx, targets, logits, short, value, ...Object.values(grads)]);
  model.dispose();
});

for (
  const [backend, loops] of [["wasm", false], ["cpu", true], [
    "cpu",
    false,
  ]] as const
) {
  Deno.test(`parity holds on ${backend} with loop kernels ${loops ? "on" : "off"}`, async () => {
    const previous = tf.getBackend();
    await initBackend({ backend, report: false });
    try {
      withKernels({ loopKernels: loops }, () => {
        const model = loadFixtureModel();
        const idx = tf.tensor2d(fixture.idx, undefined, "int32");
        const targets = tf.tensor2d(fixture.targets, undefined, "int32");
        const logits = model.forward(idx);
        assertLess(maxAbsDiff(logits.dataSync(), fixture.logits.data), 1e-4);
        const { value, grads } = tf.variableGrads(
          () => model.loss(idx, targets),
          [...model.params.values()],
        );
        assertLess(Math.abs(value.dataSync()[0] - fixture.loss), 1e-4);
        for (const [name, v] of model.params) {
          assertLess(
            maxAbsDiff(grads[v.name].dataSync(), fixture.grads[name].data),
            1e-4,
            name,
          );
        }
        tf.dispose([idx, targets, logits, value, ...Object.values(grads)]);
        model.dispose();
      });
    } finally {
      await initBackend({ backend: previous, report: false });
    }
  });
}

Deno.test("parameter counts are exact for every preset", () => {
  assertEquals(countParams(gptConfig("gpt2")), 124_439_808);
  // GPT-1: 40478 tokens, 512 positions, the same 12 blocks of width 768.
  assertEquals(
    countParams(gptConfig("gpt1")),
    40478 * 768 + 512 * 768 + 12 * 7_087_872 + 1536,
  );
  for (const preset of ["notes-small", "baby", "shakespeare-char"] as const) {
    for (const bias of [true, false]) {
      const config = gptConfig(preset, { vocabSize: 65, bias });
      const model = new GPT(config);
      assertEquals(
        model.numParams(),
        countParams(config),
        `${preset} bias=${bias}`,
      );
      model.dispose();
    }
  }
  assertEquals(GPT_PRESETS.baby.blockSize, 64);
});

Deno.test("initialisation follows GPT-2 and is deterministic from the seed", () => {
  const config = gptConfig("baby", { vocabSize: 65 });
  const a = new GPT(config, { seed: 7 });
  const b = new GPT(config, { seed: 7 });
  const c = new GPT(config, { seed: 8 });
  const wte = (m: GPT) => m.params.get("transformer.wte.weight")!.dataSync();
  assertEquals(maxAbsDiff(wte(a), wte(b)), 0);
  assert(maxAbsDiff(wte(a), wte(c)) > 0);
  const std = (t: tf.Tensor) => tf.tidy(() => tf.moments(t).variance.sqrt().dataSync()[0]);
  assertLess(
    Math.abs(std(a.params.get("transformer.h.0.attn.c_attn.weight")!) - 0.02),
    0.001,
  );
  const resid = 0.02 / Math.sqrt(2 * config.nLayer);
  assertLess(
    Math.abs(std(a.params.get("transformer.h.0.mlp.c_proj.weight")!) - resid),
    0.0005,
  );
  assertEquals(a.params.get("transformer.h.0.ln_1.weight")!.dataSync()[0], 1);
  assertEquals(a.params.get("transformer.h.0.mlp.c_fc.bias")!.dataSync()[0], 0);
  // An untrained model predicts nearly uniformly: loss close to ln(V). (Targets differ from the
  // inputs: with a tied head the input token itself gets a visibly larger logit.)
  const idx = tf.tensor2d([[1, 2, 3, 4]], undefined, "int32");
  const next = tf.tensor2d([[5, 6, 7, 8]], undefined, "int32");
  const loss = a.loss(idx, next).dataSync()[0];
  assertLess(Math.abs(loss - Math.log(65)), 0.3);
  tf.dispose([idx, next]);
  [a, b, c].forEach((m) => m.dispose());
});

Deno.test("bad configs and bad ids fail before any work with a clear message", () => {
  assertThrows(
    () => gptConfig("baby", { vocabSize: 65, nHead: 3 }),
    Error,
    "must divide nEmbd",
  );
  assertThrows(() => gptConfig("baby"), Error, "pass { vocabSize }");
  assertThrows(() => gptConfig("tiny"), Error, "Unknown GPT preset");
  assertThrows(
    () => gptConfig("baby", { vocabSize: 0 }),
    Error,
    "positive integer",
  );
  assertThrows(
    () => gptConfig("baby", { vocabSize: 65, dropout: 1 }),
    Error,
    "dropout",
  );
  const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
  const bad: [tf.Tensor, string][] = [
    [tf.tensor2d([[1, 2]]), "int32"],
    [tf.tensor1d([1, 2], "int32"), "shape (B, T)"],
    [tf.zeros([1, 17], "int32"), "exceeds the 16 positions"],
  ];
  for (const [idx, message] of bad) {
    assertThrows(() => model.forward(idx as tf.Tensor2D), Error, message);
  }
  const ok = tf.tensor2d([[1, 2]], undefined, "int32");
  const long = tf.tensor2d([[1, 2, 3]], undefined, "int32");
  const before = tf.memory().numTensors;
  for (const [idx, message] of bad) {
    assertThrows(
      () => model.loss(idx as tf.Tensor2D, idx as tf.Tensor2D),
      Error,
      message,
    );
  }
  assertThrows(() => model.loss(ok, long), Error, "same shape");
  assertEquals(tf.memory().numTensors, before, "failed calls allocate nothing");
  tf.dispose([ok, long, ...bad.map(([t]) => t)]);
  model.dispose();
});

Deno.test("the key/value cache gives the same logits as a full forward pass", () => {
  const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }), {
    seed: 3,
  });
  const ids = [[1, 5, 2, 7, 3, 3, 9], [0, 4, 8, 6, 1, 2, 5]];
  const idx = tf.tensor2d(ids, undefined, "int32");
  const full = model.forward(idx);
  const first = model.forwardWithCache(
    tf.slice(idx, [0, 0], [-1, 3]) as tf.Tensor2D,
  );
  let cache = first.cache;
  const steps = [first.logits];
  for (let t = 3; t < 7; t++) {
    const next = model.forwardWithCache(
      tf.slice(idx, [0, t], [-1, 1]) as tf.Tensor2D,
      cache,
    );
    disposeKVCache(cache);
    cache = next.cache;
    steps.push(next.logits);
  }
  assertEquals(cache.length, 7);
  const incremental = tf.concat(steps, 1);
  assertLess(maxAbsDiff(incremental.dataSync(), full.dataSync()), 1e-5);
  assertThrows(
    () => model.forwardWithCache(tf.zeros([2, 10], "int32") as tf.Tensor2D, cache),
    Error,
    "exceeds the 9 positions",
  );
  disposeKVCache(cache);
  // lastOnly: each sequence's last position, as generate reads it (batch-major rows).
  const last = model.forwardWithCache(idx, undefined, { lastOnly: true });
  assertEquals(last.logits.shape, [2, 1, 10]);
  const fullLast = tf.slice(full, [0, 6, 0], [2, 1, 10]);
  assertLess(maxAbsDiff(last.logits.dataSync(), fullLast.dataSync()), 1e-5);
  assertEquals(last.cache.length, 7);
  disposeKVCache(last.cache);
  tf.dispose([idx, full, incremental, ...steps, last.logits, fullLast]);
  model.dispose();
});

Deno.test("dropout is applied only when training and is reproducible from a seed", () => {
  const model = new GPT(
    gptConfig("notes-small", { vocabSize: 10, dropout: 0.5 }),
    { seed: 1 },
  );
  const idx = tf.tensor2d([[1, 2, 3, 4]], undefined, "int32");
  const evalA = model.forward(idx), evalB = model.forward(idx);
  assertEquals(maxAbsDiff(evalA.dataSync(), evalB.dataSync()), 0);
  const t1 = model.forward(idx, { training: true, seed: 5 });
  const t2 = model.forward(idx, { training: true, seed: 5 });
  const t3 = model.forward(idx, { training: true, seed: 6 });
  assertEquals(maxAbsDiff(t1.dataSync(), t2.dataSync()), 0);
  assert(maxAbsDiff(t1.dataSync(), t3.dataSync()) > 0);
  assert(maxAbsDiff(t1.dataSync(), evalA.dataSync()) > 0);
  tf.dispose([idx, evalA, evalB, t1, t2, t3]);
  model.dispose();
});

Deno.test("50 training steps keep the tensor count flat and lower the loss", () => {
  const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }), {
    seed: 2,
  });
  const opt = tf.train.adam(3e-3);
  const seq = Array.from({ length: 17 }, (_, i) => (i * 3) % 10);
  const idx = tf.tensor2d([seq.slice(0, 16)], undefined, "int32");
  const targets = tf.tensor2d([seq.slice(1)], undefined, "int32");
  const vars = [...model.params.values()];
  const losses: number[] = [];
  let counts: number[] = [];
  for (let step = 0; step < 50; step++) {
    const loss = opt.minimize(
      () => model.loss(idx, targets, { training: true }),
      true,
      vars,
    )!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
    counts.push(tf.memory().numTensors);
  }
  counts = counts.slice(1); // Adam creates its slots on the first step
  assertEquals(
    Math.max(...counts),
    Math.min(...counts),
    "tensor count flat across steps",
  );
  assertLess(losses[49], losses[0] * 0.5);
  opt.dispose();
  tf.dispose([idx, targets]);
  model.dispose();
});
