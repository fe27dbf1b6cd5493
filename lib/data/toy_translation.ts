/**
 * A toy English -> Italian translation corpus generated from a small grammar.
 *
 * Sentences are clauses joined by conjunctions. A clause is `NP verb` or `NP verb NP`, and a
 * noun phrase is a determiner, up to two adjectives and a noun. The translation changes word
 * order (Italian adjectives follow the noun, in the English order), inflects determiners and
 * adjectives for the noun's gender, and turns the two-word "let's go" into one word, "andiamo"
 * (and "he sleeps" into "dorme": Italian drops the subject pronoun).
 * The length of every sentence is chosen first (uniform between `minLength` and `maxLength`
 * words), so every length is equally represented in every split.
 *
 * @module
 */
import { Rng } from "../random.ts";

/** One sentence pair; words are separated by single spaces. */
export interface TranslationPair {
  /** English sentence. */
  source: string;
  /** Its Italian translation. */
  target: string;
}

/** Train, validation and test pairs with no sentence shared between splits. */
export interface TranslationSplits {
  /** Pairs to fit on. */
  train: TranslationPair[];
  /** Pairs for choosing hyperparameters and early stopping. */
  validation: TranslationPair[];
  /** Pairs reported at the end. */
  test: TranslationPair[];
}

type Gender = "m" | "f";

/**
 * The grammar's lexicon: every English word with its Italian form(s).
 *
 * @example
 * ```ts
 * import { TOY_LEXICON } from "./toy_translation.ts";
 * console.log(TOY_LEXICON.nouns.dog); // { it: "cane", gender: "m" }
 * ```
 */
export const TOY_LEXICON = {
  nouns: {
    dog: { it: "cane", gender: "m" },
    cat: { it: "gatto", gender: "m" },
    boy: { it: "ragazzo", gender: "m" },
    book: { it: "libro", gender: "m" },
    brother: { it: "fratello", gender: "m" },
    train: { it: "treno", gender: "m" },
    fish: { it: "pesce", gender: "m" },
    girl: { it: "ragazza", gender: "f" },
    house: { it: "casa", gender: "f" },
    moon: { it: "luna", gender: "f" },
    apple: { it: "mela", gender: "f" },
    car: { it: "macchina", gender: "f" },
    woman: { it: "donna", gender: "f" },
    door: { it: "porta", gender: "f" },
  } as Record<string, { it: string; gender: Gender }>,
  adjectives: {
    big: { m: "grande", f: "grande" },
    small: { m: "piccolo", f: "piccola" },
    red: { m: "rosso", f: "rossa" },
    black: { m: "nero", f: "nera" },
    white: { m: "bianco", f: "bianca" },
    old: { m: "vecchio", f: "vecchia" },
    new: { m: "nuovo", f: "nuova" },
    happy: { m: "felice", f: "felice" },
    shiny: { m: "lucido", f: "lucida" },
  } as Record<string, Record<Gender, string>>,
  determiners: {
    the: { m: "il", f: "la" },
    a: { m: "un", f: "una" },
  } as Record<string, Record<Gender, string>>,
  transitiveVerbs: {
    sees: "vede",
    eats: "mangia",
    loves: "ama",
    finds: "trova",
    watches: "guarda",
    follows: "segue",
    calls: "chiama",
    wants: "vuole",
  } as Record<string, string>,
  intransitiveVerbs: {
    sleeps: "dorme",
    runs: "corre",
    sings: "canta",
    waits: "aspetta",
    laughs: "ride",
    barks: "abbaia",
  } as Record<string, string>,
  conjunctions: { and: "e", but: "ma", while: "mentre" } as Record<
    string,
    string
  >,
  /** Two English words, one Italian word. */
  letUs: {
    go: "andiamo",
    eat: "mangiamo",
    sing: "cantiamo",
    run: "corriamo",
    wait: "aspettiamo",
    sleep: "dormiamo",
  } as Record<string, string>,
};

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];
const keys = (o: Record<string, unknown>) => Object.keys(o);

