/**
 * Command-line flags and config file of `scripts/train.ts`, declared once in {@link TRAIN_FLAGS}
 * and parsed strictly by the shared parser (`flags.ts`): an unknown flag, a missing value or a
 * non-number is an error naming the flag, raised before any work. Each flag is named after the
 * {@link TrainConfig} field it sets (`--max-iters` is `maxIters`); the older short names
 * (`--iters`, `--batch`, `--block`, `--warmup`) stay as aliases. {@link toTrainConfig} turns the
 * result into the one {@link TrainConfig} the trainer runs with, so the script and `Trainer`
 * share their defaults.
 *
 * @module
 */
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../lib/train/mod.ts";
import { flagName, type FlagSpec, flagUsage, parseFlags } from "./flags.ts";

/** Everything `deno task train` can be told. Defaults: nanoGPT's CPU baby Shakespeare run. */
export interface TrainArgs {
  /** Corpus name (`tinyshakespeare`, `moby-dick`) or text file path. */
  corpus: string;
  /** GPT preset name. */
  preset: string;
  /** Optimizer steps. */
  maxIters: number;
  /** Batch size. */
  batchSize: number;
  /** Context length; defaults to the preset's. */
  blockSize?: number;
  /** Peak learning rate. */
  lr: number;
  /** Final learning rate; defaults to lr / 10. */
  minLr?: number;
  /** Warmup steps. */
  warmupIters: number;
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
 * Every flag of `deno task train`: its kind, description, default (the trainer's own, from
 * {@link DEFAULT_TRAIN_CONFIG}) and older names.
 *
 * @example
 * ```ts
 * import { TRAIN_FLAGS } from "./train_args.ts";
 * console.log(TRAIN_FLAGS.maxIters.default, TRAIN_FLAGS.maxIters.aliases); // 2000 ["iters"]
 * ```
 */
export const TRAIN_FLAGS = {
  corpus: {
    kind: "string",
    description: "corpus name (tinyshakespeare, moby-dick) or a text file's path",
    default: "tinyshakespeare",
  },
  preset: { kind: "string", description: "GPT preset name", default: "baby" },
  maxIters: {
    kind: "int",
    description: "optimizer steps",
    default: D.maxIters,
    aliases: ["iters"],
  },
  batchSize: {
    kind: "int",
    description: "rows per batch",
    default: D.batchSize,
    aliases: ["batch"],
  },
  blockSize: {
    kind: "int",
    description: "context length (default: the preset's)",
    aliases: ["block"],
  },
  lr: { kind: "number", description: "peak learning rate", default: D.lr },
  minLr: { kind: "number", description: "final learning rate (default: lr / 10)" },
  warmupIters: {
    kind: "int",
    description: "linear warmup steps",
    default: D.warmupIters,
    aliases: ["warmup"],
  },
  dropout: { kind: "number", description: "dropout probability", default: 0 },
  weightDecay: { kind: "number", description: "AdamW weight decay", default: D.weightDecay },
  beta1: { kind: "number", description: "AdamW beta1", default: D.beta1 },
  beta2: { kind: "number", description: "AdamW beta2", default: D.beta2 },
  eps: { kind: "number", description: "AdamW epsilon", default: D.eps },
  gradClip: { kind: "number", description: "gradient-norm clip (0 = off)", default: D.gradClip },
  backend: {
    kind: "string",
    description: "tfjs backend (wasm, cpu, webgpu, ...; default automatic)",
  },
  out: {
    kind: "string",
    description: "checkpoint folder (default data/checkpoints/<preset>-<corpus>)",
  },
  resume: { kind: "bool", description: "continue the run saved in --out", default: false },
  evalInterval: {
    kind: "int",
    description: "steps between evaluations (and checkpoint saves)",
    default: D.evalInterval,
  },
  evalIters: {
    kind: "int",
    description: "batches per periodic evaluation",
    default: D.evalIters,
  },
  finalEvalIters: {
    kind: "int",
    description: "batches of the final evaluation (0 = none)",
    default: 200,
  },
  seed: {
    kind: "int",
    description: "seed of initialisation, batch order and sampling",
    default: D.seed,
  },
  sampleTokens: {
    kind: "int",
    description: "characters to sample at the end (0 = none)",
    default: 500,
  },
} as const satisfies Record<Exclude<keyof TrainArgs, "help">, FlagSpec>;

/**
 * The main job's settings: the trainer's defaults ({@link DEFAULT_TRAIN_CONFIG}) under the
 * same names, plus what only the script has (corpus, preset, sampling, output).
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN_ARGS } from "./train_args.ts";
 * console.log(DEFAULT_TRAIN_ARGS.preset, DEFAULT_TRAIN_ARGS.maxIters); // "baby" 2000
 * ```
 */
export const DEFAULT_TRAIN_ARGS: Readonly<TrainArgs> = Object.freeze(parseFlags([], TRAIN_FLAGS));

/**
 * Usage text listing every flag with its description, default and aliases.
 *
 * @example
 * ```ts
 * import { usage } from "./train_args.ts";
 * console.log(usage().includes("--eval-interval")); // true
 * ```
 */
export function usage(): string {
  return flagUsage(
    [
      "Usage: deno task train [flags]",
      "Trains a GPT on a character-level corpus, saves the best checkpoint, and evaluates and",
      "samples from that saved checkpoint.",
    ].join("\n"),
    TRAIN_FLAGS,
    { config: true },
  );
}

/**
 * Parses `args` (and the JSON file named by `--config`, read with `readFile`), returning
 * the defaults overridden by the file, then by the flags.
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "./train_args.ts";
 * const a = parseTrainArgs(["--max-iters", "50", "--lr=3e-4", "--resume", "--beta2", "0.95"]);
 * console.log(a.maxIters, a.lr, a.resume, a.beta2, a.preset); // 50 0.0003 true 0.95 "baby"
 * ```
 */
export function parseTrainArgs(
  args: string[],
  readFile: (path: string) => string = Deno.readTextFileSync,
): TrainArgs {
  const out: TrainArgs = parseFlags(args, TRAIN_FLAGS, { readConfig: readFile });
  for (const k of ["maxIters", "batchSize", "evalInterval", "evalIters"] as const) {
    if (out[k] < 1) throw new Error(`--${flagName(k)} must be at least 1, got ${out[k]}`);
  }
  if (out.blockSize !== undefined && out.blockSize < 1) {
    throw new Error(`--block-size must be at least 1, got ${out.blockSize}`);
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
 * const c = toTrainConfig(parseTrainArgs(["--max-iters", "50"]), 64);
 * console.log(c.maxIters, c.lrDecayIters, c.minLr, c.evalIters); // 50 50 0.0001 20
 * ```
 */
export function toTrainConfig(args: TrainArgs, blockSize: number): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    maxIters: args.maxIters,
    batchSize: args.batchSize,
    blockSize,
    lr: args.lr,
    minLr: args.minLr ?? args.lr / 10,
    warmupIters: Math.min(args.warmupIters, args.maxIters),
    lrDecayIters: args.maxIters,
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
