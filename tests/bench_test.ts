import { assert, assertEquals, assertMatch } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { runBench } from "../bench/gpt_train_bench.ts";
import { profileStep } from "../bench/profile_step.ts";
import { TorchContender } from "../bench/_torch_contender.ts";
import { initBackend } from "../lib/backend/mod.ts";

const shape = { nEmbd: 16, nLayer: 1, nHead: 2, block: 8, batch: 2, vocab: 11 };

Deno.test("bench:gpt times every round's steps and frees its tensors", async () => {
  await initBackend({ backend: "cpu", report: false });
  const before = tf.memory().numTensors;
  const rows = await runBench({
    shape,
    backends: ["cpu"],
    contenders: ["lib", "naive"],
    rounds: 2,
    steps: 2,
    warmup: 1,
    python: "python3",
    torchThreads: [],
  });
  assertEquals(rows.map((r) => r.contender), ["lib cpu", "naive cpu"]);
  for (const r of rows) {
    assertEquals(r.ms.length, 4);
    assert(r.ms.every((m) => m > 0 && Number.isFinite(m)));
    // Untrained on random tokens: the loss sits near ln(vocab).
    assert(Math.abs(r.lastLoss - Math.log(shape.vocab)) < 0.5, `loss ${r.lastLoss}`);
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("PyTorch contender refuses an unknown device before starting Python", async () => {
  const t = await TorchContender.start("python3", 1, shape, "tpu");
  assertEquals(typeof t, "string");
  assertMatch(t as string, /unknown PyTorch device "tpu"/);
});

Deno.test("bench:profile sums kernel time per kernel name", async () => {
  await initBackend({ backend: "cpu", report: false });
  const before = tf.memory().numTensors;
  const p = await profileStep({ ...shape, backend: "cpu", steps: 1 });
  assert(p.wallMs > 0);
  assert(p.kernels.some((k) => k.name === "BatchMatMul" && k.calls > 0));
  assert(p.kernelMs <= p.wallMs * 1.5);
  assertEquals(tf.memory().numTensors, before);
});
