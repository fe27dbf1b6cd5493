/**
 * GPT hyperparameters: the config type, named presets and an exact parameter count.
 *
 * @module
 */

/** The shape of a decoder-only GPT. */
export interface GPTConfig {
  /** Number of token ids (the LM head is tied to the token embedding, so also the output size). */
  vocabSize: number;
  /** Longest context the model sees (size of the position table). */
  blockSize: number;
  /** Number of transformer blocks. */
  nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. */
  nHead: number;
  /** Width of the residual stream. */
  nEmbd: number;
  /** Dropout probability used when training (0 disables it). */
  dropout: number;
  /** Whether linear layers and LayerNorms have biases (GPT-2: true). */
  bias: boolean;
}

/** A preset is a config whose vocabulary may come from the tokenizer instead. */
export type GPTPreset = Omit<GPTConfig, "vocabSize"> & { vocabSize?: number };

/** Names of {@link GPT_PRESETS}. */
export type GPTPresetName =
  | "notes-small"
  | "baby"
  | "shakespeare-char"
  | "gpt1"
  | "gpt2";

/**
 * Named model sizes: the notes' small model, nanoGPT's CPU "baby" and shakespeare-char models,
 * GPT-1 and GPT-2 small.
 *
 * @example
 * ```ts
 * import { GPT_PRESETS } from "./gpt_config.ts";
 * console.log(GPT_PRESETS.baby.nEmbd); // 128
 * ```
 */
export const GPT_PRESETS: Record<GPTPresetName, GPTPreset> = {
  "notes-small": {
    blockSize: 16,
    nLayer: 2,
    nHead: 2,
    nEmbd: 32,
    dropout: 0,
    bias: true,
  },
  baby: {
    blockSize: 64,
    nLayer: 4,
    nHead: 4,
    nEmbd: 128,
    dropout: 0,
    bias: true,
  },
  "shakespeare-char": {
    blockSize: 256,
    nLayer: 6,
    nHead: 6,
    nEmbd: 384,
    dropout: 0.2,
    bias: true,
  },
  gpt1: {
    vocabSize: 40478,
    blockSize: 512,
    nLayer: 12,
    nHead: 12,
    nEmbd: 768,
    dropout: 0.1,
    bias: true,
  },
  gpt2: {
    vocabSize: 50257,
    blockSize: 1024,
    nLayer: 12,
    nHead: 12,
    nEmbd: 768,
    dropout: 0,
    bias: true,
  },
};

function positiveInt(name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(
      `GPT config: ${name} must be a positive integer, got ${String(value)}.`,
    );
  }
}

/**
 * Checks a config and throws an error naming the bad field and the fix.
 *
 * @example
 * ```ts
 * import { validateGPTConfig } from "./gpt_config.ts";
 * validateGPTConfig({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true });
 * ```
 */
export function validateGPTConfig(config: GPTConfig): GPTConfig {
  for (
    const key of ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"] as const
  ) {
    positiveInt(key, config[key]);
  }
  if (config.nEmbd % config.nHead !== 0) {
    throw new Error(
      `GPT config: nHead (${config.nHead}) must divide nEmbd (${config.nEmbd}); ` +
        `choose nEmbd as a multiple of nHead, e.g. ${
          config.nHead * Math.ceil(config.nEmbd / config.nHead)
        }.`,
    );
  }
  if (
    typeof config.dropout !== "number" ||
    !(config.dropout >= 0 && config.dropout < 1)
  ) {
    throw new Error(
      `GPT config: dropout must be a number in [0, 1), got ${String(config.dropout)}.`,
    );
  }
  if (typeof config.bias !== "boolean") {
    throw new Error(
      `GPT config: bias must be true or false, got ${String(config.bias)}.`,
    );
  }
  return config;
}

/**
 * Builds a validated config from a preset name and overrides. Presets without a vocabulary
 * (character models) need `vocabSize` in the overrides.
 *
 * @example
 * ```ts
 * import { gptConfig } from "./gpt_config.ts";
 * const config = gptConfig("baby", { vocabSize: 65 });
 * console.log(config.nLayer); // 4
 * ```
 */
export function gptConfig(
  preset: string,
  overrides: Partial<GPTConfig> = {},
): GPTConfig {
  if (!Object.hasOwn(GPT_PRESETS, preset)) {
    throw new Error(
      `Unknown GPT preset "${preset}". Use one of: ${Object.keys(GPT_PRESETS).join(", ")}.`,
    );
  }
  const known = new Set([
    "vocabSize",
    "blockSize",
    "nLayer",
    "nHead",
    "nEmbd",
    "dropout",
    "bias",
  ]);
  for (const key of Object.keys(overrides)) {
    if (!known.has(key)) {
      throw new Error(
        `GPT config: unknown field "${key}". Known fields: ${[...known].join(", ")}.`,
      );
    }
  }
  const base = GPT_PRESETS[preset as GPTPresetName];
  const merged = { ...base, ...overrides };
  if (merged.vocabSize === undefined) {
    throw new Error(
      `GPT preset "${preset}" has no vocabulary of its own: pass { vocabSize } ` +
        `(usually tokenizer.vocabSize).`,
    );
  }
  return validateGPTConfig(merged as GPTConfig);
}

/**
 * Exact number of trainable parameters (token embedding counted once: the LM head is tied).
 *
 * @example
 * ```ts
 * import { countParams, gptConfig } from "./gpt_config.ts";
 * console.log(countParams(gptConfig("gpt2"))); // 124439808
 * ```
 */
export function countParams(config: GPTConfig): number {
  validateGPTConfig(config);
  const { vocabSize: V, blockSize, nLayer, nEmbd: C, bias } = config;
  const b = bias ? 1 : 0;
  const layerNorm = C + b * C;
  const linear = (i: number, o: number) => i * o + b * o;
  const block = 2 * layerNorm + linear(C, 3 * C) + linear(C, C) +
    linear(C, 4 * C) + linear(4 * C, C);
  return V * C + blockSize * C + nLayer * block + layerNorm;
}
