/**
 * Command-line flags and config file of `scripts/train.ts`, parsed strictly with `node:util`'s
 * `parseArgs`: an unknown flag, a missing value or a non-number is an error naming the flag,
 * raised before any work. {@link toTrainConfig} turns the result into the one
 * {@link TrainConfig} the trainer runs with, so the script and `Trainer` share their defaults.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../lib/train/mod.ts";

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
  /** AdamW beta1. */
  beta1: number;
  /** AdamW beta2. */
  beta2: number;
  /** AdamW epsilon. */
  eps: number;
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

const D = DEFAULT_TRAIN_CONFIG;

/**
 * The main job's settings: the trainer's defaults ({@link DEFAULT_TRAIN_CONFIG}) under the
 * flags' names, plus what only the script has (corpus, preset, sampling, output).
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
  iters: D.maxIters,
  batch: D.batchSize,
  lr: D.lr,
  warmup: D.warmupIters,
  dropout: 0,
  weightDecay: D.weightDecay,
  beta1: D.beta1,
  beta2: D.beta2,
  eps: D.eps,
  gradClip: D.gradClip,
  resume: false,
  evalInterval: D.evalInterval,
  evalIters: D.evalIters,
  finalEvalIters: 200,
  seed: D.seed,
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
  beta1: "number",
  beta2: "number",
  eps: "number",
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

const flagOf = (key: string) => key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
const keyOf = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const HINT = "Run with --help for the list.";

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
    return `  --${flagOf(k)}${kind === "bool" ? "" : ` <${kind}>`}${
      d === undefined || kind === "bool" ? "" : `  (default ${d})`
    }`;
  });
  return [
    "Usage: deno task train [flags]",
    "Trains a GPT on a character-level corpus, saves the best checkpoint, and evaluates and",
    "samples from that saved checkpoint.",
    "",
    ...lines,
    "  --config <file.json>  settings as JSON with these names in camelCase (flags override)",
  ].join("\n");
}

function convert(key: string, raw: unknown, where: string): unknown {
  const kind = KINDS[key as keyof TrainArgs];
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

/**
 * Parses `args` (and the JSON file named by `--config`, read with `readFile`), returning
 * the defaults overridden by the file, then by the flags.
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "./train_args.ts";
 * const a = parseTrainArgs(["--iters", "50", "--lr=3e-4", "--resume", "--beta2", "0.95"]);
 * console.log(a.iters, a.lr, a.resume, a.beta2, a.preset); // 50 0.0003 true 0.95 "baby"
 * ```
 */
export function parseTrainArgs(
  args: string[],
  readFile: (path: string) => string = Deno.readTextFileSync,
): TrainArgs {
  const options: Record<string, { type: "string" | "boolean" }> = { config: { type: "string" } };
  for (const [k, kind] of Object.entries(KINDS)) {
    options[flagOf(k)] = { type: kind === "bool" ? "boolean" : "string" };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw flagError(e);
  }
  const fromFlags: Record<string, unknown> = {};
  let configPath: string | undefined;
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (flag === "config") {
      configPath = value as string;
      continue;
    }
    fromFlags[keyOf(flag)] = convert(keyOf(flag), value, `--${flag}`);
  }
  const fromFile: Record<string, unknown> = {};
  if (configPath !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFile(configPath));
    } catch (e) {
      throw new Error(`--config ${configPath}: ${(e as Error).message}`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new Error(`--config ${configPath}: expected a JSON object of settings`);
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
    if (out[k] < 1) throw new Error(`--${flagOf(k)} must be at least 1, got ${out[k]}`);
  }
  if (out.block !== undefined && out.block < 1) {
    throw new Error(`--block must be at least 1, got ${out.block}`);
  }
  if (!(out.dropout >= 0 && out.dropout < 1)) {
    throw new Error(`--dropout must lie in [0, 1), got ${out.dropout}`);
  }
  for (const k of ["beta1", "beta2"] as const) {
    if (!(out[k] >= 0 && out[k] < 1)) throw new Error(`--${k} must lie in [0, 1), got ${out[k]}`);
  }
  if (!(out.eps > 0)) throw new Error(`--eps must be > 0, got ${out.eps}`);
  if (out.sampleTokens < 0) throw new Error(`--sample-tokens must be >= 0`);
  return out;
}

/**
 * The trainer settings of a run: every {@link TrainConfig} field, from the parsed flags and the
 * model's context length. The one object that goes from flags to `Trainer`.
 *
 * @example
 * ```ts
 * import { parseTrainArgs, toTrainConfig } from "./train_args.ts";
 * const c = toTrainConfig(parseTrainArgs(["--iters", "50"]), 64);
 * console.log(c.maxIters, c.lrDecayIters, c.minLr, c.evalIters); // 50 50 0.0001 20
 * ```
 */
export function toTrainConfig(args: TrainArgs, blockSize: number): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    maxIters: args.iters,
    batchSize: args.batch,
    blockSize,
    lr: args.lr,
    minLr: args.minLr ?? args.lr / 10,
    warmupIters: Math.min(args.warmup, args.iters),
    lrDecayIters: args.iters,
    weightDecay: args.weightDecay,
    beta1: args.beta1,
    beta2: args.beta2,
    eps: args.eps,
    gradClip: args.gradClip,
    evalInterval: args.evalInterval,
    evalIters: args.evalIters,
    seed: args.seed,
  };
}
