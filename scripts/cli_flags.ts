/**
 * A strict `--flag value` parser shared by the generate and perplexity scripts: an unknown flag,
 * a missing value or a bad number is an error that names the flag, raised before any work.
 *
 * @module
 */

/** How to read each flag: as text, a number, an integer, or a switch (no value). */
export type FlagKinds = Record<string, "string" | "number" | "int" | "boolean">;

/**
 * Parses `argv` against `kinds` (`--name value`, `--name=value`, `--switch`).
 *
 * @example
 * ```ts
 * import { parseFlags } from "./cli_flags.ts";
 * const f = parseFlags(["--model", "m", "--top-k=5", "--no-cache"], { model: "string", "top-k": "int", "no-cache": "boolean" });
 * console.log(f.model, f["top-k"], f["no-cache"]); // "m" 5 true
 * ```
 */
export function parseFlags(
  argv: string[],
  kinds: FlagKinds,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      throw new Error(`unexpected argument "${arg}"; flags look like --name value (see --help)`);
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = kinds[name];
    if (!kind) {
      throw new Error(
        `unknown flag --${name}; known: ${Object.keys(kinds).map((k) => `--${k}`).join(", ")}`,
      );
    }
    if (kind === "boolean") {
      if (eq >= 0) throw new Error(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      value = argv[++i];
    }
    if (kind === "string") out[name] = value;
    else {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n) || (kind === "int" && !Number.isInteger(n))) {
        throw new Error(
          `--${name} must be ${kind === "int" ? "an integer" : "a number"}, got "${value}"`,
        );
      }
      out[name] = n;
    }
  }
  return out;
}
