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
export * from "./cost.ts";
export * from "./presets.ts";
export * from "./plan.ts";
export * from "./lstm.ts";
