// tfjs's multi-threaded wasm build, started by lib/backend with LLM_WASM_THREADS=2, in a child
// process (a process's wasm backend starts once, and this test process runs it single-threaded).
import { assertEquals, assertMatch } from "@std/assert";

const child = `
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { initBackend } from "./lib/backend/mod.ts";
const info = await initBackend({ report: false });
const a = tf.tensor2d(Array.from({ length: 256 * 256 }, (_, i) => (i % 7) - 3), [256, 256]);
const s = tf.sum(tf.matMul(a, a)).dataSync()[0];
console.log(JSON.stringify({ name: info.name, detail: info.detail, threads: getThreadsCount(), s }));
`;

async function run(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", child],
    cwd: new URL("..", import.meta.url).pathname,
    env: { LLM_BACKEND: "wasm", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000), // the pooled workers must not keep the process alive
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
  return JSON.parse(text.split("\n").at(-1)!);
}

Deno.test("wasm: LLM_WASM_THREADS=2 starts two threads, same product as one, and exits", async () => {
  const one = await run({});
  const two = await run({ LLM_WASM_THREADS: "2" });
  assertEquals(one.threads, 1);
  assertEquals(two.threads, 2);
  assertMatch(two.detail, /2 threads \(threaded build\)/);
  assertEquals(two.s, one.s);
});

Deno.test("wasm: a bad LLM_WASM_THREADS is refused before anything starts", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", child],
    cwd: new URL("..", import.meta.url).pathname,
    env: { LLM_BACKEND: "wasm", LLM_WASM_THREADS: "two" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 1);
  assertMatch(new TextDecoder().decode(out.stderr), /wasm threads must be an integer from 1 to 8/);
});
