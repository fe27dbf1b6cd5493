import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { findTorchPython } from "./_torch_python.ts";
import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { CharTokenizer } from "../lib/tokenizers/mod.ts";
import { generate } from "../lib/sample/mod.ts";
import {
  assignTensors,
  checkConfig,
  checkTokenizer,
  decodeSafetensors,
  encodeSafetensors,
  loadCheckpoint,
  type NamedTensor,
  readSafetensors,
  saveCheckpoint,
  writeSafetensors,
} from "../lib/checkpoint/mod.ts";
import { loadGPTCheckpoint, saveGPTCheckpoint } from "../lib/pretrained/mod.ts";

await initBackend({ report: false });

// Every test writes under one temporary folder, removed when the test run ends.
const ROOT = await Deno.makeTempDir({ prefix: "checkpoint_test_" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(ROOT, { recursive: true }),
);

function sample(): Map<string, NamedTensor> {
  return new Map<string, NamedTensor>([
    ["transformer.wte.weight", {
      dtype: "F32",
      shape: [3, 2],
      data: new Float32Array([1.5, -2, 0.25, 3e-8, -0, 7]),
    }],
    ["ids", {
      dtype: "I32",
      shape: [4],
      data: new Int32Array([0, -1, 2 ** 31 - 1, 5]),
    }],
    ["scalar", { dtype: "F32", shape: [], data: new Float32Array([0.5]) }],
  ]);
}

Deno.test("safetensors: byte layout is length + JSON header padded to 8 + little-endian data", () => {
  const bytes = encodeSafetensors(
    new Map([["a", {
      dtype: "F32",
      shape: [2],
      data: new Float32Array([1, -2]),
    }]]),
    { format: "pt" },
  );
  const view = new DataView(bytes.buffer);
  const n = Number(view.getBigUint64(0, true));
  assertEquals((8 + n) % 8, 0, "data must start 8-byte aligned");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assertEquals(header, {
    __metadata__: { format: "pt" },
    a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
  });
  assertEquals(bytes.length, 8 + n + 8);
  // 1.0f = 0x3f800000 and -2.0f = 0xc0000000, least significant byte first.
  assertEquals([...bytes.subarray(8 + n)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
});

Deno.test("safetensors: encode/decode and write/read round-trip F32, I32 and scalars", async () => {
  const tensors = sample();
  const decoded = decodeSafetensors(encodeSafetensors(tensors, { step: "3" }));
  assertEquals(decoded.metadata, { step: "3" });
  const path = await Deno.makeTempFile({ dir: ROOT, suffix: ".safetensors" });
  await writeSafetensors(path, tensors, { step: "3" });
  const read = await readSafetensors(path);
  for (const got of [decoded, read]) {
    assertEquals([...got.tensors.keys()].sort(), [...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      const g = got.tensors.get(name)!;
      assertEquals(g.dtype, t.dtype);
      assertEquals(g.shape, t.shape);
      assertEquals([...g.data], [...t.data]);
      assertEquals(g.data.constructor, t.data.constructor);
    }
  }
  // The streaming writer and the in-memory encoder produce identical files.
  assertEquals(
    await Deno.readFile(path),
    encodeSafetensors(tensors, { step: "3" }),
  );
  await Deno.remove(path);
});

Deno.test("safetensors: corrupt or unsupported files are refused with the reason", () => {
  const good = encodeSafetensors(sample());
  assertThrows(
    () => decodeSafetensors(good.subarray(0, 5)),
    Error,
    "only 5 bytes",
  );
  assertThrows(
    () => decodeSafetensors(good.subarray(0, good.length - 4)),
    Error,
    "outside",
  );
  const forge = (header: unknown, dataBytes: number) => {
    const text = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + text.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
    out.set(text, 8);
    return out;
  };
  assertThrows(
    () =>
      decodeSafetensors(
        forge({ w: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }, 4),
      ),
    Error,
    "dtype F16",
  );
  assertThrows(
    () =>
      decodeSafetensors(
        forge({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8),
      ),
    Error,
    "needs 12 bytes",
  );
  assertThrows(
    () =>
      decodeSafetensors(forge({
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
      }, 12)),
    Error,
    "overlap",
  );
  assertThrows(
    () =>
      encodeSafetensors(
        new Map([["w", {
          dtype: "F32",
          shape: [2, 2],
          data: new Float32Array(3),
        }]]),
      ),
    Error,
    "shape [2,2] (4 values) but 3 values",
  );
});

async function tempDir(): Promise<string> {
  return (await Deno.makeTempDir({ dir: ROOT })) + "/run";
}

function meta(step: number) {
  return {
    model: { type: "gpt", config: { nLayer: 1, nEmbd: 2, vocabSize: 3 } },
    tokenizer: { type: "char", chars: "abc" },
    step,
    rng: { sampler: 12345 },
  };
}

Deno.test("checkpoint: save and load round-trip weights, optimizer moments and sidecar", async () => {
  const dir = await tempDir();
  const w = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
  const b = tf.variable(tf.tensor1d([0.5, -0.5]));
  const m = tf.tensor1d([9, 8]);
  await saveCheckpoint(dir, {
    weights: new Map<string, tf.Tensor>([
      ["transformer.wte.weight", w],
      ["transformer.ln_f.bias", b],
    ]),
    optimizer: new Map([["exp_avg.transformer.ln_f.bias", m]]),
    meta: meta(42),
  });
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(names, [
    "checkpoint.json",
    "model.safetensors",
    "optimizer.safetensors",
  ]);
  const ckpt = await loadCheckpoint(dir);
  assertEquals(ckpt.meta.step, 42);
  assertEquals(ckpt.meta.tokenizer, { type: "char", chars: "abc" });
  assertEquals(ckpt.meta.rng, { sampler: 12345 });
  assertEquals([...ckpt.weights.get("transformer.wte.weight")!.data], [
    1,
    2,
    3,
    4,
    5,
    6,
  ]);
  assertEquals(
    [...ckpt.optimizer!.get("exp_avg.transformer.ln_f.bias")!.data],
    [9, 8],
  );
  // The weights file is plain safetensors with HF's metadata, loadable by PyTorch tooling.
  const raw = await readSafetensors(`${dir}/model.safetensors`);
  assertEquals(raw.metadata.format, "pt");

  const w2 = tf.variable(tf.zeros([3, 2]));
  const b2 = tf.variable(tf.zeros([2]));
  const params = new Map<string, tf.Variable>([
    ["transformer.wte.weight", w2],
    ["transformer.ln_f.bias", b2],
  ]);
  assignTensors(params, ckpt.weights);
  assertEquals(await w2.array(), [[1, 2], [3, 4], [5, 6]]);
  assertEquals(await b2.array(), [0.5, -0.5]);
  tf.dispose([w, b, m, w2, b2]);
});

Deno.test("checkpoint: a save that fails mid-write keeps the previous checkpoint intact", async () => {
  const dir = await tempDir();
  const a = tf.variable(tf.tensor1d([1, 2, 3]));
  const z = tf.variable(tf.tensor1d([4, 5]));
  await saveCheckpoint(dir, {
    weights: new Map([["a.weight", a], ["z.weight", z]]),
    meta: meta(1),
  });
  const before = await Deno.readFile(`${dir}/model.safetensors`);
  // The second save writes the header and "a.weight", then fails reading "z.weight" (disposed):
  // a crash in the middle of writing the weights file.
  const a2 = tf.variable(tf.tensor1d([7, 7, 7]));
  const z2 = tf.variable(tf.tensor1d([8, 8]));
  z2.dispose();
  await assertRejects(
    () =>
      saveCheckpoint(dir, {
        weights: new Map([["a.weight", a2], ["z.weight", z2]]),
        meta: meta(2),
      }),
    Error,
    "disposed",
  );
  assertEquals(await Deno.readFile(`${dir}/model.safetensors`), before);
  const ckpt = await loadCheckpoint(dir);
  assertEquals(ckpt.meta.step, 1);
  assertEquals([...ckpt.weights.get("z.weight")!.data], [4, 5]);
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  assertEquals([...Deno.readDirSync(parent)].map((e) => e.name), ["run"]);
  tf.dispose([a, z, a2]);
});

Deno.test("checkpoint: a crash between the two renames is recovered from <dir>.old", async () => {
  const dir = await tempDir();
  const a = tf.variable(tf.tensor1d([1, 2]));
  await saveCheckpoint(dir, { weights: new Map([["a", a]]), meta: meta(5) });
  // State after "rename <dir> -> <dir>.old" and before "rename <dir>.tmp -> <dir>".
  await Deno.rename(dir, `${dir}.old`);
  await Deno.mkdir(`${dir}.tmp`);
  await Deno.writeTextFile(`${dir}.tmp/model.safetensors`, "half a file");
  const ckpt = await loadCheckpoint(dir);
  assertEquals(ckpt.meta.step, 5);
  assertEquals(ckpt.dir, `${dir}.old`);
  // The next save puts the good one back first, then replaces it normally.
  a.assign(tf.tensor1d([3, 4]));
  await saveCheckpoint(dir, { weights: new Map([["a", a]]), meta: meta(6) });
  const after = await loadCheckpoint(dir);
  assertEquals(after.dir, dir);
  assertEquals(after.meta.step, 6);
  assertEquals([...after.weights.get("a")!.data], [3, 4]);
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  assertEquals([...Deno.readDirSync(parent)].map((e) => e.name), ["run"]);
  a.dispose();
});

Deno.test("checkpoint: mismatches are refused naming the tensor, field or vocabulary", async () => {
  const dir = await tempDir();
  const w = tf.variable(tf.zeros([3, 2]));
  await saveCheckpoint(dir, {
    weights: new Map([["transformer.h.0.attn.c_attn.weight", w]]),
    meta: meta(1),
  });
  const ckpt = await loadCheckpoint(dir);
  const wrong = tf.variable(tf.ones([2, 6]));
  const e = assertThrows(
    () =>
      assignTensors(
        new Map([["transformer.h.0.attn.c_attn.weight", wrong]]),
        ckpt.weights,
      ),
  ) as Error;
  assertStringIncludes(e.message, "transformer.h.0.attn.c_attn.weight");
  assertStringIncludes(e.message, "[3,2]");
  assertStringIncludes(e.message, "[2,6]");
  assertEquals(
    await wrong.array(),
    [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]],
    "unchanged",
  );
  assertThrows(
    () => assignTensors(new Map([["transformer.wte.weight", wrong]]), ckpt.weights),
    Error,
    "lacks tensor(s) transformer.wte.weight",
  );
  assertThrows(
    () =>
      checkConfig(
        { nLayer: 2, nEmbd: 2, vocabSize: 3 },
        ckpt.meta.model.config,
      ),
    Error,
    "nLayer: checkpoint 1, requested 2",
  );
  assertThrows(
    () => checkTokenizer({ type: "char", chars: "abcd" }, ckpt.meta.tokenizer),
    Error,
    "different vocabulary",
  );
  checkConfig({ nLayer: 1, vocabSize: 3 }, ckpt.meta.model.config);
  checkTokenizer({ type: "char", chars: "abc" }, ckpt.meta.tokenizer);
  await assertRejects(
    () => loadCheckpoint(dir + "-missing"),
    Error,
    "No checkpoint at",
  );
  tf.dispose([w, wrong]);
});

Deno.test("checkpoint: refuses to replace a directory that is not a checkpoint", async () => {
  const dir = await tempDir();
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
  const a = tf.variable(tf.zeros([1]));
  await assertRejects(
    () => saveCheckpoint(dir, { weights: new Map([["a", a]]), meta: meta(1) }),
    Error,
    "is not a checkpoint directory",
  );
  assert(await Deno.readTextFile(`${dir}/notes.txt`) === "mine");
  a.dispose();
});

// LLM_TORCH_PYTHON, else Debian's python3 with python3-torch (tests/_torch_python.ts).
const TORCH_PYTHON = findTorchPython();

Deno.test({
  name: "checkpoint: PyTorch loads our GPT checkpoint and computes the same logits",
  ignore: TORCH_PYTHON === undefined, // needs a Python with torch
  fn: async () => {
    const config = gptConfig("notes-small", { vocabSize: 11 });
    const model = new GPT(config, { seed: 3 });
    // GPT-2's init keeps logits near zero; larger weights make every tensor matter.
    let seed = 0;
    for (const p of model.params.values()) {
      tf.tidy(() => p.assign(tf.add(p, tf.randomNormal(p.shape, 0, 0.3, "float32", seed++))));
    }
    const dir = await tempDir();
    await saveCheckpoint(dir, {
      weights: model.params,
      meta: { model: { type: "gpt", config: { ...config } }, step: 0 },
    });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const ours = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], "int32")));
    const out = `${dir}/../logits.json`;
    const run = await new Deno.Command(TORCH_PYTHON!, {
      args: [
        "tools/torch/pt_load_checkpoint.py",
        dir,
        "--ids",
        ids.join(","),
        "--out",
        out,
      ],
    }).output();
    assert(run.success, new TextDecoder().decode(run.stderr));
    const theirs = JSON.parse(await Deno.readTextFile(out));
    assertEquals(theirs.shape, ours.shape);
    const a = await ours.data();
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - theirs.data[i]));
    }
    assert(worst < 1e-4, `max |logit difference| ${worst}`);
    ours.dispose();
    model.dispose();
  },
});

