/**
 * The subset of `jsr:@std/assert` this project uses, with the same names and signatures.
 *
 * JSR cannot be reached from the machines this project is built on, so `deno.json` maps
 * `@std/assert` here. On a machine that reaches JSR, change that one line to
 * `"@std/assert": "jsr:@std/assert@^1"` and every test and notebook runs unchanged.
 *
 * @example
 * ```ts
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * assertEquals([1, { a: 2 }], [1, { a: 2 }]);
 * assertAlmostEquals(0.1 + 0.2, 0.3);
 * ```
 *
 * @module
 */

/** Thrown by every assertion here, like `@std/assert`'s. */
export class AssertionError extends Error {
  /** Creates the error with its message. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(v: unknown): string {
  try {
    return Deno.inspect(v, {
      depth: 6,
      iterableLimit: 40,
      sorted: true,
      compact: true,
    });
  } catch {
    return String(v);
  }
}

/**
 * Deep structural equality, as `@std/assert`'s `equal`: primitives by `Object.is`, arrays,
 * typed arrays, plain objects, Maps, Sets and Dates by content.
 *
 * @example
 * ```ts
 * import { equal } from "@std/assert";
 * console.log(equal({ a: [1, 2] }, { a: [1, 2] })); // true
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  const seen = new Map<unknown, unknown>();
  const eq = (x: unknown, y: unknown): boolean => {
    if (Object.is(x, y)) return true;
    if (
      typeof x !== "object" || typeof y !== "object" || x === null || y === null
    ) return false;
    if (seen.get(x) === y) return true;
    seen.set(x, y);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    if (x instanceof Date) return x.getTime() === (y as Date).getTime();
    if (x instanceof RegExp) return String(x) === String(y);
    if (x instanceof Map) {
      const m = y as Map<unknown, unknown>;
      if (x.size !== m.size) return false;
      for (const [k, v] of x) if (!m.has(k) || !eq(v, m.get(k))) return false;
      return true;
    }
    if (x instanceof Set) {
      const s = y as Set<unknown>;
      if (x.size !== s.size) return false;
      for (const v of x) if (!s.has(v)) return false;
      return true;
    }
    if (ArrayBuffer.isView(x)) {
      const xa = x as unknown as ArrayLike<unknown>,
        ya = y as unknown as ArrayLike<unknown>;
      if (xa.length !== ya.length) return false;
      for (let i = 0; i < xa.length; i++) {
        if (!Object.is(xa[i], ya[i])) return false;
      }
      return true;
    }
    const kx = Object.keys(x as object), ky = Object.keys(y as object);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.hasOwn(y as object, k)) return false;
      if (
        !eq(
          (x as Record<string, unknown>)[k],
          (y as Record<string, unknown>)[k],
        )
      ) return false;
    }
    return true;
  };
  return eq(a, b);
}

/**
 * Asserts that `expr` is truthy.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * assert(1 + 1 === 2);
 * ```
 */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) {
    throw new AssertionError(msg || "Expected expression to be truthy");
  }
}

/**
 * Asserts deep equality.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals({ a: 1 }, { a: 1 });
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) return;
  throw new AssertionError(
    `${msg ? msg + ": " : ""}Values are not equal.\n  actual:   ${show(actual)}\n  expected: ${
      show(expected)
    }`,
  );
}

/**
 * Asserts that two values are not deeply equal.
 *
 * @example
 * ```ts
 * import { assertNotEquals } from "@std/assert";
 * assertNotEquals(1, 2);
 * ```
 */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) return;
  throw new AssertionError(
    msg ?? `Expected actual to differ from ${show(expected)}`,
  );
}

/**
 * Asserts `Object.is` identity.
 *
 * @example
 * ```ts
 * import { assertStrictEquals } from "@std/assert";
 * assertStrictEquals("a", "a");
 * ```
 */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  if (Object.is(actual, expected)) return;
  throw new AssertionError(
    msg ??
      `Values are not strictly equal.\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`,
  );
}

/**
 * Asserts `|actual - expected| <= tolerance` (default `1e-7`, as `@std/assert`).
 *
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(Math.PI, 3.14159, 1e-5);
 * ```
 */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance?: number,
  msg?: string,
): void {
  if (Object.is(actual, expected)) return;
  const tol = tolerance ?? Math.max(1e-7, Math.abs(expected) * 1e-7);
  const delta = Math.abs(expected - actual);
  if (delta <= tol) return;
  throw new AssertionError(
    msg ??
      `Expected actual: "${actual}" to be close to "${expected}": delta "${delta}" is greater than "${tol}"`,
  );
}

/**
 * Asserts `actual > expected`.
 *
 * @example
 * ```ts
 * import { assertGreater } from "@std/assert";
 * assertGreater(2, 1);
 * ```
 */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (actual > expected) return;
  throw new AssertionError(msg ?? `Expect ${show(actual)} > ${show(expected)}`);
}

/**
 * Asserts `actual >= expected`.
 *
 * @example
 * ```ts
 * import { assertGreaterOrEqual } from "@std/assert";
 * assertGreaterOrEqual(2, 2);
 * ```
 */
export function assertGreaterOrEqual<T>(
  actual: T,
  expected: T,
  msg?: string,
): void {
  if (actual >= expected) return;
  throw new AssertionError(
    msg ?? `Expect ${show(actual)} >= ${show(expected)}`,
  );
}

