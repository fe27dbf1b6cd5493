/**
 * Checkpoints in `safetensors` (weights, Hugging Face GPT-2 tensor names) plus a JSON sidecar,
 * saved crash-safely and loaded with clear errors on any mismatch; and Hugging Face GPT-2 folders
 * (`config.json` + `model.safetensors`) loaded by streaming and written back.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assignTensors, loadCheckpoint, saveCheckpoint } from "./mod.ts";
 * const dir = (await Deno.makeTempDir()) + "/run";
 * const params = new Map([["transformer.ln_f.bias", tf.variable(tf.zeros([4]))]]);
 * await saveCheckpoint(dir, { weights: params, meta: { model: { type: "demo", config: {} }, step: 1 } });
 * const ckpt = await loadCheckpoint(dir);
 * assignTensors(params, ckpt.weights);
 * ```
 *
 * @module
 */
export * from "./safetensors.ts";
export * from "./checkpoint.ts";
export * from "./gpt.ts";
export * from "./safetensors_stream.ts";
export * from "./hf_config.ts";
export * from "./hf_gpt2.ts";
export * from "./load_model.ts";