/** A noun phrase of exactly `words` words (2 to 4). */
function nounPhrase(rng: Rng, words: number): [string[], string[]] {
  const L = TOY_LEXICON;
  const noun = pick(rng, keys(L.nouns));
  const { it, gender } = L.nouns[noun];
  const det = pick(rng, keys(L.determiners));
  const adjs = rng.shuffle(keys(L.adjectives)).slice(0, words - 2);
  const en = [det, ...adjs, noun];
  if (det === "a" && /^[aeiou]/.test(en[1])) en[0] = "an";
  const itWords = [
    L.determiners[det][gender],
    it,
    ...adjs.map((a) => L.adjectives[a][gender]),
  ];
  return [en, itWords];
}

/** Splits `total` into two noun-phrase lengths, each in [2, 4]. */
function splitNounPhrases(rng: Rng, total: number): [number, number] {
  const lo = Math.max(2, total - 4), hi = Math.min(4, total - 2);
  const a = lo + rng.int(hi - lo + 1);
  return [a, total - a];
}

/** A clause of exactly `words` words (3 to 9). */
function clause(rng: Rng, words: number): [string[], string[]] {
  const L = TOY_LEXICON;
  // 3-5 words fit `NP verb`; 5-9 fit `NP verb NP`; at 5 either does.
  const transitive = words >= 6 || (words === 5 && rng.int(2) === 0);
  if (!transitive) {
    const [en, it] = nounPhrase(rng, words - 1);
    const v = pick(rng, keys(L.intransitiveVerbs));
    return [[...en, v], [...it, L.intransitiveVerbs[v]]];
  }
  const [a, b] = splitNounPhrases(rng, words - 1);
  const [en1, it1] = nounPhrase(rng, a);
  const [en2, it2] = nounPhrase(rng, b);
  const v = pick(rng, keys(L.transitiveVerbs));
  return [[...en1, v, ...en2], [...it1, L.transitiveVerbs[v], ...it2]];
}

/**
 * One sentence pair whose English side has exactly `length` words (2 or more).
 *
 * @example
 * ```ts
 * import { Rng } from "../random.ts";
 * import { translationPairOfLength } from "./toy_translation.ts";
 * const pair = translationPairOfLength(new Rng(1), 7);
 * console.log(pair.source.split(" ").length); // 7
 * ```
 */
export function translationPairOfLength(
  rng: Rng,
  length: number,
): TranslationPair {
  if (!Number.isInteger(length) || length < 2) {
    throw new Error(
      `translationPairOfLength: length must be an integer >= 2, got ${length}`,
    );
  }
  const L = TOY_LEXICON;
  if (length === 2) {
    // "let's go" -> "andiamo"; "he sleeps" -> "dorme" (Italian drops the subject pronoun).
    if (rng.int(4) === 0) {
      const v = pick(rng, keys(L.letUs));
      return { source: `let's ${v}`, target: L.letUs[v] };
    }
    const v = pick(rng, keys(L.intransitiveVerbs));
    const who = pick(rng, PRONOUNS);
    return { source: `${who} ${v}`, target: L.intransitiveVerbs[v] };
  }
  // k clauses of 3-9 words and k-1 conjunctions: k*3 + k-1 <= length <= k*9 + k-1.
  const kMin = Math.ceil((length + 1) / 10),
    kMax = Math.floor((length + 1) / 4);
  const k = kMin + rng.int(kMax - kMin + 1);
  const sizes = new Array(k).fill(3);
  let spare = length - (k - 1) - 3 * k;
  while (spare > 0) {
    const i = rng.int(k);
    if (sizes[i] < 9) {
      sizes[i]++;
      spare--;
    }
  }
  const en: string[] = [], it: string[] = [];
  sizes.forEach((n, i) => {
    if (i > 0) {
      const c = pick(rng, keys(L.conjunctions));
      en.push(c);
      it.push(L.conjunctions[c]);
    }
    const [e, t] = clause(rng, n);
    en.push(...e);
    it.push(...t);
  });
  return { source: en.join(" "), target: it.join(" ") };
}

