/**
 * Can tfjs-backend-wasm's multi-threaded build run in Deno? This probe gets as far as it can and
 * prints where it stops; it does not change lib's backend (run it on its own).
 *
 *     deno run -A bench/wasm_threads_probe.ts [threads]
 *
 * What stands in the way, in order (tfjs-backend-wasm 4.22, Deno 2.9):
 * 1. The backend turns threads off whenever `process` exists (`IS_NODE`), pending
 *    tensorflow/tfjs#3830; the flag `WASM_HAS_MULTITHREAD_SUPPORT` is forced on here.
 * 2. Emscripten's pthread workers are created with `node:worker_threads` from `blob:` URLs, which
 *    Node's Worker rejects (ERR_WORKER_PATH): blobs are written to files instead.
 * 3. The worker script assigns `location` on the global, a getter-only property in Deno's workers:
 *    that assignment is removed from the written file.
 * 4. The factory source sent to workers refers to the bundle's module-level `require$$N` and
 *    `commonjsGlobal`: a prelude defines them.
 * After that the threaded backend initialises and its 8 pooled workers load, but the XNNPACK
 * thread pool reports one thread and no worker ever runs (see the output), so kernels stay
 * single-threaded: `init_with_threads_count(2)` never reaches emscripten's `pthread_create`
 * (`PThread.getNewWorker` is not called), although `os.cpus()` and `hardwareConcurrency` say 2.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";

const threads = Number(Deno.args[0] ?? 2);
const dir = Deno.makeTempDirSync({ prefix: "wasm-threads-" });
const mainPath = `${dir}/main.cjs`;

// Blobs made of strings keep their text, so that createObjectURL can write them to a file.
const PlainBlob = globalThis.Blob;
class TextBlob extends PlainBlob {
  readonly source: string;
  constructor(parts: BlobPart[] = [], opts?: BlobPropertyBag) {
    super(parts, opts);
    this.source = parts.every((p) => typeof p === "string") ? parts.join("") : "";
    if (this.source.startsWith("var WasmBackendModuleThreadedSimd")) {
      const prelude = 'var require$$0 = require("fs"), require$$1 = require("path"), ' +
        'require$$3 = require("perf_hooks"), require$$4 = require("os"), ' +
        "commonjsGlobal = globalThis;\n";
      Deno.writeTextFileSync(mainPath, prelude + this.source);
    }
  }
}
globalThis.Blob = TextBlob as unknown as typeof Blob;
const plainCreate = URL.createObjectURL;
let files = 0;
URL.createObjectURL = (b: Blob) => {
  if (!(b instanceof TextBlob) || !b.source) return plainCreate(b);
  const path = `${dir}/worker${files++}.cjs`;
  Deno.writeTextFileSync(
    path,
    b.source.replace("location:{href:__filename},", "")
      .replace(
        "var objectUrl=URL.createObjectURL(e.data.urlOrBlob);",
        `var objectUrl=${JSON.stringify(mainPath)};`,
      )
      .replace("URL.revokeObjectURL(objectUrl)", ""),
  );
  return path;
};

tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
setThreadsCount(threads);
const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
setWasmPaths(main.slice(0, main.lastIndexOf("/") + 1));
const ok = await tf.setBackend("wasm");
// deno-lint-ignore no-explicit-any
const mod = (tf.backend() as any).wasm;
console.log(`threaded wasm backend initialised: ${ok}; asked for ${threads} threads`);
console.log(
  `emscripten workers written: ${files}; pooled: ${mod.PThread?.unusedWorkers?.length}, ` +
    `running: ${mod.PThread?.runningWorkers?.length}`,
);
console.log(`thread pool size reported by the backend: ${getThreadsCount()}`);
const a = tf.randomNormal([512, 512]);
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  tf.matMul(a, a).dataSync();
  times.push(performance.now() - t0);
}
times.sort((x, y) => x - y);
console.log(
  `512x512 matmul: median ${times[2].toFixed(1)} ms (${
    (2 * 512 ** 3 / times[2] / 1e6).toFixed(1)
  } GFLOP/s)`,
);
Deno.removeSync(dir, { recursive: true });
Deno.exit(0); // the pooled workers would keep the process alive
