/**
 * What `@tensorflow/tfjs-node` 4.22 needs from Node that Deno's `node:util` no longer has:
 * `util.isNullOrUndefined` and `util.isArray` were removed in Node 23, and Deno follows current
 * Node. Without them every tfjs-node kernel with a type attribute throws "isNullOrUndefined is
 * not a function". Internal to lib/backend.
 *
 * @module
 */
import util from "node:util";

/**
 * Puts back the two deprecated `node:util` helpers tfjs-node calls (only where missing).
 *
 * @example
 * ```ts
 * import { restoreNodeUtilForTfjsNode } from "./_node_compat.ts";
 * restoreNodeUtilForTfjsNode();
 * ```
 */
export function restoreNodeUtilForTfjsNode(): void {
  // deno-lint-ignore no-explicit-any
  const u = util as any;
  u.isNullOrUndefined ??= (x: unknown) => x === null || x === undefined;
  u.isArray ??= Array.isArray;
}
