// The `tensorflow` backend (@tensorflow/tfjs-node), when `deno task setup:tfjs-node` or the
// package's own install script provided its binding; skipped otherwise.
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { initBackend, probeBackends } from "../lib/backend/mod.ts";
import { GPT, type GPTConfig, gptConfig } from "../lib/models/mod.ts";
import { AdamW } from "../lib/train/mod.ts";

const present = (await probeBackends()).find((p) => p.name === "tensorflow")!.available;

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
    await initBackend({ backend: "tensorflow", report: false });
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
    await initBackend({ backend: "tensorflow", report: false });
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
