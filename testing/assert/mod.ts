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
  /** Creates the error with its message (and, as std allows, a `cause`). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AssertionError";
  }
}

import { equal } from "./equal.ts";

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

export { equal } from "./equal.ts";

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
 * Asserts `|actual - expected| <= tolerance`. As in `@std/assert`, the default tolerance is
 * relative: `|expected| * 1e-7` (so near 0 only 0 itself passes), and `1e-7` when `expected`
 * is infinite or NaN (so `assertAlmostEquals(5, Infinity)` throws).
 *
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(Math.PI, 3.14159, 1e-5);
 * assertAlmostEquals(1.000000001e-8, 1.000000002e-8);
 * ```
 */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance?: number,
  msg?: string,
): void {
  if (Object.is(actual, expected)) return;
  const delta = Math.abs(expected - actual);
  const tol = tolerance ?? (Number.isFinite(expected) ? Math.abs(expected * 1e-7) : 1e-7);
  if (delta <= tol) return;
  const f = (n: number) => Number.isInteger(n) ? n : n.toExponential();
  throw new AssertionError(
    `Expected actual: "${f(actual)}" to be close to "${f(expected)}": delta "${
      f(delta)
    }" is greater than "${f(tol)}"${msg ? `: ${msg}` : "."}`,
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

/** Sorts std's optional arguments: `(ErrorClass, msgIncludes, msg)` or `(msg)`. */
function errorArgs<E extends Error>(
  classOrMsg: ErrorClass<E> | string | undefined,
  includesOrMsg: string | undefined,
  msg: string | undefined,
): { ErrorClass?: ErrorClass<E>; includes?: string; msg?: string } {
  if (typeof classOrMsg === "string") return { msg: classOrMsg };
  if (
    classOrMsg === undefined || classOrMsg.prototype instanceof Error ||
    classOrMsg.prototype === Error.prototype
  ) {
    return { ErrorClass: classOrMsg, includes: includesOrMsg, msg };
  }
  return { msg: includesOrMsg };
}

/** Std's checks of a caught error: an Error, of the class, with the text in its message. */
function checkError<E extends Error>(
  e: unknown,
  what: "thrown" | "rejected",
  ErrorClass: ErrorClass<E> | undefined,
  includes: string | undefined,
  msg: string | undefined,
): void {
  if (!ErrorClass) return;
  const suffix = msg ? `: ${msg}` : ".";
  if (!(e instanceof Error)) {
    throw new AssertionError(`A non-Error object was ${what}${suffix}`);
  }
  if (!(e instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${e.constructor.name}"${suffix}`,
    );
  }
  if (includes !== undefined && !e.message.includes(includes)) {
    throw new AssertionError(
      `Expected error message to include ${JSON.stringify(includes)}, but got ${
        JSON.stringify(e.message)
      }${suffix}`,
    );
  }
}

/**
 * Asserts that `fn` throws, and returns what it threw (`unknown`, since anything can be
 * thrown).
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * const e = assertThrows(() => JSON.parse("{"));
 * console.log(e instanceof SyntaxError); // true
 * ```
 */
export function assertThrows(fn: () => unknown, msg?: string): unknown;
/**
 * Asserts that `fn` throws an instance of `ErrorClass` whose message includes `msgIncludes`,
 * and returns it.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * assertThrows(() => { throw new RangeError("bad id 7"); }, RangeError, "bad id");
 * ```
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E;
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  classOrMsg?: ErrorClass<E> | string,
  includesOrMsg?: string,
  msg?: string,
): unknown {
  const args = errorArgs(classOrMsg, includesOrMsg, msg);
  try {
    fn();
  } catch (e) {
    checkError(e, "thrown", args.ErrorClass, args.includes, args.msg);
    return e;
  }
  throw new AssertionError(`Expected function to throw${args.msg ? `: ${args.msg}` : "."}`);
}

/**
 * Asserts that the promise returned by `fn` rejects, and resolves to the reason (`unknown`).
 * A function that throws synchronously instead of returning a promise fails the assertion.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * const e = await assertRejects(() => Promise.reject(new Error("no file")));
 * console.log(e instanceof Error); // true
 * ```
 */
export function assertRejects(fn: () => PromiseLike<unknown>, msg?: string): Promise<unknown>;
/**
 * Asserts that the promise returned by `fn` rejects with an instance of `ErrorClass` whose
 * message includes `msgIncludes`, and resolves to it.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * await assertRejects(() => Promise.reject(new Error("no file")), Error, "no file");
 * ```
 */
export function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E>;
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  classOrMsg?: ErrorClass<E> | string,
  includesOrMsg?: string,
  msg?: string,
): Promise<unknown> {
  const args = errorArgs(classOrMsg, includesOrMsg, msg);
  const suffix = args.msg ? `: ${args.msg}` : ".";
  let promise: unknown;
  try {
    promise = fn();
  } catch {
    // A synchronous throw is not a rejection: callers awaiting a promise would crash instead.
    throw new AssertionError(`Function throws when expected to reject${suffix}`);
  }
  if (
    promise === null || typeof promise !== "object" ||
    typeof (promise as PromiseLike<unknown>).then !== "function"
  ) {
    throw new AssertionError(`Function throws when expected to reject${suffix}`);
  }
  try {
    await promise;
  } catch (e) {
    checkError(e, "rejected", args.ErrorClass, args.includes, args.msg);
    return e;
  }
  throw new AssertionError(`Expected function to reject${suffix}`);
}
