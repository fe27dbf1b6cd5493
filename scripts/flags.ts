/**
 * The one flag parser of the commands (`train`, `generate`, `perplexity`) and the benches that
 * take flags. Each flag is declared once, under the name of the setting it fills (`maxIters` is
 * `--max-iters`, `batchSize` is `--batch-size`), with its kind, description and default, so the
 * parser, the `--help` text and a JSON config file all read the same table. Parsing is strict
 * (`node:util`'s `parseArgs`): an unknown flag, a missing value or a bad number is an error that
 * names the flag as typed, raised before any work. Older flag names stay accepted as aliases.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** How a flag's value is read: text, a finite number, an integer, or a switch (no value). */
export type FlagKind = "string" | "number" | "int" | "bool";

/** One flag: what it holds, what it is for (shown by `--help`), its default and older names. */
export interface FlagSpec {
  /** How the value is read. */
  readonly kind: FlagKind;
  /** One line for `--help`. */
  readonly description: string;
  /** The value when the flag is absent; none means "absent" (the command decides). */
  readonly default?: string | number | boolean;
  /** Older flag names (kebab-case, without `--`) still accepted for this setting. */
  readonly aliases?: readonly string[];
}

/** A command's flags, keyed by the camelCase name of the setting each one fills. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type KindValue<K> = K extends "bool" ? boolean : K extends "string" ? string : number;

/** The parsed settings of `S`: a flag with a default always has a value, others are optional. */
export type FlagValues<S extends FlagSpecs> =
  & {
    -readonly [K in keyof S as S[K] extends { default: unknown } ? K : never]: KindValue<
      S[K]["kind"]
    >;
  }
  & {
    -readonly [K in keyof S as S[K] extends { default: unknown } ? never : K]?: KindValue<
      S[K]["kind"]
    >;
  };

/**
 * `--flag` name of a setting: camelCase to kebab-case.
 *
 * @example
 * ```ts
 * import { flagName } from "./flags.ts";
 * console.log(flagName("maxIters")); // "max-iters"
 * ```
 */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

const camel = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * Reads one raw value (a flag's text or a config file's JSON value) as `kind`; `where` names
 * the flag or setting in the error.
 *
 * @example
 * ```ts
 * import { convertFlag } from "./flags.ts";
 * console.log(convertFlag("int", "12", "--batch-size")); // 12
 * ```
 */
