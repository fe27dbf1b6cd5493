import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertStringIncludes, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import { readSafetensors } from "../lib/checkpoint/mod.ts";
import { loadHFGPT2, saveGPTCheckpoint } from "../lib/pretrained/mod.ts";
import { CharTokenizer, loadGPT2 } from "../lib/tokenizers/mod.ts";
import { slidingWindowPerplexity } from "../scripts/perplexity.ts";
import { textStreamer } from "../scripts/generate.ts";
import { parseFlags } from "../scripts/flags.ts";

await initBackend({ report: false });

const ROOT_DIR = new URL("..", import.meta.url).pathname;
const FIXTURE = `${ROOT_DIR}tests/fixtures/hf_gpt2_tied`;
const TMP = await Deno.makeTempDir({ prefix: "generate_scripts_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

const parity = (await readSafetensors(`${ROOT_DIR}tests/fixtures/hf_gpt2_parity.safetensors`))
  .tensors;

async function run(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT_DIR,
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("slidingWindowPerplexity matches PyTorch's for four window/stride settings", async () => {
  const model = await loadHFGPT2(FIXTURE);
  const ids = parity.get("ppl_ids")!.data;
  const settings = parity.get("ppl_settings")!.data;
  const expected = parity.get("ppl")!.data;
  const before = tf.memory().numTensors;
  for (let i = 0; i < expected.length; i++) {
    const [maxLength, stride] = [settings[2 * i], settings[2 * i + 1]];
    const r = slidingWindowPerplexity(model, ids, { maxLength, stride });
    // Overlapping windows score every token but the first; disjoint ones also skip each
    // window's first token, which has no context inside its window (as in Hugging Face's guide).
    assertEquals(r.tokens, ids.length - (stride < maxLength ? 1 : r.windows));
    assertLess(
      Math.abs(r.perplexity / expected[i] - 1),
      1e-4,
      `window ${maxLength} stride ${stride}`,
    );
  }
  assertEquals(tf.memory().numTensors, before);
  assertThrows(
    () => slidingWindowPerplexity(model, ids, { maxLength: 17, stride: 4 }),
    Error,
    "[2, 16]",
  );
  assertThrows(
    () => slidingWindowPerplexity(model, ids, { maxLength: 8, stride: 9 }),
    Error,
    "stride 9",
  );
  model.dispose();
});

Deno.test("deno task generate runs on the Hugging Face fixture folder, reproducibly", async () => {
  const args = [
    "task",
    "generate",
    "--model",
    FIXTURE,
    "--prompt",
    "1+1=",
    "--max-new-tokens",
    "12",
  ];
  const a = await run([...args, "--seed", "3", "--top-k", "50", "--top-p", "0.9"]);
  assertEquals(a.code, 0, a.stderr);
  assert(a.stdout.startsWith("1+1="), a.stdout);
  assertStringIncludes(a.stderr, "12 tokens in");
  const b = await run([...args, "--seed", "3", "--top-k", "50", "--top-p", "0.9"]);
  assertEquals(b.stdout, a.stdout, "the same seed gives the same text");
  // Greedy decoding with and without the KV cache must pick the same tokens.
  const cached = await run([...args, "--temperature", "0"]);
  const uncached = await run([...args, "--temperature", "0", "--no-cache"]);
  assertEquals(cached.code, 0, cached.stderr);
  assertEquals(uncached.stdout, cached.stdout);
  assertStringIncludes(uncached.stderr, "no KV cache");
});

Deno.test("generate runs on our checkpoint folder with its own tokenizer", async () => {
  const tokenizer = CharTokenizer.fromText("to be or not to be");
  const model = new GPT(gptConfig("notes-small", { vocabSize: tokenizer.vocabSize }), { seed: 2 });
  const dir = `${TMP}/char`;
  await saveGPTCheckpoint(dir, model, tokenizer);
  model.dispose();
  const r = await run([
    "run",
    "-A",
    "scripts/generate.ts",
    "--model",
    dir,
    "--prompt",
    "to be",
    "--max-new-tokens",
    "10",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assert(r.stdout.startsWith("to be"));
  // Ten characters from the checkpoint's own alphabet, then the final newline.
  assertEquals(r.stdout.length, "to be".length + 10 + 1);
  assert([...r.stdout.slice(5, -1)].every((c) => "to bern".includes(c)), r.stdout);
});

Deno.test("the scripts refuse bad input with a message naming the problem", async () => {
  const unknown = await run([
    "run",
    "-A",
    "scripts/generate.ts",
    "--model",
    FIXTURE,
    "--topk",
    "5",
  ]);
  assertEquals(unknown.code, 1);
  assertStringIncludes(unknown.stderr, "Unknown flag --topk");
  const outside = await run([
    "run",
    "-A",
    "scripts/generate.ts",
    "--model",
    FIXTURE,
    "--prompt",
    "Hi",
  ]);
  assertEquals(outside.code, 1);
  assertStringIncludes(outside.stderr, '"Hi" (id 17250) is outside the model\'s 256 ids');
  const nowhere = await run(["run", "-A", "scripts/generate.ts", "--model", TMP]);
  assertStringIncludes(nowhere.stderr, "neither a checkpoint of ours");
  const seed = { seed: { kind: "int", description: "sampling seed" } } as const;
  assertThrows(() => parseFlags(["--seed", "1.5"], seed), Error, "--seed expects an integer");
  assertThrows(() => parseFlags(["--seed"], seed), Error, "--seed needs a value");
});

Deno.test("deno task perplexity reports the same number as slidingWindowPerplexity", async () => {
  const text = "1+1=2\n2+2=4\n(x)\n1+1=2\n2+2=4\n(x)\n";
  const path = `${TMP}/text.txt`;
  await Deno.writeTextFile(path, text);
  const r = await run(["task", "perplexity", "--model", FIXTURE, "--text", path, "--stride", "5"]);
  assertEquals(r.code, 0, r.stderr);
  const reported = Number(/perplexity ([\d.]+)/.exec(r.stdout)?.[1]);
  const model = await loadHFGPT2(FIXTURE);
  const ids = loadGPT2().encode(text);
  const direct = slidingWindowPerplexity(model, ids, { maxLength: 16, stride: 5 });
  model.dispose();
  assertLess(Math.abs(reported - direct.perplexity), 1e-3, r.stdout);
  assertStringIncludes(r.stdout, `over ${ids.length - 1} tokens`);
});

Deno.test("textStreamer holds back half a character until the next token completes it", () => {
  const gpt2 = loadGPT2();
  const ids = gpt2.encode(" 🦜 ok");
  assert(ids.length >= 3, "the emoji spans tokens");
  const parts: string[] = [];
  const s = textStreamer(gpt2, (t) => parts.push(t));
  for (const id of ids) s.push(id);
  s.end();
  assertEquals(parts.join(""), " 🦜 ok");
  assert(parts.every((p) => !p.includes("\uFFFD")), JSON.stringify(parts));
});
