/**
 * Downloaded corpora: fetched once from their canonical address, verified by sha256, and kept
 * in a cache folder (`<repo>/data` by default). A file is only ever written whole and verified:
 * the bytes are checked in memory, written to a temporary file in the same folder, and renamed
 * into place, so an interrupted or rejected download never leaves a bad cache file behind.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import { dataDir } from "./paths.ts";

/**
 * A file that is downloaded once and checked against a known sha256.
 *
 * @example
 * ```ts
 * import type { RemoteFile } from "./download.ts";
 * const mirror: RemoteFile = {
 *   name: "my-corpus",
 *   url: "https://example.org/my-corpus.txt",
 *   sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 *   fileName: "my-corpus.txt",
 * };
 * console.log(mirror.fileName);
 * ```
 */
export interface RemoteFile {
  /** The corpus name used in messages, e.g. `tinyshakespeare`. */
  name: string;
  /** The canonical download address. */
  url: string;
  /** Lowercase hex sha256 of the exact bytes. */
  sha256: string;
  /** The file's name inside the cache folder. */
  fileName: string;
}

/**
 * Tiny Shakespeare (char-rnn's `input.txt`, 1,115,394 bytes).
 *
 * @example
 * ```ts
 * import { TINY_SHAKESPEARE } from "./download.ts";
 * console.log(TINY_SHAKESPEARE.url, TINY_SHAKESPEARE.sha256);
 * ```
 */
export const TINY_SHAKESPEARE: RemoteFile = {
  name: "tinyshakespeare",
  url: "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
  sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
  fileName: "tinyshakespeare.txt",
};

/**
 * Every corpus that is downloaded rather than shipped in a package, by name.
 *
 * @example
 * ```ts
 * import { REMOTE_CORPORA } from "./download.ts";
 * console.log(Object.keys(REMOTE_CORPORA)); // ["tinyshakespeare"]
 * ```
 */
export const REMOTE_CORPORA: Readonly<Record<string, RemoteFile>> = {
  tinyshakespeare: TINY_SHAKESPEARE,
};

/**
 * Options for {@link fetchCached}.
 *
 * @example
 * ```ts
 * import type { FetchCachedOptions } from "./download.ts";
 * const offline: FetchCachedOptions = {
 *   fetch: () => Promise.reject(new TypeError("offline")),
 * };
 * console.log(typeof offline.fetch);
 * ```
 */
export interface FetchCachedOptions {
  /** Cache folder; default `<repo>/data`. */
  cacheDir?: string;
  /** The fetch to use (tests pass their own); default the global `fetch`. */
  fetch?: typeof fetch;
  /** Download from this address instead of the canonical one (a mirror); the sha256 still applies. */
  url?: string;
  /** Give up on a download after this many milliseconds; default 60000. */
  timeoutMs?: number;
}

/**
 * The lowercase hex sha256 of `bytes`.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./download.ts";
 * console.log(await sha256Hex(new TextEncoder().encode("abc")));
 * // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The verified bytes of `file`: from the cache when it is there (and its sha256 matches),
 * otherwise downloaded, verified and then cached.
 *
 * Throws, naming the path and the fix, when the cache is corrupt, when the download fails (no
 * network, HTTP error) or when the downloaded bytes have the wrong sha256; in the last case
 * nothing is written.
 *
 * @example
 * ```ts
 * import { fetchCached, TINY_SHAKESPEARE } from "./download.ts";
 * const bytes = await fetchCached(TINY_SHAKESPEARE);
 * console.log(bytes.length); // 1115394
 * ```
 */
export async function fetchCached(
  file: RemoteFile,
  opts: FetchCachedOptions = {},
): Promise<Uint8Array> {
  const dir = resolve(opts.cacheDir ?? dataDir());
  const path = join(dir, file.fileName);
  const cached = await readVerifiedCache(file, path);
  if (cached) return cached;

  const url = opts.url ?? file.url;
  const bytes = await download(file, url, path, opts);
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new Error(
      `Refused the download of ${file.name} from ${url}: its sha256 is ${actual} but ` +
        `${file.sha256} was expected (${bytes.length} bytes received). Nothing was written to ` +
        `${dir}.\n${manualFix(file, path)}`,
    );
  }
  await writeAtomic(path, bytes);
  return bytes;
}

