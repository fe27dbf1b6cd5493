import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertRejects, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import {
  type NamedTensor,
  readSafetensors,
  readSafetensorsIndex,
  readTensorAsFloat32,
  writeSafetensors,
} from "../lib/checkpoint/mod.ts";
import {
  gpt2ParamShapes,
  gptConfigFromHF,
  hfConfigFromGPT,
  isHFModelDir,
  loadHFGPT2,
  saveHFGPT2,
} from "../lib/pretrained/mod.ts";

await initBackend({ report: false });

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const ROOT = await Deno.makeTempDir({ prefix: "hf_gpt2_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(ROOT, { recursive: true }));

const expected = (await readSafetensors(`${FIXTURES}hf_gpt2_parity.safetensors`)).tensors;
const inputIds = expected.get("input_ids")!;
const refLogits = expected.get("logits")!;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function logitsOf(model: GPT): Float32Array {
  const idx = tf.tensor2d(inputIds.data as Int32Array, inputIds.shape as [number, number], "int32");
  const logits = model.forward(idx);
  const out = logits.dataSync() as Float32Array;
  tf.dispose([idx, logits]);
  return out;
}

for (const variant of ["hf_gpt2_tied", "hf_gpt2_lm_head"]) {
  Deno.test(`HF GPT-2 fixture ${variant}: logits match PyTorch within 1e-4, nothing left allocated`, async () => {
    const before = tf.memory().numTensors;
    assert(isHFModelDir(FIXTURES + variant));
    const model = await loadHFGPT2(FIXTURES + variant);
    assertEquals(model.config.vocabSize, 256);
    assertEquals(model.config.blockSize, 16);
    assertLess(maxAbsDiff(logitsOf(model), refLogits.data), 1e-4);
    model.dispose();
    assertEquals(tf.memory().numTensors, before);
  });
}

Deno.test("gpt2ParamShapes lists exactly the parameters GPT builds", () => {
  const config = gptConfig("notes-small", { vocabSize: 11 });
  const model = new GPT(config, { init: "zeros" });
  const shapes = gpt2ParamShapes(config);
  assertEquals(
    [...shapes].sort(),
    [...model.params].map(([k, v]) => [k, v.shape]).sort(),
  );
  model.dispose();
});

Deno.test("saveHFGPT2 -> loadHFGPT2 gives the same logits; config.json has GPT-2's fields", async () => {
  const model = new GPT(gptConfig("notes-small", { vocabSize: 256, blockSize: 16 }), { seed: 3 });
  const dir = `${ROOT}/export`;
  await saveHFGPT2(dir, model);
  const hf = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assertEquals(hf.model_type, "gpt2");
  assertEquals(hf.architectures, ["GPT2LMHeadModel"]);
  assertEquals([hf.n_layer, hf.n_head, hf.n_embd, hf.n_positions, hf.vocab_size], [
    2,
    2,
    32,
    16,
    256,
  ]);
  assertEquals(hf.activation_function, "gelu_new");
  assertEquals(hf.layer_norm_epsilon, 1e-5);
  const index = await readSafetensorsIndex(`${dir}/model.safetensors`);
  assert(index.entries.has("transformer.wte.weight"));
  assert(!index.entries.has("lm_head.weight"));
  const back = await loadHFGPT2(dir);
  assertEquals(maxAbsDiff(logitsOf(back), logitsOf(model)), 0);
  back.dispose();
  model.dispose();
});

Deno.test("hfConfigFromGPT refuses a bias-free model; gptConfigFromHF round-trips", () => {
  const config = gptConfig("baby", { vocabSize: 65 });
  assertEquals(gptConfigFromHF(hfConfigFromGPT(config)), config);
  assertThrows(
    () => hfConfigFromGPT({ ...config, bias: false }),
    Error,
    "bias: false",
  );
});

Deno.test("gptConfigFromHF refuses unsupported values by name", () => {
  const base = JSON.parse(Deno.readTextFileSync(`${FIXTURES}hf_gpt2_tied/config.json`));
  const cases: [Record<string, unknown>, string][] = [
    [{ activation_function: "relu" }, 'activation_function "relu"'],
    [{ activation_function: "gelu" }, 'activation_function "gelu"'],
    [{ layer_norm_epsilon: 1e-6 }, "layer_norm_epsilon 0.000001"],
    [{ n_head: 3 }, "n_head 3 does not divide n_embd 16"],
    [{ n_layer: 0 }, "n_layer must be a positive integer"],
    [{ vocab_size: "many" }, 'vocab_size must be a positive integer, got "many"'],
    [{ n_inner: 100 }, "n_inner 100"],
    [{ scale_attn_by_inverse_layer_idx: true }, "scale_attn_by_inverse_layer_idx"],
    [{ tie_word_embeddings: false }, "tie_word_embeddings false"],
    [{ model_type: "gpt_neo" }, 'model_type is "gpt_neo"'],
  ];
  for (const [change, message] of cases) {
    assertThrows(() => gptConfigFromHF({ ...base, ...change }, "cfg"), Error, message);
  }
  const noN = { ...base };
  delete noN.n_positions;
  assertThrows(() => gptConfigFromHF(noN), Error, "n_positions must be a positive integer");
});

/** A copy of the tied fixture with its tensors (and optionally its config) changed. */
async function mangled(
  name: string,
  change: (t: Map<string, NamedTensor>) => void,
  config?: Record<string, unknown>,
): Promise<string> {
  const dir = `${ROOT}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  const tensors = (await readSafetensors(`${FIXTURES}hf_gpt2_tied/model.safetensors`)).tensors;
  change(tensors);
  await writeSafetensors(`${dir}/model.safetensors`, tensors);
  const base = JSON.parse(await Deno.readTextFile(`${FIXTURES}hf_gpt2_tied/config.json`));
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ ...base, ...config }));
  return dir;
}

async function refused(dir: string, ...parts: string[]): Promise<void> {
  const before = tf.memory().numTensors;
  const e = await assertRejects(() => loadHFGPT2(dir));
  for (const part of parts) {
    assert((e as Error).message.includes(part), `"${(e as Error).message}" lacks "${part}"`);
  }
  assertEquals(tf.memory().numTensors, before, "a refused file left tensors allocated");
}

Deno.test("loadHFGPT2 accepts transformer.-prefixed keys and files without buffers", async () => {
  const dir = await mangled("prefixed", (t) => {
    for (const [k, v] of [...t]) {
      t.delete(k);
      if (!/\.attn\.(bias|masked_bias)$/.test(k)) t.set(`transformer.${k}`, v);
    }
  });
  const model = await loadHFGPT2(dir);
  assertLess(maxAbsDiff(logitsOf(model), refLogits.data), 1e-4);
  model.dispose();
});

Deno.test("loadHFGPT2 refuses mangled files by key and shape, allocating nothing", async () => {
  await refused(
    await mangled("wrong_shape", (t) => {
      const w = t.get("h.1.mlp.c_fc.weight")!;
      t.set("h.1.mlp.c_fc.weight", { ...w, shape: [64, 16] }); // (out, in): a Linear, not Conv1D
    }),
    '"h.1.mlp.c_fc.weight" has shape [64, 16]',
    "implies [16, 64]",
  );
  await refused(
    await mangled("missing", (t) => t.delete("h.0.ln_2.bias")),
    'missing tensor "h.0.ln_2.bias" of shape [16]',
  );
  await refused(
    await mangled("wrong_dtype", (t) => {
      const w = t.get("wpe.weight")!;
      t.set("wpe.weight", { dtype: "I32", shape: w.shape, data: new Int32Array(w.data.length) });
    }),
    '"wpe.weight" [16, 16] has dtype I32',
  );
  await refused(
    await mangled("extra", (t) => t.set("h.2.ln_1.weight", t.get("h.0.ln_1.weight")!)),
    "unexpected tensor(s) h.2.ln_1.weight [16]",
  );
  await refused(
    await mangled("untied", (t) => {
      const w = t.get("wte.weight")!;
      const data = (w.data as Float32Array).slice();
      data[7] += 1;
      t.set("lm_head.weight", { ...w, data });
    }),
    '"lm_head.weight" differs from "wte.weight"',
  );
  await refused(
    await mangled("config_mismatch", () => {}, { n_embd: 32 }),
    '"wte.weight" has shape [256, 16]',
    "implies [256, 32]",
  );
  await refused(await mangled("bad_act", () => {}, { activation_function: "relu" }), "relu");
});

Deno.test("loadHFGPT2 refuses truncated files and a missing config, allocating nothing", async () => {
  const bytes = await Deno.readFile(`${FIXTURES}hf_gpt2_tied/model.safetensors`);
  const config = await Deno.readTextFile(`${FIXTURES}hf_gpt2_tied/config.json`);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const cut = async (name: string, length: number) => {
    const dir = `${ROOT}/${name}`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(`${dir}/model.safetensors`, bytes.subarray(0, length));
    await Deno.writeTextFile(`${dir}/config.json`, config);
    return dir;
  };
  await refused(await cut("cut_prefix", 5), "only 5 bytes");
  await refused(
    await cut("cut_header", 8 + Math.floor(headerLength / 2)),
    `header length ${headerLength} does not fit`,
  );
  await refused(await cut("cut_data", bytes.length - 100), "outside the", "truncated");
  const none = `${ROOT}/no_config`;
  await Deno.mkdir(none);
  await refused(none, "config.json could not be read");
});

/** Builds a one-tensor safetensors file by hand, for dtypes our writer does not produce. */
async function oneTensorFile(dtype: string, shape: number[], raw: Uint8Array): Promise<string> {
  const header = JSON.stringify({ x: { dtype, shape, data_offsets: [0, raw.length] } });
  const text = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + text.length + raw.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
  bytes.set(text, 8);
  bytes.set(raw, 8 + text.length);
  const path = await Deno.makeTempFile({ dir: ROOT, suffix: ".safetensors" });
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("readTensorAsFloat32 widens F16 and BF16 exactly and refuses other dtypes by name", async () => {
  // 1, -2, 0.5, 65504 (largest half), 2^-24 (smallest subnormal), -0, +Inf
  const half = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00]);
  const f16 = await oneTensorFile("F16", [7], new Uint8Array(half.buffer));
  const index = await readSafetensorsIndex(f16);
  using file = await Deno.open(f16);
  const values = await readTensorAsFloat32(file, index.entries.get("x")!);
  assertEquals([...values], [1, -2, 0.5, 65504, 2 ** -24, -0, Infinity]);
  assert(Object.is(values[5], -0));
  // bfloat16 keeps float32's exponent: 1, -3.5, 2^100
  const bf = new Uint16Array([0x3f80, 0xc060, 0x7180]);
  const b16 = await oneTensorFile("BF16", [3], new Uint8Array(bf.buffer));
  using bfile = await Deno.open(b16);
  const bvalues = await readTensorAsFloat32(
    bfile,
    (await readSafetensorsIndex(b16)).entries.get("x")!,
  );
  assertEquals([...bvalues], [1, -3.5, 2 ** 100]);
  const i64 = await oneTensorFile("I64", [1], new Uint8Array(8));
  using ifile = await Deno.open(i64);
  await assertRejects(
    () => readTensorAsFloat32(ifile, { name: "x", dtype: "I64", shape: [1], begin: 0, end: 8 }),
    Error,
    'tensor "x" [1] has dtype I64',
  );
});

Deno.test("loadHFGPT2 loads an F16 copy of the fixture (logits within F16 rounding)", async () => {
  const src = await readSafetensors(`${FIXTURES}hf_gpt2_tied/model.safetensors`);
  // Round every weight to half precision by hand, keeping the released file's key order.
  const f16 = (x: number): number => {
    const f = new Float32Array([x]);
    const u = new Uint32Array(f.buffer)[0];
    const sign = (u >>> 16) & 0x8000;
    const e = ((u >>> 23) & 0xff) - 112;
    if (e <= 0) return sign; // the fixture's weights are far from half's subnormals
    // Round to nearest (ties away is fine for a test) on the 13 dropped mantissa bits.
    const m = (u & 0x7fffff) + 0x1000;
    return sign | ((e + (m >>> 23)) << 10) | ((m & 0x7fffff) >>> 13);
  };
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of src.tensors) {
    const h = Uint16Array.from(t.data, f16);
    header[name] = { dtype: "F16", shape: t.shape, data_offsets: [offset, offset + h.byteLength] };
    parts.push(new Uint8Array(h.buffer));
    offset += h.byteLength;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + text.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
  bytes.set(text, 8);
  let at = 8 + text.length;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  const dir = `${ROOT}/f16`;
  await Deno.mkdir(dir);
  await Deno.writeFile(`${dir}/model.safetensors`, bytes);
  await Deno.copyFile(`${FIXTURES}hf_gpt2_tied/config.json`, `${dir}/config.json`);
  const model = await loadHFGPT2(dir);
  const err = maxAbsDiff(logitsOf(model), refLogits.data);
  model.dispose();
  // Half precision keeps ~3 decimal digits; the logits are O(1).
  assertLess(err, 0.05);
  assert(err > 0, "F16 rounding should change the logits a little");
});

// The export's real test is Hugging Face loading it. That needs torch + transformers, which CI
// need not have: point LLM_HF_PYTHON at such a Python (the project's .venv/bin/python is tried).
function hfPython(): string | undefined {
  const candidates = [
    Deno.env.get("LLM_HF_PYTHON"),
    new URL("../.venv/bin/python", import.meta.url)
      .pathname,
  ];
  for (const python of candidates) {
    if (!python) continue;
    try {
      const ok = new Deno.Command(python, {
        args: ["-c", "import torch, transformers, safetensors"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
      if (ok) return python;
    } catch { /* not there */ }
  }
  return undefined;
}
const python = hfPython();

Deno.test({
  name: "an exported GPT loads in GPT2LMHeadModel.from_pretrained with the same logits",
  ignore: python === undefined,
  async fn() {
    const model = new GPT(gptConfig("baby", { vocabSize: 65 }), { seed: 7 });
    const dir = `${ROOT}/export_hf`;
    await saveHFGPT2(dir, model);
    const ids = Int32Array.from({ length: 2 * 64 }, (_, i) => (i * 37) % 65);
    const idx = tf.tensor2d(ids, [2, 64], "int32");
    const logits = model.forward(idx);
    const path = `${ROOT}/export_expected.safetensors`;
    await writeSafetensors(
      path,
      new Map<string, NamedTensor>([
        ["input_ids", { dtype: "I32", shape: [2, 64], data: ids }],
        ["logits", { dtype: "F32", shape: [2, 64, 65], data: logits.dataSync() as Float32Array }],
      ]),
    );
    tf.dispose([idx, logits]);
    model.dispose();
    const out = await new Deno.Command(python!, {
      args: [new URL("../tools/torch/pt_check_hf_export.py", import.meta.url).pathname, dir, path],
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert(out.success, text);
    assert(text.includes("max |HF logits - lib logits|"), text);
  },
});
