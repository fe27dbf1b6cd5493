/**
 * Deep equality with `jsr:@std/assert`'s semantics (std 1.0.x), written for this project.
 *
 * The rules, in the order they apply:
 * - numbers and other primitives are equal when `===` or `Object.is` says so, so `0` equals
 *   `-0` and `NaN` equals `NaN`;
 * - Dates compare their times; objects must share a prototype (a plain object and a
 *   null-prototype object count as the same);
 * - typed arrays compare element by element, and ArrayBuffers compare their bytes;
 * - Sets and Maps compare their members, deeply when the keys are objects;
 * - plain objects and arrays compare their own keys (string and symbol); RegExp, URL,
 *   URLSearchParams and Intl.Locale compare as strings;
 * - any other object (an Error, a class instance) compares every own and inherited property
 *   below `Object.prototype`: two Errors are equal only with the same name, message and stack.
 *
 * @module
 */

const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);

/** Prototypes whose instances are fully described by `String(x)`. */
const BY_STRING = new Set<unknown>(
  [RegExp, URL, URLSearchParams, Intl.Locale].map((c) => c.prototype),
);

function isPrimitive(x: unknown): boolean {
  return x === null || (typeof x !== "object" && typeof x !== "function");
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || Object.is(a, b);
}

function sameProto(a: object, b: object): boolean {
  const pa = Object.getPrototypeOf(a), pb = Object.getPrototypeOf(b);
  if (pa === pb) return true;
  // {} and Object.create(null) hold the same kind of data.
  return (pa === Object.prototype && pb === null) || (pa === null && pb === Object.prototype);
}

function ownKeys(o: object): (string | symbol)[] {
  return [...Object.getOwnPropertyNames(o), ...Object.getOwnPropertySymbols(o)];
}

/** Own keys of `o` and of its prototypes up to (not including) Object's and Array's. */
function inheritedKeys(o: object): Set<string | symbol> {
  const keys = new Set<string | symbol>();
  for (
    let p: object | null = o;
    p !== null && p !== Object.prototype && p !== Array.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const k of ownKeys(p)) keys.add(k);
  }
  return keys;
}

function sameElements(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValueZero(a[i], b[i])) return false;
  return true;
}

/**
 * True when `a` and `b` are deeply equal by the rules in the module doc.
 *
 * @example
 * ```ts
 * import { equal } from "./equal.ts";
 * console.log(equal({ a: [1, NaN] }, { a: [1, NaN] })); // true
 * console.log(equal(new Error("x"), new Error("y"))); // false: the messages differ
 * console.log(equal(new Uint8Array([1]).buffer, new Uint8Array([2]).buffer)); // false
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  const seen = new Map<unknown, unknown>();
  const compare = (x: unknown, y: unknown): boolean => {
    if (sameValueZero(x, y)) return true;
    if (isPrimitive(x) || isPrimitive(y)) return false;
    if (x instanceof Date && y instanceof Date) return Object.is(x.getTime(), y.getTime());
    if (typeof x !== "object" || typeof y !== "object") return false; // distinct functions
    const xo = x as object, yo = y as object;
    if (!sameProto(xo, yo)) return false;
    if (xo instanceof TypedArrayProto.constructor) {
      return sameElements(xo as ArrayLike<unknown>, yo as ArrayLike<unknown>);
    }
    if (xo instanceof ArrayBuffer || xo instanceof SharedArrayBuffer) {
      return sameElements(new Uint8Array(xo), new Uint8Array(yo as ArrayBuffer));
    }
    if (xo instanceof WeakMap || xo instanceof WeakSet) {
      throw new TypeError(`Cannot compare ${xo.constructor.name} instances`);
    }
    if (xo instanceof WeakRef) return compare(xo.deref(), (yo as WeakRef<object>).deref());
    if (seen.get(xo) === yo) return true; // a cycle already being compared
    if (Object.keys(xo).length !== Object.keys(yo).length) return false;
    seen.set(xo, yo);
    if (xo instanceof Set || xo instanceof Map) return compareKeyed(xo, yo as typeof xo, compare);
    const proto = Object.getPrototypeOf(xo);
    let keys: Iterable<string | symbol>;
    if (proto === null || proto === Object.prototype || proto === Array.prototype) {
      keys = ownKeys({ ...xo, ...yo });
    } else if (BY_STRING.has(proto)) {
      return String(xo) === String(yo);
    } else {
      keys = inheritedKeys(xo).union(inheritedKeys(yo));
    }
    for (const k of keys) {
      const xr = xo as Record<string | symbol, unknown>,
        yr = yo as Record<string | symbol, unknown>;
      if (!compare(xr[k], yr[k])) return false;
      if ((k in xo) !== (k in yo)) return false;
    }
    return true;
  };
  return compare(a, b);
}

function compareKeyed(
  a: Set<unknown> | Map<unknown, unknown>,
  b: Set<unknown> | Map<unknown, unknown>,
  compare: (x: unknown, y: unknown) => boolean,
): boolean {
  if (a.size !== b.size) return false;
  const keys = [...a.keys()];
  if (keys.every(isPrimitive)) {
    if (a instanceof Set) return keys.every((k) => b.has(k));
    const bm = b as Map<unknown, unknown>;
    return keys.every((k) => bm.has(k) && compare(a.get(k), bm.get(k)));
  }
  // Object keys: every entry of `a` needs a deeply equal entry in `b`.
  const bEntries = [...b.entries()];
  for (const [ak, av] of a.entries()) {
    const match = bEntries.some(([bk, bv]) =>
      compare(ak, bk) && ((ak === av && bk === bv) || compare(av, bv))
    );
    if (!match) return false;
  }
  return true;
}