/** Options for {@link generateToyTranslations}. */
export interface ToyTranslationOptions {
  /** Seed of the generator (default 0). */
  seed?: number;
  /** Number of training pairs (default 20000). */
  train?: number;
  /** Number of validation pairs (default 1000). */
  validation?: number;
  /** Number of test pairs (default 2000). */
  test?: number;
  /** Shortest English sentence in words (default 2, the minimum). */
  minLength?: number;
  /** Longest English sentence in words (default 25). */
  maxLength?: number;
}

/**
 * Generates the corpus deterministically from `seed`, lengths uniform in [minLength, maxLength].
 * No English sentence appears in two splits; a sentence can repeat within a split only when
 * its length has few sentences (two words: 24). The "let's X" idioms are in the training
 * split only, since their words occur in no other sentence; of the 18 "he/she/it + verb"
 * sentences, 3 are held out for validation and 3 for test.
 *
 * @example
 * ```ts
 * import { generateToyTranslations } from "./toy_translation.ts";
 * const { train, test } = generateToyTranslations({ seed: 0, train: 100, validation: 10, test: 20 });
 * console.log(train[0].source, "->", train[0].target, test.length); // ... 20
 * ```
 */
export function generateToyTranslations(
  options: ToyTranslationOptions = {},
): TranslationSplits {
  const {
    seed = 0,
    train = 20000,
    validation = 1000,
    test = 2000,
    minLength = 2,
    maxLength = 25,
  } = options;
  for (const [name, n] of Object.entries({ train, validation, test })) {
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(
        `generateToyTranslations: ${name} must be a count >= 0, got ${n}`,
      );
    }
  }
  if (
    !Number.isInteger(minLength) || !Number.isInteger(maxLength) ||
    minLength < 2 || maxLength < minLength
  ) {
    throw new Error(
      `generateToyTranslations: need integers 2 <= minLength <= maxLength, got ${minLength}..${maxLength}`,
    );
  }
  // Each distinct sentence belongs to one split, fixed by a hash of (seed, sentence), so
  // splits never share a sentence. Sentences repeat within a split only where few exist
  // (two words: 24 sentences), as "let's go" would in a real corpus.
  const total = train + validation + test;
  const cut1 = train / total, cut2 = (train + validation) / total;
  const rng = new Rng(seed);
  const splits: TranslationPair[][] = [[], [], []];
  const wanted = [train, validation, test];
  const span = maxLength - minLength + 1;
  let tries = 0;
  while (splits.some((s, i) => s.length < wanted[i])) {
    if (++tries > 100 * total + 1000) {
      throw new Error(
        `generateToyTranslations: could not fill the splits with ${minLength}..${maxLength} words; ` +
          `widen the length range or ask for fewer pairs`,
      );
    }
    const pair = translationPairOfLength(rng, minLength + rng.int(span));
    const s = splitOf(pair.source, hashUnit(seed, pair.source), cut1, cut2);
    if (splits[s].length < wanted[s]) splits[s].push(pair);
  }
  return { train: splits[0], validation: splits[1], test: splits[2] };
}

const PRONOUNS = ["he", "she", "it"];

/** Which split (0 train, 1 validation, 2 test) a sentence belongs to. */
function splitOf(
  source: string,
  u: number,
  cut1: number,
  cut2: number,
): number {
  const words = source.split(" ");
  // "let's X" is an idiom whose words occur nowhere else; held out, a model could never have
  // seen them, so idioms are training-only.
  if (words[0] === "let's") return 0;
  if (words.length === 2) {
    // Only 18 pronoun sentences exist, too few for a hash to split reliably. Pronoun i with
    // verb 2i goes to test and with verb 2i+1 to validation, so each split has some and every
    // pronoun and verb still occurs in training.
    const p = PRONOUNS.indexOf(words[0]);
    const v = Object.keys(TOY_LEXICON.intransitiveVerbs).indexOf(words[1]);
    return v === 2 * p ? 2 : v === 2 * p + 1 ? 1 : 0;
  }
  return u < cut1 ? 0 : u < cut2 ? 1 : 2;
}