/**
 * Copies a local copy of a known corpus into the cache after checking its sha256, so that
 * offline machines (CI, tests) need no download. Which corpus it is follows from the sha256.
 *
 * @example
 * ```ts
 * import { seedCorpusCache } from "./download.ts";
 * await seedCorpusCache("../shared/data/tinyshakespeare.txt"); // -> <repo>/data/tinyshakespeare.txt
 * ```
 */
export async function seedCorpusCache(
  from: string,
  cacheDir?: string,
): Promise<void> {
  const source = resolve(from);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(source);
  } catch (e) {
    throw new Error(
      `Cannot seed the corpus cache from ${source}: ${describe(e)}. Pass the path of an ` +
        `existing copy, e.g. ../shared/data/tinyshakespeare.txt.`,
      { cause: e },
    );
  }
  const actual = await sha256Hex(bytes);
  const file = Object.values(REMOTE_CORPORA).find((f) => f.sha256 === actual);
  if (!file) {
    const known = Object.values(REMOTE_CORPORA)
      .map((f) => `${f.name} ${f.sha256}`)
      .join(", ");
    throw new Error(
      `Cannot seed the corpus cache from ${source}: its sha256 ${actual} matches no known ` +
        `corpus (${known}). The copy is corrupt or a different file; use an unmodified copy.`,
    );
  }
  await writeAtomic(join(resolve(cacheDir ?? dataDir()), file.fileName), bytes);
}

/** The cache file's bytes when it exists and is intact; undefined when it does not exist. */
async function readVerifiedCache(
  file: RemoteFile,
  path: string,
): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (
      e instanceof Deno.errors.NotFound ||
      e instanceof Deno.errors.NotADirectory
    ) {
      return undefined; // not cached yet; a cacheDir that is not a folder fails on write
    }
    throw new Error(
      `Cannot read the cached ${file.name} at ${path}: ${describe(e)}. Fix its permissions ` +
        `(and run Deno with --allow-read), or delete it to download it again.`,
      { cause: e },
    );
  }
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new Error(
      `The cached ${file.name} at ${path} is corrupt or a different file: its sha256 is ` +
        `${actual} but ${file.sha256} was expected. Delete it (rm ${path}) and run again to ` +
        `download it from ${file.url}, or replace it with a correct copy.`,
    );
  }
  return bytes;
}

/** The response body from `url`, or an error that says where to put the file by hand. */
async function download(
  file: RemoteFile,
  url: string,
  path: string,
  opts: FetchCachedOptions,
): Promise<Uint8Array> {
  const fetchFn = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no complete response within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const res = await fetchFn(url, { signal: abort.signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(
      `${file.name} is not cached and could not be downloaded from ${url} ` +
        `(${describe(e)}).\n${manualFix(file, path)}`,
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Writes a temporary file next to `path` and renames it over `path`: readers see all or nothing. */
async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = resolve(path, "..");
  // A unique name (not Deno.makeTempFile, which creates mode 0600) so the cache is readable
  // like any other file; createNew guarantees that no one else's file is overwritten.
  const tmp = join(dir, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(tmp, bytes, { createNew: true, mode: 0o644 });
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(
      `Cannot write the cache file ${path}: ${describe(e)}. Make ${dir} a writable folder ` +
        `(and run Deno with --allow-write), or pass another { cacheDir }.`,
      { cause: e },
    );
  }
}

function manualFix(file: RemoteFile, path: string): string {
  return `To fix it, download the file yourself and save it as\n  ${path}\n` +
    `e.g. curl -L -o '${path}' '${file.url}'\n` +
    `(sha256 ${file.sha256}), or copy a verified local copy there with seedCorpusCache(path).`;
}

/** An error's message with its causes (fetch puts the real reason, e.g. a DNS error, there). */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.cause === undefined ? e.message : `${e.message}: ${describe(e.cause)}`;
}
