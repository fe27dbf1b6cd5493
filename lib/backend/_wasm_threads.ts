/**
 * tfjs-backend-wasm's multi-threaded build under Deno (opt-in: `LLM_WASM_THREADS=2`, or
 * `initBackend({ wasmThreads: 2 })`). Internal to lib/backend.
 *
 * What stands in the way, and what this module does about each (tfjs-backend-wasm 4.22, Deno 2.9):
 * 1. The backend turns threads off whenever `process` exists (tensorflow/tfjs#3830): the flag
 *    `WASM_HAS_MULTITHREAD_SUPPORT` is set.
 * 2. The thread count is capped at half the logical cores (`init_with_threads_count` assumes two
 *    hyperthreads per core), read from `os.cpus()` when the module starts: on a 2-core machine
 *    that is one thread, whatever `setThreadsCount` asked for. `os.cpus()` and
 *    `navigator.hardwareConcurrency` report twice the count while the backend starts.
 * 3. Emscripten creates its pthread workers with `node:worker_threads` from `blob:` URLs, which
 *    Node's Worker rejects: the blobs are written to files in a temporary folder.
 * 4. The worker script assigns `location` on the global, a getter-only property in Deno's
 *    workers, and refers to the bundle's module-level `require$$N` and `commonjsGlobal`: the
 *    assignment is dropped and a prelude defines them.
 * 5. The pooled workers keep the process alive: they are unref'd once the backend is up.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import os from "node:os";

/**
 * Starts the wasm backend with `threads` threads (call instead of `tf.setBackend("wasm")`,
 * after `setWasmPaths`). Returns the thread count the backend reports.
 *
 * @example
 * ```ts ignore
 * import { startThreadedWasm } from "./_wasm_threads.ts";
 * console.log(await startThreadedWasm(2)); // 2
 * ```
 */
export async function startThreadedWasm(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 2 || threads > 8) {
    throw new Error(
      `wasm threads must be an integer from 2 to 8 (tfjs pre-creates 8 workers), got ${threads}.`,
    );
  }
  const dir = Deno.makeTempDirSync({ prefix: "llm-wasm-threads-" });
  const mainPath = `${dir}/main.cjs`;
  const PlainBlob = globalThis.Blob;
  const plainCreate = URL.createObjectURL;
  const plainCpus = os.cpus;
  const cores = plainCpus().length;

  // Blobs made of strings keep their text, so that createObjectURL can write them to a file.
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
  let files = 0;
  globalThis.Blob = TextBlob as unknown as typeof Blob;
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
  const wanted = Math.max(cores, 2 * threads);
  // deno-lint-ignore no-explicit-any
  (os as any).cpus = () => Array.from({ length: wanted }, (_, i) => plainCpus()[i % cores]);
  Object.defineProperty(navigator, "hardwareConcurrency", { value: wanted, configurable: true });
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  setThreadsCount(threads);
  let ok: boolean;
  try {
    ok = await tf.setBackend("wasm");
  } finally {
    globalThis.Blob = PlainBlob;
    URL.createObjectURL = plainCreate;
    // deno-lint-ignore no-explicit-any
    (os as any).cpus = plainCpus;
    // deno-lint-ignore no-explicit-any
    delete (navigator as any).hardwareConcurrency; // the prototype's getter shows again
  }
  if (!ok) throw new Error("tfjs could not start the threaded wasm backend.");
  // deno-lint-ignore no-explicit-any
  const pthread = (tf.backend() as any).wasm?.PThread;
  for (const w of [...(pthread?.unusedWorkers ?? []), ...(pthread?.runningWorkers ?? [])]) {
    w.unref?.();
  }
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  });
  return getThreadsCount();
}