Deno.test("checkpoint: a GPT and its tokenizer come back ready to generate the same text", async () => {
  const tokenizer = CharTokenizer.fromText("the cat sat on the mat");
  const model = new GPT(
    gptConfig("notes-small", { vocabSize: tokenizer.vocabSize }),
    {
      seed: 8,
    },
  );
  const dir = await tempDir();
  await saveGPTCheckpoint(dir, model, tokenizer, { metrics: { note: "demo" } });
  const loaded = await loadGPTCheckpoint(dir, { expect: { nLayer: 2 } });
  assertEquals(loaded.meta.metrics, { note: "demo" });
  assertEquals(loaded.tokenizer.toJSON(), tokenizer.toJSON());
  const prompt = tokenizer.encode("the ");
  const opts = { maxNewTokens: 12, temperature: 0.9, seed: 4 };
  assertEquals(
    tokenizer.decode(generate(loaded.model, prompt, opts)),
    tokenizer.decode(generate(model, prompt, opts)),
  );
  await assertRejects(
    () => loadGPTCheckpoint(dir, { expect: { nEmbd: 64 } }),
    Error,
    "nEmbd: checkpoint 32, requested 64",
  );
  const other = CharTokenizer.fromText("xyz");
  await assertRejects(
    () => saveGPTCheckpoint(dir, model, other),
    Error,
    `the tokenizer has 3 tokens but the model's vocabSize is ${tokenizer.vocabSize}`,
  );
  loaded.model.dispose();
  model.dispose();
});
