/**
 * Results that one notebook measures and a later one reads (03 -> 04 -> 05), kept per run mode:
 * `data/results/<mode>/<name>.json`, so a smoke run (the test suite) never overwrites what a full
 * run measured.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { dataDir } from "./paths.ts";

/** How a notebook was run: `smoke` (LLM_SMOKE=1, shrunk experiments) or `full`. */
export type RunMode = "smoke" | "full";

function checked(name: string, mode: RunMode): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith(".")) {
    throw new Error(
      `results name "${name}" must be a plain file name (letters, digits, _ . -), ` +
        `for example "03_seq2seq_lstm".`,
    );
  }
  if (mode !== "smoke" && mode !== "full") {
    throw new Error(`run mode "${mode}" must be "smoke" or "full" (isSmoke() ? "smoke" : "full").`);
  }
}

/**
 * The file that holds results `name` for run mode `mode`.
 *
 * @example
 * ```ts
 * import { resultsFile } from "./results.ts";
 * console.log(resultsFile("03_seq2seq_lstm", "full")); // <repo>/data/results/full/03_seq2seq_lstm.json
 * ```
 */
export function resultsFile(name: string, mode: RunMode, root: string = dataDir()): string {
  checked(name, mode);
  return join(root, "results", mode, `${name}.json`);
}

/**
 * Writes `value` as JSON to {@link resultsFile}; returns the path. The file is written whole
 * (temporary file, then rename), so a reader never sees half of it.
 *
 * @example
 * ```ts
 * import { saveResults } from "./results.ts";
 * const path = saveResults("demo", "smoke", { accuracy: 0.98 }, Deno.makeTempDirSync());
 * console.log(path);
 * ```
 */
export function saveResults(
  name: string,
  mode: RunMode,
  value: unknown,
  root: string = dataDir(),
): string {
  const path = resultsFile(name, mode, root);
  Deno.mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(value, null, 1) + "\n");
  Deno.renameSync(tmp, path);
  return path;
}

/**
 * Reads results `name` for `mode`, or undefined if that mode has none yet.
 *
 * @example
 * ```ts
 * import { loadResults, saveResults } from "./results.ts";
 * const dir = Deno.makeTempDirSync();
 * saveResults("demo", "full", { accuracy: 0.98 }, dir);
 * console.log(loadResults<{ accuracy: number }>("demo", "full", dir)?.accuracy); // 0.98
 * console.log(loadResults("demo", "smoke", dir)); // undefined
 * ```
 */
export function loadResults<T>(
  name: string,
  mode: RunMode,
  root: string = dataDir(),
): T | undefined {
  const path = resultsFile(name, mode, root);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(
      `${path} is not valid JSON (${(e as Error).message}); delete it and re-run the notebook ` +
        `that writes it.`,
    );
  }
}
