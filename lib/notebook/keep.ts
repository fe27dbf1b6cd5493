/**
 * What a notebook cell builds, owned by a name, so that running the cell again frees the old one.
 *
 * Readers re-run cells (and Run All twice). A cell that says `const model = new GPT(...)` then
 * builds a second model while the first one's tensors stay allocated: nothing refers to them
 * any more, but tfjs frees tensors only when told. {@link keep} gives the value a name; when a
 * cell keeps a new value under the same name, the previous one is disposed first. The store lives
 * on `globalThis`, so it survives the kernel's module cache and a re-imported `lib`.
 *
 * Disposable values: a `tf.Tensor`, anything with a `dispose()` method (models, optimizers,
 * trainers), and arrays or plain objects of those (disposed element by element).
 *
 * @module
 */

/** Something {@link keep} can free: a tensor, an object with `dispose()`, or containers of them. */
export type Keepable =
  | { dispose(): unknown }
  | readonly Keepable[]
  | { readonly [key: string]: Keepable }
  | null
  | undefined;

const STORE_KEY = Symbol.for("llm-from-scratch.notebook.kept");

function store(): Map<string, unknown> {
  const g = globalThis as unknown as Record<symbol, Map<string, unknown>>;
  return g[STORE_KEY] ??= new Map();
}

function hasDispose(v: unknown): v is { dispose(): unknown } {
  return typeof v === "object" && v !== null && typeof (v as { dispose?: unknown }).dispose ===
      "function";
}

/** Disposes `value` and what it contains, skipping anything in `keepAlive` (the new value). */
function release(value: unknown, keepAlive: Set<unknown>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value) || keepAlive.has(value)) {
    return;
  }
  seen.add(value);
  if (hasDispose(value)) {
    // A model's dispose frees its variables; a tensor already disposed is left alone.
    if ((value as { isDisposed?: boolean }).isDisposed !== true) value.dispose();
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) release(v, keepAlive, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) release(v, keepAlive, seen);
  }
}

function collect(value: unknown, out: Set<unknown>): Set<unknown> {
  if (value === null || typeof value !== "object" || out.has(value)) return out;
  out.add(value);
  if (Array.isArray(value)) { for (const v of value) collect(v, out); }
  else if (!hasDispose(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out);
  }
  return out;
}

/**
 * Keeps `value` under `name` and returns it; the value kept under that name before (by an
 * earlier run of the cell) is disposed, except for parts that are also in the new value.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { keep } from "./keep.ts";
 * const before = tf.memory().numTensors;
 * for (let run = 0; run < 3; run++) keep("weights", tf.ones([4, 4])); // the cell, run 3 times
 * console.log(tf.memory().numTensors - before); // 1: only the last run's tensor is alive
 * ```
 */
export function keep<T extends Keepable>(name: string, value: T): T {
  const kept = store();
  if (kept.has(name)) release(kept.get(name), collect(value, new Set()));
  kept.set(name, value);
  return value;
}

/**
 * Disposes what is kept under `name` (or everything, without a name) and forgets it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { keep, releaseKept } from "./keep.ts";
 * keep("scratch", tf.zeros([2]));
 * releaseKept("scratch");
 * ```
 */
export function releaseKept(name?: string): void {
  const kept = store();
  for (const key of name === undefined ? [...kept.keys()] : [name]) {
    if (!kept.has(key)) continue;
    release(kept.get(key), new Set());
    kept.delete(key);
  }
}

/**
 * The names kept so far, in order of first use.
 *
 * @example
 * ```ts
 * import { keptNames } from "./keep.ts";
 * console.log(keptNames()); // e.g. ["pretrained", "scratch"]
 * ```
 */
export function keptNames(): string[] {
  return [...store().keys()];
}