export function convertFlag(
  kind: FlagKind,
  raw: unknown,
  where: string,
): string | number | boolean {
  if (kind === "bool") {
    if (typeof raw === "boolean") return raw;
    throw new Error(`${where} expects true or false, got ${JSON.stringify(raw)}`);
  }
  if (kind === "string") {
    if (typeof raw === "string" && raw.length > 0) return raw;
    throw new Error(`${where} expects a non-empty string, got ${JSON.stringify(raw)}`);
  }
  const n = typeof raw === "number"
    ? raw
    : typeof raw === "string" && raw.trim()
    ? Number(raw)
    : NaN;
  if (!Number.isFinite(n) || (kind === "int" && !Number.isInteger(n))) {
    throw new Error(
      `${where} expects ${kind === "int" ? "an integer" : "a number"}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

const HINT = "Run with --help for the list.";

/** parseArgs' errors, reworded to name the flag and the fix. */
function flagError(e: unknown): Error {
  const err = e as { code?: string; message?: string };
  const flag = /'(--?[^' <]+)/.exec(err.message ?? "")?.[1];
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new Error(`Unknown flag ${flag}. ${HINT}`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = /argument '([^']*)'/.exec(err.message ?? "")?.[1];
      return new Error(`Unexpected argument "${arg}": every setting is a --flag. ${HINT}`);
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /does not take an argument/.test(err.message ?? "")
        ? new Error(`${flag} is a switch and takes no value`)
        : new Error(`${flag} needs a value`);
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

/** Options of {@link parseFlags}. */
export interface ParseFlagsOptions {
  /**
   * Accept `--config <file.json>`: settings as a JSON object under their camelCase names (or an
   * alias's), read with this function; flags override the file.
   */
  readonly readConfig?: (path: string) => string;
}

/**
 * Parses `args` against `specs`: the defaults, overridden by the config file (when allowed),
 * then by the flags. `--help` is always accepted (`help: true` in the result).
 *
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * const specs = {
 *   maxIters: { kind: "int", description: "optimizer steps", default: 100, aliases: ["iters"] },
 *   topK: { kind: "int", description: "sample among the K most likely tokens" },
 * } as const;
 * const f = parseFlags(["--iters", "5", "--top-k=40"], specs);
 * console.log(f.maxIters, f.topK, f.help); // 5 40 false
 * ```
 */
export function parseFlags<S extends FlagSpecs>(
  args: readonly string[],
  specs: S,
  opts: ParseFlagsOptions = {},
): FlagValues<S> & { help: boolean } {
  const byFlag = new Map<string, string>();
  const aliasOf = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    byFlag.set(flagName(key), key);
    for (const alias of spec.aliases ?? []) {
      if (byFlag.has(alias)) throw new Error(`flag --${alias} is declared twice`);
      byFlag.set(alias, key);
      aliasOf.set(camel(alias), key);
    }
  }
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  if (opts.readConfig) options.config = { type: "string" };
  for (const [flag, key] of byFlag) {
    options[flag] = { type: specs[key].kind === "bool" ? "boolean" : "string" };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (e) {
    throw flagError(e);
  }
  const fromFlags: Record<string, unknown> = {};
  const typedAs: Record<string, string> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (flag === "help" || flag === "config") continue;
    const key = byFlag.get(flag)!;
    if (typedAs[key]) {
      throw new Error(`--${typedAs[key]} and --${flag} set the same setting; give one`);
    }
    typedAs[key] = flag;
    fromFlags[key] = convertFlag(specs[key].kind, value, `--${flag}`);
  }
  const fromFile: Record<string, unknown> = {};
  const configPath = parsed.values.config as string | undefined;
  if (configPath !== undefined && opts.readConfig) {
    let json: unknown;
    try {
      json = JSON.parse(opts.readConfig(configPath));
    } catch (e) {
      throw new Error(`--config ${configPath}: ${(e as Error).message}`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new Error(`--config ${configPath}: expected a JSON object of settings`);
    }
    for (const [name, v] of Object.entries(json)) {
      // A setting's own name, or an alias in camelCase (`iters` for `--iters`).
      const key = Object.hasOwn(specs, name) ? name : aliasOf.get(name);
      if (key === undefined) {
        throw new Error(
          `--config ${configPath}: unknown setting "${name}"; known: ${
            Object.keys(specs).join(", ")
          }`,
        );
      }
      fromFile[key] = convertFlag(specs[key].kind, v, `--config ${configPath}: "${name}"`);
    }
  }
  const defaults: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.default !== undefined) defaults[key] = spec.default;
  }
  return {
    ...defaults,
    ...fromFile,
    ...fromFlags,
    help: parsed.values.help === true,
  } as FlagValues<S> & { help: boolean };
}

/**
 * `--help` text: `header`, then every flag with its value kind, description, default and
 * aliases (and `--config` when the command reads a config file).
 *
 * @example
 * ```ts
 * import { flagUsage } from "./flags.ts";
 * const text = flagUsage("Usage: deno task demo [flags]", {
 *   batchSize: { kind: "int", description: "rows per batch", default: 12, aliases: ["batch"] },
 * });
 * console.log(text.includes("--batch-size <int>")); // true
 * ```
 */
export function flagUsage(
  header: string,
  specs: FlagSpecs,
  opts: { config?: boolean } = {},
): string {
  const rows: [string, string][] = Object.entries(specs).map(([key, spec]) => {
    const notes = [
      spec.default === undefined || spec.kind === "bool" ? "" : `default ${spec.default}`,
      spec.aliases?.length ? `alias ${spec.aliases.map((a) => `--${a}`).join(", ")}` : "",
    ].filter(Boolean);
    return [
      `--${flagName(key)}${spec.kind === "bool" ? "" : ` <${spec.kind}>`}`,
      `${spec.description}${notes.length ? ` (${notes.join("; ")})` : ""}`,
    ];
  });
  if (opts.config) {
    rows.push([
      "--config <file.json>",
      "settings as JSON under their camelCase names (flags override)",
    ]);
  }
  rows.push(["--help", "print this list and exit"]);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [header, "", ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`)].join("\n");
}
