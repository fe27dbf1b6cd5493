import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { benchOptions, runBench } from "../bench/gpt_train_bench.ts";
import { profileStep } from "../bench/profile_step.ts";
import { TorchContender } from "../bench/_torch_contender.ts";
import { initBackend, probeBackends } from "../lib/backend/mod.ts";
import { findTorchPython } from "./_torch_python.ts";

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

/** A directory that passes for a nanoGPT checkout (the three names the check looks for). */
function fakeNanoGpt(): string {
  const dir = Deno.makeTempDirSync({ prefix: "nanogpt_" });
  Deno.writeTextFileSync(
    `${dir}/model.py`,
    "class GPTConfig:\n    pass\nclass GPT(object):\n    def configure_optimizers(self): pass\n",
  );
  return dir;
}

Deno.test("bench:gpt --nanogpt: checked before any work, errors name the fix", async () => {
  const base = ["--backends", "cpu"];
  const clone = /git clone https:\/\/github\.com\/karpathy\/nanoGPT/;
  // The contender without a checkout, and a directory that is not one.
  let e = await assertRejects(() => benchOptions([...base, "--contenders", "lib,nanogpt"]));
  assertMatch((e as Error).message, /needs --nanogpt DIR/);
  assertMatch((e as Error).message, clone);
  e = await assertRejects(() =>
    benchOptions([...base, "--contenders", "nanogpt", "--nanogpt", "/nonexistent/nanoGPT"])
  );
  assertMatch((e as Error).message, /no model\.py there/);
  assertMatch((e as Error).message, clone);
  const notNano = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${notNano}/model.py`, "print('hello')\n");
  e = await assertRejects(() =>
    benchOptions([...base, "--contenders", "nanogpt", "--nanogpt", notNano])
  );
  assertMatch((e as Error).message, /has no "class GPT\("/);
  // A checkout without the contender is a mistake, not ignored.
  const dir = fakeNanoGpt();
  e = await assertRejects(() => benchOptions([...base, "--contenders", "lib", "--nanogpt", dir]));
  assertMatch((e as Error).message, /--contenders lib,nanogpt/);
  e = await assertRejects(() => benchOptions([...base, "--contenders", "lib,nanoGPT"]));
  assertMatch((e as Error).message, /unknown "nanoGPT"; choose from lib, naive, torch, nanogpt/);
  // Accepted: the directory, bias off unless asked.
  const opts = await benchOptions([...base, "--contenders", "lib,nanogpt", "--nanogpt", dir]);
  assertEquals(opts?.contenders, ["lib", "nanogpt"]);
  assertEquals(opts?.nanogpt, dir);
  assertEquals(opts?.nanogptBias, false);
  const withBias = await benchOptions([
    ...base,
    "--contenders=nanogpt",
    `--nanogpt=${dir}`,
    "--nanogpt-bias",
  ]);
  assertEquals(withBias?.nanogptBias, true);
  assertEquals(await benchOptions(["--help"]), undefined);
  Deno.removeSync(dir, { recursive: true });
  Deno.removeSync(notNano, { recursive: true });
});

Deno.test("nanoGPT contender refuses a GPU device before starting Python", async () => {
  const dir = fakeNanoGpt();
  const t = await TorchContender.start("python3", 1, shape, "cuda", { nanogpt: dir });
  assertMatch(t as string, /runs on the CPU only/);
  Deno.removeSync(dir, { recursive: true });
});

// The real thing, where a torch Python and a nanoGPT checkout are at hand
// (LLM_NANOGPT_DIR: a clone of https://github.com/karpathy/nanoGPT).
const torchPython = findTorchPython();
const nanoDir = Deno.env.get("LLM_NANOGPT_DIR");
Deno.test({
  name: "nanoGPT contender times train.py's step on nanoGPT's own model",
  ignore: !torchPython || !nanoDir,
  fn: async () => {
    const rows = await runBench({
      shape,
      backends: ["cpu"],
      contenders: ["nanogpt"],
      rounds: 2,
      steps: 2,
      warmup: 1,
      python: torchPython!,
      torchThreads: [1],
      nanogpt: nanoDir,
    });
    assertEquals(rows.map((r) => r.contender), ["nanogpt 1 thread"]);
    assertEquals(rows[0].ms.length, 4);
    assertEquals(rows[0].vsNanoGptRounds, [1, 1]);
    assertMatch(rows[0].note!, /bias false/);
    assert(Math.abs(rows[0].lastLoss - Math.log(shape.vocab)) < 0.5, `loss ${rows[0].lastLoss}`);
  },
});

Deno.test({
  name: "bench:lstm trains notebook 03's model with the LSTM op and without, same losses",
  ignore: !(await probeBackends()).find((p) => p.name === "tensorflow")?.available,
  fn: async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "bench/lstm_bench.ts", "--rounds", "1", "--steps", "1", "--eval", "8"],
      cwd: new URL("../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert(out.success, text + new TextDecoder().decode(out.stderr));
    assertMatch(text, /\| training step \(mean of 1\) \| [\d.]+ /);
    assertMatch(text, /tensors left over: 0/);
  },
});
