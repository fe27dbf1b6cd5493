/**
 * Command-line flags and config file of `scripts/train.ts`, parsed strictly: an unknown flag,
 * a missing value or a non-number is an error naming the flag, raised before any work.
 *
 * @module
 */

/** Everything `deno task train` can be told. Defaults: nanoGPT's CPU baby Shakespeare run. */
export interface TrainArgs {
  /** Corpus name (`tinyshakespeare`, `moby-dick`) or text file path. */
  corpus: string;
  /** GPT preset name. */
  preset: string;
  /** Optimizer steps. */
  iters: number;
  /** Batch size. */
  batch: number;
  /** Context length; defaults to the preset's. */
  block?: number;
  /** Peak learning rate. */
  lr: number;
  /** Final learning rate; defaults to lr / 10. */
  minLr?: number;
  /** Warmup steps. */
  warmup: number;
  /** Dropout probability. */
  dropout: number;
  /** AdamW weight decay. */
  weightDecay: number;
  /** Gradient-norm clip (0 = off). */
  gradClip: number;
  /** tfjs backend (`wasm`, `cpu`, `webgpu`, ...); defaults to automatic. */
  backend?: string;
  /** Checkpoint directory; defaults to `data/checkpoints/<preset>-<corpus>`. */
  out?: string;
  /** Continue the run saved in `out`. */
  resume: boolean;
  /** Steps between evaluations. */
  evalInterval: number;
  /** Batches per periodic evaluation (nanoGPT's CPU recipe uses 20). */
  evalIters: number;
  /** Batches of the final evaluation that the run reports (0 = none). */
  finalEvalIters: number;
  /** Seed of initialisation, batch order and sampling. */
  seed: number;
  /** Characters to sample at the end (0 = none). */
  sampleTokens: number;
  /** Print usage and exit. */
  help: boolean;
}

/**
 * The main job's settings.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN_ARGS } from "./train_args.ts";
 * console.log(DEFAULT_TRAIN_ARGS.preset, DEFAULT_TRAIN_ARGS.iters); // "baby" 2000
 * ```
 */
export const DEFAULT_TRAIN_ARGS: Readonly<TrainArgs> = Object.freeze({
  corpus: "tinyshakespeare",
  preset: "baby",
  iters: 2000,
  batch: 12,
  lr: 1e-3,
  warmup: 100,
  dropout: 0,
  weightDecay: 0.1,
  gradClip: 1.0,
  resume: false,
  evalInterval: 250,
  evalIters: 20,
  finalEvalIters: 200,
  seed: 1337,
  sampleTokens: 500,
  help: false,
});

type Kind = "string" | "int" | "number" | "bool";
const KINDS: Record<keyof TrainArgs, Kind> = {
  corpus: "string",
  preset: "string",
  iters: "int",
  batch: "int",
  block: "int",
  lr: "number",
  minLr: "number",
  warmup: "int",
  dropout: "number",
  weightDecay: "number",
  gradClip: "number",
  backend: "string",
  out: "string",
  resume: "bool",
  evalInterval: "int",
  evalIters: "int",
  finalEvalIters: "int",
  seed: "int",
  sampleTokens: "int",
  help: "bool",
};

const flagOf = (key: string) => "--" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
const keyOf = (flag: string) => flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/**
 * Usage text listing every flag with its default.
 *
 * @example
 * ```ts
 * import { usage } from "./train_args.ts";
 * console.log(usage().includes("--eval-interval")); // true
 * ```
 */
export function usage(): string {
  const lines = Object.keys(KINDS).map((k) => {
    const d = (DEFAULT_TRAIN_ARGS as Record<string, unknown>)[k];
    const kind = KINDS[k as keyof TrainArgs];
    return `  ${flagOf(k)}${kind === "bool" ? "" : ` <${kind}>`}${
      d === undefined || kind === "bool" ? "" : `  (default ${d})`
    }`;
  });
  return [
    "Usage: deno task train [flags]",
    "Trains a GPT on a character-level corpus, saves the best checkpoint, prints a sample.",
    "",
    ...lines,
    "  --config <file.json>  settings as JSON with these names in camelCase (flags override)",
  ].join("\n");
}

function convert(key: string, raw: unknown, where: string): unknown {
  const kind = KINDS[key as keyof TrainArgs];
  if (kind === "bool") {
    if (typeof raw === "boolean") return raw;
    throw new Error(
      `${where} expects true or false, got ${JSON.stringify(raw)}`,
    );
  }
  if (kind === "string") {
    if (typeof raw === "string" && raw.length > 0) return raw;
    throw new Error(
      `${where} expects a non-empty string, got ${JSON.stringify(raw)}`,
    );
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

/**
 * Parses `args` (and the JSON file named by `--config`, read with `readFile`), returning
 * the defaults overridden by the file, then by the flags.
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "./train_args.ts";
 * const a = parseTrainArgs(["--iters", "50", "--lr=3e-4", "--resume"]);
 * console.log(a.iters, a.lr, a.resume, a.preset); // 50 0.0003 true "baby"
 * ```
 */
export function parseTrainArgs(
  args: string[],
  readFile: (path: string) => string = Deno.readTextFileSync,
): TrainArgs {
  const fromFlags: Record<string, unknown> = {};
  let configPath: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      throw new Error(
        `Unexpected argument "${arg}": every setting is a --flag. ${hint()}`,
      );
    }
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const key = keyOf(flag);
    if (flag === "config") {
      configPath = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (!configPath) throw new Error(`--config needs a file path`);
      continue;
    }
    if (!(key in KINDS) || flag !== flagOf(key).slice(2)) {
      throw new Error(`Unknown flag --${flag}. ${hint()}`);
    }
    if (KINDS[key as keyof TrainArgs] === "bool") {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== "true" && v !== "false") {
          throw new Error(`--${flag} expects true or false, got "${v}"`);
        }
        fromFlags[key] = v === "true";
      } else fromFlags[key] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) {
      throw new Error(`--${flag} needs a value`);
    }
    fromFlags[key] = convert(key, value, `--${flag}`);
  }
  const fromFile: Record<string, unknown> = {};
  if (configPath) {
    let json: unknown;
    try {
      json = JSON.parse(readFile(configPath));
    } catch (e) {
      throw new Error(`--config ${configPath}: ${(e as Error).message}`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new Error(
        `--config ${configPath}: expected a JSON object of settings`,
      );
    }
    for (const [k, v] of Object.entries(json)) {
      if (!(k in KINDS)) {
        throw new Error(
          `--config ${configPath}: unknown setting "${k}"; known: ${Object.keys(KINDS).join(", ")}`,
        );
      }
      fromFile[k] = convert(k, v, `--config ${configPath}: "${k}"`);
    }
  }
  const out = { ...DEFAULT_TRAIN_ARGS, ...fromFile, ...fromFlags } as TrainArgs;
  for (const k of ["iters", "batch", "evalInterval", "evalIters"] as const) {
    if (out[k] < 1) {
      throw new Error(`${flagOf(k)} must be at least 1, got ${out[k]}`);
    }
  }
  if (out.block !== undefined && out.block < 1) {
    throw new Error(`--block must be at least 1, got ${out.block}`);
  }
  if (!(out.dropout >= 0 && out.dropout < 1)) {
    throw new Error(`--dropout must lie in [0, 1), got ${out.dropout}`);
  }
  if (out.sampleTokens < 0) throw new Error(`--sample-tokens must be >= 0`);
  return out;
}

function hint(): string {
  return "Run with --help for the list.";
}