/**
 * Asserts `actual < expected`.
 *
 * @example
 * ```ts
 * import { assertLess } from "@std/assert";
 * assertLess(1, 2);
 * ```
 */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (actual < expected) return;
  throw new AssertionError(msg ?? `Expect ${show(actual)} < ${show(expected)}`);
}

/**
 * Asserts `actual <= expected`.
 *
 * @example
 * ```ts
 * import { assertLessOrEqual } from "@std/assert";
 * assertLessOrEqual(2, 2);
 * ```
 */
export function assertLessOrEqual<T>(
  actual: T,
  expected: T,
  msg?: string,
): void {
  if (actual <= expected) return;
  throw new AssertionError(
    msg ?? `Expect ${show(actual)} <= ${show(expected)}`,
  );
}

/**
 * Asserts that a value is neither `null` nor `undefined`.
 *
 * @example
 * ```ts
 * import { assertExists } from "@std/assert";
 * assertExists(0);
 * ```
 */
export function assertExists<T>(
  actual: T,
  msg?: string,
): asserts actual is NonNullable<T> {
  if (actual === null || actual === undefined) {
    throw new AssertionError(
      msg ?? `Expected actual: "${actual}" to not be null or undefined.`,
    );
  }
}

/**
 * Asserts that `actual` contains `expected` as a substring.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * assertStringIncludes("hello", "ell");
 * ```
 */
export function assertStringIncludes(
  actual: string,
  expected: string,
  msg?: string,
): void {
  if (actual.includes(expected)) return;
  throw new AssertionError(
    msg ?? `Expected actual: "${actual}" to contain: "${expected}".`,
  );
}

/**
 * Asserts that `actual` matches `expected`.
 *
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * assertMatch("abc123", /\d+/);
 * ```
 */
export function assertMatch(
  actual: string,
  expected: RegExp,
  msg?: string,
): void {
  if (expected.test(actual)) return;
  throw new AssertionError(
    msg ?? `Expected actual: "${actual}" to match: "${expected}".`,
  );
}

/**
 * Asserts that every item of `expected` is (deeply) in `actual`.
 *
 * @example
 * ```ts
 * import { assertArrayIncludes } from "@std/assert";
 * assertArrayIncludes([1, 2, 3], [2, 3]);
 * ```
 */
export function assertArrayIncludes<T>(
  actual: ArrayLike<T>,
  expected: ArrayLike<T>,
  msg?: string,
): void {
  const missing: T[] = [];
  for (let i = 0; i < expected.length; i++) {
    let found = false;
    for (let j = 0; j < actual.length && !found; j++) {
      found = equal(expected[i], actual[j]);
    }
    if (!found) missing.push(expected[i]);
  }
  if (missing.length === 0) return;
  throw new AssertionError(
    msg ?? `Expected actual to include ${show(missing)}.`,
  );
}

/**
 * Asserts that `actual` is an instance of `expectedType`.
 *
 * @example
 * ```ts
 * import { assertInstanceOf } from "@std/assert";
 * assertInstanceOf(new Error("x"), Error);
 * ```
 */
export function assertInstanceOf<
  // deno-lint-ignore no-explicit-any
  T extends abstract new (...args: any[]) => any,
>(
  actual: unknown,
  expectedType: T,
  msg?: string,
): asserts actual is InstanceType<T> {
  if (actual instanceof expectedType) return;
  throw new AssertionError(
    msg ?? `Expected object to be an instance of "${expectedType.name}".`,
  );
}

/**
 * Fails unconditionally.
 *
 * @example
 * ```ts
 * import { fail } from "@std/assert";
 * try { fail("unreachable"); } catch { /* expected *\/ }
 * ```
 */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${msg ? `: ${msg}` : "."}`);
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = new (...args: any[]) => E;

function checkError<E extends Error>(
  e: unknown,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
  msg?: string,
): void {
  if (ErrorClass && !(e instanceof ErrorClass)) {
    throw new AssertionError(
      msg ??
        `Expected error to be instance of "${ErrorClass.name}", but was "${show(e)}".`,
    );
  }
  if (
    includes !== undefined &&
    !(e instanceof Error && e.message.includes(includes))
  ) {
    throw new AssertionError(
      msg ??
        `Expected error message to include ${JSON.stringify(includes)}, but got ${
          JSON.stringify(e instanceof Error ? e.message : String(e))
        }.`,
    );
  }
}

/**
 * Asserts that `fn` throws, optionally an instance of `ErrorClass` whose message includes
 * `msgIncludes`. Returns the error.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * assertThrows(() => { throw new RangeError("bad id 7"); }, RangeError, "bad id");
 * ```
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E> | string,
  msgIncludes?: string,
  msg?: string,
): E {
  if (typeof ErrorClass === "string") {
    msg = ErrorClass;
    ErrorClass = undefined;
  }
  try {
    fn();
  } catch (e) {
    checkError(e, ErrorClass, msgIncludes, msg);
    return e as E;
  }
  throw new AssertionError(msg ?? "Expected function to throw.");
}

/**
 * Asserts that the promise from `fn` rejects, optionally with an instance of `ErrorClass`
 * whose message includes `msgIncludes`. Resolves to the error.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * await assertRejects(() => Promise.reject(new Error("no file")), Error, "no file");
 * ```
 */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E> | string,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  if (typeof ErrorClass === "string") {
    msg = ErrorClass;
    ErrorClass = undefined;
  }
  try {
    await fn();
  } catch (e) {
    checkError(e, ErrorClass, msgIncludes, msg);
    return e as E;
  }
  throw new AssertionError(msg ?? "Expected function to reject.");
}