/** FNV-1a of the seed and the text, mapped to [0, 1). */
function hashUnit(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  // A final avalanche so that similar sentences do not land in similar places.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Part of speech of an Italian word in {@link alignToyTranslation}. */
export type ToyWordKind =
  | "article"
  | "noun"
  | "adjective"
  | "verb"
  | "conjunction"
  | "let's + verb";

/** One Italian word of a translation and the English positions it comes from. */
export interface AlignedWord {
  /** The Italian word. */
  word: string;
  /** Its part of speech. */
  kind: ToyWordKind;
  /**
   * 0-based English positions it translates: one word, or two for "let's go" -> "andiamo" and
   * for a verb whose subject pronoun Italian drops ("he sleeps" -> "dorme": verb, then pronoun).
   */
  sources: number[];
  /** For articles and adjectives: the position of the noun whose gender they take. */
  noun?: number;
}

/**
 * Word alignments of a sentence of this grammar: the Italian translation of `source`, word by
 * word, each with the English position(s) it translates. The words joined by spaces are the
 * generator's target for that source. Throws on a word or order the grammar does not produce.
 *
 * @example
 * ```ts
 * import { alignToyTranslation } from "./toy_translation.ts";
 * const a = alignToyTranslation("the big dog sleeps");
 * console.log(a.map((w) => `${w.word}<-${w.sources}`).join(" ")); // il<-0 cane<-2 grande<-1 dorme<-3
 * console.log(a[0].noun, a[2].noun); // 2 2
 * ```
 */
export function alignToyTranslation(source: string): AlignedWord[] {
  const L = TOY_LEXICON, en = source.split(" "), out: AlignedWord[] = [];
  const fail = (i: number): never => {
    throw new Error(`alignToyTranslation: unexpected word ${i}, "${en[i]}", in "${source}"`);
  };
  const verb = (w: string) => L.transitiveVerbs[w] ?? L.intransitiveVerbs[w];
  let i = 0;
  while (i < en.length) {
    const w = en[i];
    if (w === "let's" && L.letUs[en[i + 1]]) {
      out.push({ word: L.letUs[en[i + 1]], kind: "let's + verb", sources: [i, i + 1] });
      i += 2;
    } else if (PRONOUNS.includes(w) && L.intransitiveVerbs[en[i + 1]]) {
      out.push({ word: L.intransitiveVerbs[en[i + 1]], kind: "verb", sources: [i + 1, i] });
      i += 2;
    } else if (L.conjunctions[w] && i > 0) {
      out.push({ word: L.conjunctions[w], kind: "conjunction", sources: [i] });
      i++;
    } else if (verb(w) && i > 0) {
      out.push({ word: verb(w), kind: "verb", sources: [i] });
      i++;
    } else if (w === "the" || w === "a" || w === "an") {
      // A noun phrase: determiner, adjectives, noun -> article, noun, adjectives.
      const det = i;
      let n = i + 1;
      while (L.adjectives[en[n]]) n++;
      if (!L.nouns[en[n]]) fail(n);
      const { it, gender } = L.nouns[en[n]];
      out.push({
        word: L.determiners[w === "an" ? "a" : w][gender],
        kind: "article",
        sources: [det],
        noun: n,
      });
      out.push({ word: it, kind: "noun", sources: [n] });
      for (let j = det + 1; j < n; j++) {
        out.push({ word: L.adjectives[en[j]][gender], kind: "adjective", sources: [j], noun: n });
      }
      i = n + 1;
    } else fail(i);
  }
  return out;
}
