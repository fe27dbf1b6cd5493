/**
 * Which pieces a {@link StagedLM} has switched on, checked, and the ladder of stages that grows a
 * bigram table into a transformer one piece at a time (the order of Karpathy's "Let's build GPT"
 * lecture, which the notes' model comes from).
 *
 * @module
 */

/** Sizes and switches of a {@link StagedLM}. */
export interface StagedLMConfig {
  /** Tokens in the vocabulary, V. */
  vocabSize: number;
  /** Longest context, T (rows of the position table). */
  blockSize: number;
  /** Width of embeddings and of the residual stream, C (unused by the bigram table). */
  nEmbd: number;
  /**
   * Heads per attention layer (each C/nHead wide). 0 makes the bigram model: a (V, V) table of
   * next-token logits and nothing else (then `nLayer` must be 0 and every switch off).
   */
  nHead: number;
  /** Attention layers (blocks) stacked; at least 1 unless `nHead` is 0. */
  nLayer: number;
  /** A ReLU MLP, C -> 4C -> C, after the attention of each block. */
  feedForward: boolean;
  /** Residual connections around attention and MLP, each with its output projection. */
  residual: boolean;
  /** Pre-LayerNorm before attention and MLP, and a final LayerNorm before the LM head. */
  layerNorm: boolean;
  /**
   * Hide later positions from each query (default true). `false` lets every position see the
   * whole window, as the notes' `Head` (which has no mask) does: a language model trained so
   * reads its answers from the next position.
   */
  causal?: boolean;
}

/** The switches of a stage: everything in {@link StagedLMConfig} but the sizes. */
export type StagePieces = Pick<
  StagedLMConfig,
  "nHead" | "nLayer" | "feedForward" | "residual" | "layerNorm"
>;

/** One rung of {@link lmStages}. */
export interface LMStage {
  /** Short name, e.g. "multi-head". */
  name: string;
  /** What this stage adds to the one before it. */
  adds: string;
  /** The full config of the stage. */
  config: StagedLMConfig;
}

/**
 * Checks `c` and throws a message naming the bad field and a fix; returns `c`.
 *
 * @example
 * ```ts
 * import { validateStagedLMConfig } from "./staged_lm_config.ts";
 * const c = { vocabSize: 65, blockSize: 16, nEmbd: 32, nHead: 2, nLayer: 1,
 *   feedForward: false, residual: false, layerNorm: false };
 * validateStagedLMConfig(c); // fine
 * try { validateStagedLMConfig({ ...c, nHead: 3 }); } catch (e) { console.log(String(e)); }
 * ```
 */
export function validateStagedLMConfig(c: StagedLMConfig): StagedLMConfig {
  for (const k of ["vocabSize", "blockSize", "nEmbd"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) {
      throw new Error(`StagedLM: ${k} must be a positive integer, got ${c[k]}.`);
    }
  }
  for (const k of ["nHead", "nLayer"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) {
      throw new Error(`StagedLM: ${k} must be an integer >= 0, got ${c[k]}.`);
    }
  }
  if (c.nHead === 0) {
    const on = (["feedForward", "residual", "layerNorm"] as const).filter((k) => c[k]);
    if (c.nLayer !== 0 || on.length > 0) {
      throw new Error(
        `StagedLM: nHead 0 is the bigram table, which has no layers; set nLayer 0 and switch off ` +
          `${
            on.length ? on.join(", ") : "the blocks"
          }, or set nHead >= 1 (got nLayer ${c.nLayer}).`,
      );
    }
    return c;
  }
  if (c.nLayer < 1) {
    throw new Error(
      `StagedLM: attention needs at least one layer, got nLayer ${c.nLayer}; use nHead 0 for ` +
        `the bigram table.`,
    );
  }
  if (c.causal !== undefined && typeof c.causal !== "boolean") {
    throw new Error(`StagedLM: causal must be true or false, got ${c.causal}.`);
  }
  if (c.nEmbd % c.nHead !== 0) {
    throw new Error(
      `StagedLM: nHead (${c.nHead}) must divide nEmbd (${c.nEmbd}); each head is nEmbd/nHead wide.`,
    );
  }
  return c;
}

/**
 * The ladder from a bigram table to a transformer, each stage adding one piece to the one before:
 * bigram -> one head -> multi-head -> feed-forward -> `nLayer` blocks -> residual + LayerNorm.
 * The single head is `nEmbd` wide (as the notes' `Head`); multi-head cuts the same width into
 * `nHead` heads, so the two have the same weights and differ only in how they are split.
 *
 * @example
 * ```ts
 * import { lmStages } from "./staged_lm_config.ts";
 * const stages = lmStages({ vocabSize: 65, blockSize: 16, nEmbd: 32, nHead: 2, nLayer: 2 });
 * console.log(stages.map((s) => s.name)); // ["bigram", "one head", ..., "residual + LayerNorm"]
 * ```
 */
export function lmStages(
  sizes: Pick<StagedLMConfig, "vocabSize" | "blockSize" | "nEmbd" | "nHead" | "nLayer">,
): LMStage[] {
  const { nHead, nLayer } = sizes;
  if (!Number.isInteger(nHead) || nHead < 2 || !Number.isInteger(nLayer) || nLayer < 2) {
    throw new Error(
      `lmStages: the ladder needs nHead >= 2 and nLayer >= 2 so that multi-head and stacking ` +
        `each add something, got nHead ${nHead}, nLayer ${nLayer}.`,
    );
  }
  const off = { feedForward: false, residual: false, layerNorm: false };
  const rungs: [string, string, StagePieces][] = [
    ["bigram", "a (V, V) table: next-token logits from the current token alone", {
      nHead: 0,
      nLayer: 0,
      ...off,
    }],
    ["one head", "token + position embeddings, one causal head of width C, an LM head", {
      nHead: 1,
      nLayer: 1,
      ...off,
    }],
    ["multi-head", `the same width cut into ${nHead} heads of C/${nHead}`, {
      nHead,
      nLayer: 1,
      ...off,
    }],
    ["feed-forward", "a ReLU MLP (C -> 4C -> C) after the attention", {
      nHead,
      nLayer: 1,
      ...off,
      feedForward: true,
    }],
    [`${nLayer} blocks`, `${nLayer} attention + MLP blocks stacked, nothing else`, {
      nHead,
      nLayer,
      ...off,
      feedForward: true,
    }],
    ["residual + LayerNorm", "residual connections with output projections, pre-LayerNorm", {
      nHead,
      nLayer,
      feedForward: true,
      residual: true,
      layerNorm: true,
    }],
  ];
  return rungs.map(([name, adds, pieces]) => ({
    name,
    adds,
    config: validateStagedLMConfig({ ...sizes, ...pieces }),
  }));
}
