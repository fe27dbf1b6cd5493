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
export {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  readSafetensors,
  type SafeDtype,
  type SafetensorsFile,
  type TensorSource,
  writeSafetensors,
} from "./safetensors.ts";
export {
  assignTensors,
  checkConfig,
  CHECKPOINT_FILES,
  type CheckpointInput,
  type CheckpointMeta,
  checkTokenizer,
  loadCheckpoint,
  type LoadedCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
export { type LoadedGPT, loadGPTCheckpoint, saveGPTCheckpoint } from "./gpt.ts";
export {
  readSafetensorsIndex,
  readTensorAsFloat32,
  type SafetensorsIndex,
  type TensorEntry,
} from "./safetensors_stream.ts";
export { GPT2_VOCAB_SIZE, gpt2ParamShapes, gptConfigFromHF, hfConfigFromGPT } from "./hf_config.ts";
export { HF_FILES, isHFModelDir, loadHFGPT2, saveHFGPT2 } from "./hf_gpt2.ts";
export { type LoadedModel, loadModelDir } from "./load_model.ts";
