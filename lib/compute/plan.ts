/**
 * One answer to "can this device pretrain this model on this many tokens?": the memory at a
 * batch size, the largest batch that fits, and the time for the tokens at a utilization.
 *
 * @module
 */
import { countParams, type GPTConfig } from "../models/gpt/gpt.ts";
import {
  flopsPerToken,
  maxBatchSize,
  type MemoryBreakdown,
  type Precision,
  tokensPerSecond,
  trainingMemory,
  trainingSeconds,
} from "./cost.ts";
import type { Device } from "./presets.ts";

/** What {@link planRun} is asked. */
export interface PlanOptions {
  /** Tokens to train on (one epoch of the corpus, or a token budget). */
  tokens: number;
  /** Sequences per step (default 1: the least memory). */
  batchSize?: number;
  /** Tokens per sequence (default: the model's block size). */
  seqLen?: number;
  /** Default "fp32". */
  precision?: Precision;
  /** Fraction of the device's peak a real run sustains (default 0.4). */
  utilization?: number;
}

/** What {@link planRun} answers. */
export interface RunPlan {
  /** Trainable parameters. */
  params: number;
  /** Memory at the requested batch size. */
  memory: MemoryBreakdown;
  /** Whether that memory fits on the device. */
  fits: boolean;
  /** Largest batch of `seqLen` sequences that fits (0: not even one). */
  maxBatch: number;
  /** Training FLOPs per token. */
  flopsPerToken: number;
  /** Tokens per second at the utilization. */
  tokensPerSecond: number;
  /** Seconds for `tokens` tokens. */
  seconds: number;
}

/**
 * Memory, fit and time of training `config` on `device`.
 *
 * @example
 * ```ts
 * import { gptConfig } from "../models/gpt/gpt.ts";
 * import { planRun } from "./plan.ts";
 * import { DEVICES } from "./presets.ts";
 * const p = planRun(gptConfig("gpt2"), DEVICES.rtx2080, { tokens: 9e9 });
 * console.log(p.fits, p.maxBatch, (p.seconds / 86400).toFixed(1)); // true 4 "22.1" days
 * ```
 */
export function planRun(
  config: GPTConfig,
  device: Device,
  opts: PlanOptions,
): RunPlan {
  const precision = opts.precision ?? "fp32";
  const run = {
    batchSize: opts.batchSize ?? 1,
    seqLen: opts.seqLen,
    precision,
  };
  const memory = trainingMemory(config, run);
  const peak = precision === "mixed" ? device.mixedFlops : device.fp32Flops;
  const f = flopsPerToken(config, opts.seqLen).total;
  const u = opts.utilization ?? 0.4;
  return {
    params: countParams(config),
    memory,
    fits: memory.total <= device.memoryBytes,
    maxBatch: maxBatchSize(config, device.memoryBytes, {
      seqLen: opts.seqLen,
      precision,
    }),
    flopsPerToken: f,
    tokensPerSecond: tokensPerSecond(f, peak, u),
    seconds: trainingSeconds(opts.tokens, f, peak, u),
  };
}
