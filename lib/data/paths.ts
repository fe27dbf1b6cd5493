/**
 * Where the project lives on disk and where its data cache is.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The root of this checkout: the nearest directory above this module that holds `deno.json`.
 *
 * Resolved from `import.meta.url` rather than the working directory, so notebooks (which run in
 * `notebooks/`) and scripts find the same `data/` folder.
 *
 * @example
 * ```ts
 * import { findRepoRoot } from "./paths.ts";
 * console.log(findRepoRoot()); // e.g. "/home/me/llm-course"
 * ```
 */
export function findRepoRoot(): string {
  const here = import.meta.url;
  if (!here.startsWith("file:")) {
    throw new Error(
      `lib/data was loaded from ${here}, not from a local checkout, so there is no repo data/ ` +
        `folder to cache corpora in. Pass { cacheDir: "/some/folder" } to loadCorpus.`,
    );
  }
  let dir = dirname(fileURLToPath(here));
  while (!existsSync(join(dir, "deno.json"))) {
    const up = dirname(dir);
    if (up === dir) {
      throw new Error(
        `No deno.json above ${fileURLToPath(here)}: cannot locate the repo root. ` +
          `Pass { cacheDir: "/some/folder" } to loadCorpus.`,
      );
    }
    dir = up;
  }
  return dir;
}

/**
 * The default corpus cache: `<repo>/data` (git-ignored except its README).
 *
 * @example
 * ```ts
 * import { dataDir } from "./paths.ts";
 * console.log(dataDir()); // e.g. "/home/me/llm-course/data"
 * ```
 */
export function dataDir(): string {
  return join(findRepoRoot(), "data");
}
