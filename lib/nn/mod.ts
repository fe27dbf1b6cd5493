/**
 * Building blocks below both attention and the models: variables that own their data with the
 * one seeded normal initialiser, and (re-exported from lib/ops/linear.ts) the fully connected
 * layer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Rng } from "../random.ts";
 * import { filledVariable, linear, normalVariable } from "./mod.ts";
 * const w = normalVariable(new Rng(0), [4, 2], 0.02), b = filledVariable([2], 0);
 * console.log(linear(tf.ones([3, 4]), w, b).shape); // [3, 2]
 * tf.dispose([w, b]);
 * ```
 *
 * @module
 */
export {
  filledVariable,
  normalValues,
  normalVariable,
  ownedVariable,
  placeholderVariable,
} from "./init.ts";
export { columnSum, linear, matMul2d } from "../ops/linear.ts";
export { countParams, requireParam } from "./params.ts";
