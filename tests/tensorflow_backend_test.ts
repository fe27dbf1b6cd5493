// The `tensorflow` backend (@tensorflow/tfjs-node), built by `deno task setup` (which the test
// task runs first). Skipped where it could not be built, except in CI (CI=true) or with
// LLM_REQUIRE_TENSORFLOW=1, where its absence fails the run instead of hiding behind skips.
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess } from "@std/assert";
import { initBackend, probeBackends } from "../lib/backend/mod.ts";
import { GPT, type GPTConfig, gptConfig } from "../lib/models/mod.ts";
import { AdamW, Trainer } from "../lib/train/mod.ts";

// LLM_BACKEND=tensorflow-gpu runs these tests on the GPU package (`setup:tfjs-node --gpu`).
const TF = Deno.env.get("LLM_BACKEND") === "tensorflow-gpu" ? "tensorflow-gpu" : "tensorflow";
const probe = (await probeBackends()).find((p) => p.name === TF)!;
const present = probe.available;
const required = Deno.env.get("CI") === "true" || Deno.env.get("LLM_REQUIRE_TENSORFLOW") === "1";

Deno.test({
  name: "tensorflow backend: built (required in CI, so its tests run rather than skip)",
  ignore: !required,
  fn: () => assert(present, `the tensorflow backend is missing: ${probe.detail}`),
});

Deno.test({
  name: "tensorflow backend: the same seed trains the same GPT, every loss equal over 50 steps",
  ignore: !present,
  fn: async () => {
    await initBackend({ backend: TF, report: false });
    // Random tokens with some structure (a repeating pattern plus noise from a fixed LCG).
    let s = 12345;
    const data = Int32Array.from({ length: 4000 }, (_, i) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (i % 7 + (s >>> 28)) % 16;
    });
    const runs: number[][] = [];
    for (let r = 0; r < 2; r++) {
      // Dropout on, so the seeded masks are part of what must repeat.
      const model = new GPT(gptConfig("notes-small", { vocabSize: 16, dropout: 0.1 }), {
        seed: 3,
      });
      const trainer = new Trainer({
        model,
        train: data.subarray(0, 3600),
        val: data.subarray(3600),
        config: {
          maxIters: 50,
          batchSize: 4,
          blockSize: 16,
          lr: 3e-3,
          minLr: 3e-4,
          warmupIters: 5,
          lrDecayIters: 50,
          evalInterval: 25,
          evalIters: 2,
          seed: 11,
        },
      });
      const result = await trainer.run();
      runs.push([...result.losses, ...result.history.map((h) => h.valLoss)]);
      trainer.dispose();
      model.dispose();
    }
    assertEquals(runs[0].length, 53);
    assertEquals(runs[0], runs[1]);
    await initBackend({ backend: "cpu", report: false });
  },
});

Deno.test({
  name: "tensorflow backend: seeded random tensors and dropout repeat exactly",
  ignore: !present,
  fn: async () => {
    await initBackend({ backend: TF, report: false });
    const draw = () =>
      tf.tidy(() =>
        [
          tf.randomNormal([64], 0, 1, "float32", 7),
          tf.randomUniform([64], 0, 1, "float32", 7),
          tf.dropout(tf.ones([64]), 0.5, undefined, 3),
        ].map((t) => Array.from(t.dataSync()))
      );
    assertEquals(draw(), draw());
    await initBackend({ backend: "cpu", report: false });
  },
});

interface Fixture {
  config: GPTConfig;
  weights: Record<string, { shape: number[]; data: number[] }>;
  idx: number[][];
  targets: number[][];
  logits: { data: number[] };
  loss: number;
  grads: Record<string, { data: number[] }>;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test({
  name: "tensorflow backend: GPT logits, loss and gradients match PyTorch to 1e-4",
  ignore: !present,
  fn: async () => {
    await initBackend({ backend: TF, report: false });
    const fixture: Fixture = JSON.parse(
      Deno.readTextFileSync(new URL("./fixtures/gpt_parity.json", import.meta.url)),
    );
    const model = new GPT(fixture.config, { seed: 0 });
    for (const [name, { shape, data }] of Object.entries(fixture.weights)) {
      tf.tidy(() => model.params.get(name)!.assign(tf.tensor(data, shape)));
    }
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
      assertLess(maxAbsDiff(grads[v.name].dataSync(), fixture.grads[name].data), 1e-4, name);
    }
    tf.dispose([idx, targets, logits, value, ...Object.values(grads)]);
    model.dispose();
    await initBackend({ backend: "cpu", report: false });
  },
});

Deno.test({
  name: "tensorflow backend: 50 AdamW steps keep tensors and bytes flat and lower the loss",
  ignore: !present,
  fn: async () => {
    await initBackend({ backend: TF, report: false });
    const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }), { seed: 2 });
    const opt = new AdamW(model.params, { weightDecay: 0.1 });
    const byVarName = new Map([...model.params].map(([k, v]) => [v.name, k]));
    const seq = Array.from({ length: 17 }, (_, i) => (i * 3) % 10);
    const idx = tf.tensor2d([seq.slice(0, 16)], undefined, "int32");
    const targets = tf.tensor2d([seq.slice(1)], undefined, "int32");
    const vars = [...model.params.values()];
    const losses: number[] = [];
    const counts: number[] = [], bytes: number[] = [];
    for (let step = 0; step < 50; step++) {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => model.loss(idx, targets, { training: true }),
          vars,
        );
        const named: Record<string, tf.Tensor> = {};
        for (const [k, g] of Object.entries(grads)) named[byVarName.get(k)!] = g;
        opt.update(named, 3e-3);
        return value;
      });
      losses.push(loss.dataSync()[0]);
      loss.dispose();
      counts.push(tf.memory().numTensors);
      bytes.push(tf.memory().numBytes);
    }
    assertEquals(Math.max(...counts), Math.min(...counts), "tensor count flat across steps");
    assertEquals(Math.max(...bytes), Math.min(...bytes), "bytes flat across steps");
    assertLess(losses[49], losses[0] * 0.5);
    opt.dispose?.();
    tf.dispose([idx, targets]);
    model.dispose();
    await initBackend({ backend: "cpu", report: false });
  },
});

/** Runs `code` in a fresh Deno from the project root; returns its stdout and stderr. */
async function denoEval(code: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: new URL("..", import.meta.url).pathname,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { ok: out.success, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "tensorflow backend: starts without TensorFlow's C++ start-up lines",
  ignore: !present,
  fn: async () => {
    const r = await denoEval(
      `import { initBackend } from "./lib/backend/mod.ts"; await initBackend({});`,
      { LLM_BACKEND: TF === "tensorflow" ? "" : TF, TF_CPP_MIN_LOG_LEVEL: "" },
    );
    assert(r.ok, r.stderr);
    assert(r.stdout.includes(`tfjs backend: ${TF}`), r.stdout);
    assertEquals(r.stderr.trim(), "", "nothing on stderr");
  },
});

Deno.test("quiet stderr: TensorFlow's notices are dropped, every other line is kept", async () => {
  const r = await denoEval(`
    import { withoutTensorflowNotices } from "./lib/backend/_quiet_stderr.ts";
    await withoutTensorflowNotices(async () => {
      console.error("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR");
      console.error("I0000 00:00:1.0  1 port.cc:153] oneDNN custom operations are on. You may see ...");
      console.error("E0000 a real TensorFlow error");
    });
    console.error("after");`);
  assert(r.ok, r.stderr);
  assertEquals(r.stderr.trim().split("\n"), ["E0000 a real TensorFlow error", "after"]);
});
