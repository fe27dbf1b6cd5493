/**
 * The counting behind {@link WordPieceBPE.fit}, kept in Python's order so that ties between equal
 * counts break the same way as in the notes' `bpe` package (its sorts are stable, over counters
 * that remember first insertion).
 *
 * @module
 */

/**
 * The word vocabulary: `required` tokens first, then words by descending count, ties in order of
 * first appearance; at most `size` entries.
 *
 * @example
 * ```ts
 * import { rankWords } from "./word_piece_bpe_fit.ts";
 * console.log(rankWords([["b", "a", "b"], ["c", "a"]], ["<pad>"], 3)); // [ "<pad>", "b", "a" ]
 * ```
 */
export function rankWords(
  sentences: readonly string[][],
  required: readonly string[],
  size: number,
): string[] {
  const counts = new Map<string, number>();
  for (const words of sentences) {
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const ranked = [...counts].filter(([w]) => !required.includes(w)).sort((
    a,
    b,
  ) => b[1] - a[1]);
  return [...required, ...ranked.map(([w]) => w)].slice(0, size);
}

/**
 * The sub-word vocabulary: the `SOW` and `EOW` markers, then the most frequent characters and
 * `ngramMin..ngramMax`-character n-grams of the words not in `known`, each counted once per
 * occurrence of its word; at most `size` entries. Also returns how many distinct characters those
 * words use (the alphabet the sub-word part must hold to spell them).
 *
 * @example
 * ```ts
 * import { rankNgrams } from "./word_piece_bpe_fit.ts";
 * const opts = { ngramMin: 2, ngramMax: 2, SOW: "<w>", EOW: "</w>" };
 * console.log(rankNgrams([["ab", "abc", "the"]], new Set(["the"]), opts, 5));
 * // { pieces: [ "<w>", "</w>", "a", "b", "ab" ], alphabet: 3 }
 * ```
 */
export function rankNgrams(
  sentences: readonly string[][],
  known: ReadonlySet<string>,
  options: { ngramMin: number; ngramMax: number; SOW: string; EOW: string },
  size: number,
): { pieces: string[]; alphabet: number } {
  const { ngramMin, ngramMax, SOW, EOW } = options;
  const rest = new Map<string, number>();
  for (const ws of sentences) {
    for (const w of ws) {
      if (!known.has(w)) rest.set(w, (rest.get(w) ?? 0) + 1);
    }
  }
  const grams = new Map<string, number>([[SOW, Number.MAX_VALUE], [
    EOW,
    Number.MAX_VALUE,
  ]]);
  const alphabet = new Set<string>();
  for (const [word, count] of rest) {
    const chars = Array.from(word);
    const local = new Map<string, number>(); // per word first, as Python does, to keep its tie order
    for (const ch of chars) {
      local.set(ch, (local.get(ch) ?? 0) + count);
      alphabet.add(ch);
    }
    for (let n = ngramMin; n <= ngramMax; n++) {
      for (let i = 0; i + n <= chars.length; i++) {
        const g = chars.slice(i, i + n).join("");
        local.set(g, (local.get(g) ?? 0) + count);
      }
    }
    for (const [g, c] of local) grams.set(g, (grams.get(g) ?? 0) + c);
  }
  const pieces = [...grams].sort((a, b) => b[1] - a[1]).slice(0, size).map((
    [g],
  ) => g);
  return { pieces, alphabet: alphabet.size };
}
