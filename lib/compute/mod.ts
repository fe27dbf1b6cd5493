/**
 * A back-of-the-envelope calculator for pretraining a GPT: parameters, training memory
 * (weights, gradients, AdamW state, activations), FLOPs per token and time per epoch on a device.
 *
 * @example
 * ```ts
 * import { DEVICES, modelPresets, planRun } from "./mod.ts";
 * for (const m of modelPresets()) {
 *   const p = planRun(m.config, DEVICES.rtx2080, { tokens: 1e9 });
 *   console.log(m.name, p.params, p.fits, (p.seconds / 3600).toFixed(1), "h per 1B tokens");
 * }
 * ```
 *
 * @module
 */
export {
  activationElementsPerToken,
  type FlopsPerToken,
  flopsPerToken,
  matmulParams,
  maxBatchSize,
  type MemoryBreakdown,
  type Precision,
  type RunShape,
  tokensPerSecond,
  trainingMemory,
  trainingSeconds,
} from "./cost.ts";
export { type Device, DEVICES, type ModelPreset, modelPresets } from "./presets.ts";
export { type PlanOptions, planRun, type RunPlan } from "./plan.ts";
export {
  lstmLayerParams,
  type Seq2SeqLSTMParams,
  seq2seqLSTMParams,
  type Seq2SeqLSTMShape,
} from "./lstm.ts";
