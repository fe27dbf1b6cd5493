/**
 * The `@std/assert` stand-in against std's documented behaviour (the examples in std 1.0.x's
 * docs and tests), so that pointing deno.json back at `jsr:@std/assert@^1` changes nothing.
 * Checked on 2026-11-26 against the source of std's assert 1.0.19: this file with its import
 * pointed at it passes, and the whole suite type-checks and passes with `@std/assert` mapped to it.
 */
import {
  assert,
  assertAlmostEquals,
  AssertionError,
  assertRejects,
  assertThrows,
  equal,
} from "../testing/assert/mod.ts";

/** Passes when `fn` throws an AssertionError (checked without the stand-in's assertThrows). */
function fails(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof AssertionError) return;
    throw new Error(`${what}: threw ${e}, not an AssertionError`);
  }
  throw new Error(`${what}: did not throw`);
}

Deno.test("assertAlmostEquals: std's documented cases, relative default tolerance", () => {
  fails(() => assertAlmostEquals(0.01, 0.02), "0.01 vs 0.02");
  fails(() => assertAlmostEquals(1e-8, 1e-9), "1e-8 vs 1e-9");
  assertAlmostEquals(1.000000001e-8, 1.000000002e-8);
  assertAlmostEquals(0.01, 0.02, 0.1);
  assertAlmostEquals(0.1 + 0.2, 0.3, 1e-16);
  fails(() => assertAlmostEquals(0.1 + 0.2, 0.3, 1e-17), "1e-17");
  // Infinity: the tolerance is 1e-7, the difference infinite.
  fails(() => assertAlmostEquals(5, Infinity), "5 vs Infinity");
  fails(() => assertAlmostEquals(Infinity, -Infinity), "Infinity vs -Infinity");
  assertAlmostEquals(Infinity, Infinity);
  assertAlmostEquals(NaN, NaN);
  fails(() => assertAlmostEquals(NaN, 1), "NaN vs 1");
  // Near zero the default tolerance is |expected| * 1e-7 = 0: only an exact 0 passes.
  fails(() => assertAlmostEquals(1e-12, 0), "1e-12 vs 0");
  assertAlmostEquals(-0, 0);
  let message = "";
  try {
    assertAlmostEquals(1, 2, 0.5, "context");
  } catch (e) {
    message = e instanceof AssertionError ? e.message : `not an AssertionError: ${e}`;
  }
  assert(
    message ===
      'Expected actual: "1" to be close to "2": delta "1" is greater than "5e-1": context',
    message,
  );
});

Deno.test("equal: std's rules for numbers, typed arrays, buffers, errors, collections", () => {
  assert(equal(0, -0) && equal([0], [-0]) && equal(NaN, NaN));
  assert(!equal(null, undefined));
  assert(equal(new Float64Array([NaN, 0]), new Float64Array([NaN, -0])));
  assert(!equal(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])));
  assert(!equal(new Uint8Array([0]), new Uint8Array([0, 0])));
  assert(!equal(new Uint8Array([1]), new Int8Array([1])), "different typed array kinds");
  // ArrayBuffers by content
  assert(equal(new Uint8Array([1, 2, 3]).buffer, new Uint8Array([1, 2, 3]).buffer));
  assert(!equal(new Uint8Array([1, 2, 3]).buffer, new Uint8Array([1, 2, 4]).buffer));
  // Errors: name, message (and, as std, stack) take part
  const make = (m: string) => new Error(m);
  assert(!equal(make("a"), make("b")), "Errors with different messages");
  assert(!equal(new TypeError("a"), new RangeError("a")));
  const e = new Error("same");
  assert(equal(e, e));
  // objects, prototypes, keys
  assert(equal({ a: undefined, b: 1 }, { b: 1, a: undefined }));
  assert(!equal({ a: undefined, b: undefined }, { a: undefined, c: undefined }));
  assert(!equal({ a: undefined, b: undefined }, { a: undefined }));
  assert(equal(Object.assign(Object.create(null), { x: 1 }), { x: 1 }));
  class X {
    prop = 1;
  }
  assert(!equal(new X(), { prop: 1 }), "class instance vs plain object");
  assert(equal({ [Symbol.for("k")]: 1 }, { [Symbol.for("k")]: 1 }));
  assert(!equal({ [Symbol("k")]: 1 }, { [Symbol("k")]: 1 }));
  // strings of RegExp, URL; Dates by time (NaN equals NaN)
  assert(equal(/deno/, /deno/) && !equal(/deno/, /node/));
  assert(!equal(new URL("https://a.test"), new URL("https://a.test/x")));
  assert(equal(new Date("Invalid"), new Date("Invalid")));
  assert(!equal(new Date(2019, 0, 3), new Date(2019, 1, 3)));
  // keyed collections, deeply when members are objects
  assert(equal(new Set([1, 2, 3]), new Set([3, 2, 1])));
  assert(equal(new Set([1, new Set([2, 3])]), new Set([new Set([3, 2]), 1])));
  assert(!equal(new Set([1, 2]), new Set([3, 2, 1])));
  assert(equal(new Map([[{ x: 1 }, true]]), new Map([[{ x: 1 }, true]])));
  assert(!equal(new Map([[{ x: 1 }, true]]), new Map([[{ x: 1 }, false]])));
  assert(!equal(new Map([["foo", "bar"]]), new Map([["bar", "baz"]])));
  // cycles
  const a: { self?: unknown } = {}, b: { self?: unknown } = {};
  a.self = a;
  b.self = b;
  assert(equal(a, b));
  // weak collections cannot be compared
  let threw = false;
  try {
    equal(new WeakMap(), new WeakMap());
  } catch (err) {
    threw = err instanceof TypeError;
  }
  assert(threw, "WeakMap comparison throws a TypeError");
});

Deno.test("assertThrows: returns what was thrown; checks class and message text", () => {
  const thrown: unknown = assertThrows(() => {
    throw "a string";
  });
  assert(thrown === "a string");
  const e = assertThrows(
    () => {
      throw new RangeError("bad id 7");
    },
    RangeError,
    "bad id",
  );
  assert(e.message === "bad id 7");
  fails(() => assertThrows(() => {}), "no throw");
  fails(() =>
    assertThrows(() => {
      throw new TypeError("x");
    }, RangeError), "wrong class");
  fails(() =>
    assertThrows(
      () => {
        throw new Error("x");
      },
      Error,
      "y",
    ), "message without the text");
  fails(() =>
    assertThrows(() => {
      throw "not an error";
    }, Error), "non-Error thrown with a class");
});

Deno.test("assertRejects: a synchronous throw is not a rejection", async () => {
  const reason: unknown = await assertRejects(() => Promise.reject(42));
  assert(reason === 42);
  const e = await assertRejects(() => Promise.reject(new Error("no file")), Error, "no file");
  assert(e.message === "no file");
  for (
    const [what, fn] of [
      ["sync throw", () => {
        throw new Error("sync");
      }],
      ["no promise", () => 1 as unknown as Promise<unknown>],
      ["resolves", () => Promise.resolve(1)],
      ["wrong class", () => Promise.reject(new TypeError("x"))],
    ] as const
  ) {
    let caught: unknown;
    try {
      await assertRejects(fn as () => Promise<unknown>, RangeError);
    } catch (err) {
      caught = err;
    }
    assert(caught instanceof AssertionError, `${what}: expected an AssertionError, got ${caught}`);
    if (what === "sync throw") {
      assert(caught.message.startsWith("Function throws when expected to reject"), caught.message);
    }
  }
});
