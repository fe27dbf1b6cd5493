/**
 * Memory helpers for lib's hand-written loop kernels (the `loops` versions in lib/ops; internal
 * to lib: not exported by any `mod.ts`). They read tensors in place and reuse scratch buffers,
 * which is only safe under the rules written on each function.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The values of a float32 tensor as a `Float32Array` without copying where possible: a view
 * into wasm memory, or the cpu backend's own array. Read it at once and never write to it:
 * any later tensor allocation may move wasm memory and empty the view.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readValues } from "./loop_memory.ts";
 * console.log(readValues(tf.tensor1d([1, 2]))[1]); // 2
 * ```
 */
export function readValues(t: tf.Tensor): Float32Array {
  if (t.dtype !== "float32") {
    throw new Error(`readValues: expected a float32 tensor, got ${t.dtype}.`);
  }
  if (tf.getBackend() === "wasm") {
    // deno-lint-ignore no-explicit-any
    const backend = tf.backend() as any;
    return backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  }
  return t.dataSync() as Float32Array;
}

// Large typed arrays are slow to fill the first time (fresh pages); reusing them makes the loop
// kernels several times faster. Only on wasm, where creating a tensor copies the values: the cpu
// backend keeps the array itself, so there a buffer must never be reused.
const pool = new Map<number, Float32Array[]>();

/**
 * A zero-filled `Float32Array` of length `n`, reused from earlier {@link releaseScratch} calls
 * on wasm. Give it back with {@link releaseScratch} once nothing refers to it any more.
 *
 * @example
 * ```ts
 * import { releaseScratch, scratch } from "./loop_memory.ts";
 * const buf = scratch(1024);
 * releaseScratch(buf);
 * ```
 */
export function scratch(n: number): Float32Array {
  const free = tf.getBackend() === "wasm" ? pool.get(n) : undefined;
  const buf = free?.pop();
  if (buf) {
    buf.fill(0);
    return buf;
  }
  return new Float32Array(n);
}

/**
 * Returns a buffer from {@link scratch} for reuse (ignored off wasm). Never release a buffer
 * that a tensor or a pending gradient still uses.
 *
 * @example
 * ```ts
 * import { releaseScratch, scratch } from "./loop_memory.ts";
 * releaseScratch(scratch(16));
 * ```
 */
export function releaseScratch(...bufs: Float32Array[]): void {
  if (tf.getBackend() !== "wasm") return;
  for (const buf of bufs) {
    const free = pool.get(buf.length) ?? [];
    // A few per size cover one training step's layers; more would only hold memory.
    if (free.length < 16 && !free.includes(buf)) free.push(buf);
    pool.set(buf.length, free);
  }
}
