/**
 * Freezing parameters by name: fine-tuning often trains only some of a model's weights (a new
 * head, the last blocks) and keeps the rest as they were pretrained. A frozen parameter gets no
 * gradient, no optimizer moments and no update, so it costs neither memory nor time.
 *
 * @module
 */

/**
 * Which parameters to freeze: a list of exact names, name prefixes that end at a dot boundary
 * (`"transformer.h.0"` freezes every weight of block 0) or regular expressions; or a predicate
 * that returns true for a name to freeze.
 */
export type FreezeSpec = readonly (string | RegExp)[] | ((name: string) => boolean);

/**
 * The names in `names` that `spec` freezes. Throws when a string or pattern matches no
 * parameter (a typo would otherwise train everything silently) or when nothing is left to train.
 *
 * @example
 * ```ts
 * import { frozenNames } from "./freeze.ts";
 * const names = ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.1.ln_1.weight"];
 * console.log([...frozenNames(names, ["transformer.wte.weight", "transformer.h.0"])]);
 * // ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight"]
 * console.log([...frozenNames(names, (n) => n.endsWith("ln_1.weight"))]); // ["transformer.h.1.ln_1.weight"]
 * ```
 */
export function frozenNames(names: Iterable<string>, spec: FreezeSpec | undefined): Set<string> {
  const all = [...names];
  const frozen = new Set<string>();
  if (spec === undefined) return frozen;
  if (typeof spec === "function") {
    for (const n of all) if (spec(n)) frozen.add(n);
  } else {
    if (!Array.isArray(spec)) {
      throw new Error(
        `freeze: expected a list of names/prefixes/RegExps or a predicate, got ${typeof spec}`,
      );
    }
    for (const s of spec) {
      const hit = all.filter((n) =>
        typeof s === "string" ? n === s || n.startsWith(`${s}.`) : s.test(n)
      );
      if (hit.length === 0) {
        throw new Error(
          `freeze: "${s}" matches no parameter; names look like ${all.slice(0, 3).join(", ")}${
            all.length > 3 ? ", ..." : ""
          } (a prefix must end at a dot, e.g. "transformer.h.0")`,
        );
      }
      for (const n of hit) frozen.add(n);
    }
  }
  if (frozen.size === all.length && all.length > 0) {
    throw new Error(
      `freeze: every one of the ${all.length} parameters is frozen, so nothing would train; ` +
        `freeze fewer`,
    );
  }
  return frozen;
}
