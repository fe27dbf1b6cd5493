/**
 * A model's named parameters: counting them and looking one up with a clear error, shared by
 * the models that keep their weights in a `Map<string, tf.Variable>`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * Total number of weights in `params` (a tied weight stored once is counted once).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { countParams } from "./params.ts";
 * const params = new Map([["w", tf.variable(tf.zeros([3, 2]))]]);
 * console.log(countParams(params)); // 6
 * tf.dispose([...params.values()]);
 * ```
 */
export function countParams(params: ReadonlyMap<string, tf.Variable>): number {
  let n = 0;
  for (const v of params.values()) n += v.size;
  return n;
}

/**
 * The parameter `name` of `params`; throws, naming the model (`owner`), when it is missing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { requireParam } from "./params.ts";
 * const params = new Map([["w", tf.variable(tf.zeros([2]))]]);
 * console.log(requireParam(params, "GPT", "w").shape); // [2]
 * tf.dispose([...params.values()]);
 * ```
 */
export function requireParam(
  params: ReadonlyMap<string, tf.Variable>,
  owner: string,
  name: string,
): tf.Variable {
  const v = params.get(name);
  if (!v) throw new Error(`${owner}: missing parameter ${name} (was the model disposed?)`);
  return v;
}
