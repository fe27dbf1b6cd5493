/**
 * Variables that own their data, and the one seeded normal initialiser every model uses.
 *
 * `tf.variable(t)` does not copy `t`: the variable shares `t`'s buffer and raises its reference
 * count, so a starting tensor that is never disposed keeps the buffer alive after the variable
 * is disposed. Building variables only through these helpers makes `dispose()` free everything.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random.ts";

/**
 * A variable holding `t`'s values; `t` itself is released, so the variable is the only owner.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ownedVariable } from "./init.ts";
 * const before = tf.memory().numTensors;
 * const v = ownedVariable(tf.ones([2]));
 * v.dispose();
 * console.log(tf.memory().numTensors === before); // true
 * ```
 */
export function ownedVariable(t: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/**
 * `size` values drawn from N(0, std²) with `rng`, in order (so a seed fixes every weight).
 *
 * @example
 * ```ts
 * import { Rng } from "../random.ts";
 * import { normalValues } from "./init.ts";
 * console.log(normalValues(new Rng(0), 3, 0.02)); // three small numbers, the same every run
 * ```
 */
export function normalValues(rng: Rng, size: number, std: number): Float32Array {
  if (!(std >= 0) || !Number.isFinite(std)) {
    throw new Error(`normal initialiser: std must be a finite number >= 0, got ${std}`);
  }
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return values;
}

/**
 * A trainable variable of `shape` with values drawn from N(0, std²) by `rng`.
 *
 * @example
 * ```ts
 * import { Rng } from "../random.ts";
 * import { normalVariable } from "./init.ts";
 * const w = normalVariable(new Rng(1), [4, 3], 0.02);
 * console.log(w.shape); // [4, 3]
 * w.dispose();
 * ```
 */
export function normalVariable(rng: Rng, shape: number[], std: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return ownedVariable(tf.tensor(normalValues(rng, size, std), shape, "float32"));
}

/**
 * A trainable variable of `shape` filled with `value` (LayerNorm gains 1, biases 0).
 *
 * @example
 * ```ts
 * import { filledVariable } from "./init.ts";
 * const b = filledVariable([3], 0);
 * b.print(); // [0, 0, 0]
 * b.dispose();
 * ```
 */
export function filledVariable(shape: number[], value: number): tf.Variable {
  return ownedVariable(tf.fill(shape, value, "float32"));
}

/**
 * A variable of zeros that is about to be overwritten (a loader's placeholder), as cheap as the
 * backend allows. On tensorflow (tfjs-node) a tensor made from values keeps them in JavaScript
 * until a kernel reads them, and a fresh zero-filled array is not resident until written, so the
 * placeholder costs no memory before `assign` replaces it: loading GPT-2 124M then peaks at
 * about 1x the weights instead of 2x. Elsewhere the values would be copied into the backend at
 * once, so the fill kernel (which allocates only there) is cheaper.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { placeholderVariable } from "./init.ts";
 * const v = placeholderVariable([2, 3]);
 * v.assign(tf.ones([2, 3]));
 * console.log(v.sum().dataSync()[0]); // 6
 * v.dispose();
 * ```
 */
export function placeholderVariable(shape: number[]): tf.Variable {
  if (tf.getBackend() !== "tensorflow") return filledVariable(shape, 0);
  return ownedVariable(tf.zeros(shape, "float32"));
}
