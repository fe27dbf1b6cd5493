/**
 * The checkpoint file format and nothing else: `safetensors` files (read whole or streamed one
 * tensor at a time) plus a JSON sidecar, saved crash-safely and loaded with clear errors on any
 * mismatch. It knows no model: joining a format to a model (a GPT with its tokenizer, a masked
 * LM, a Hugging Face GPT-2 folder) is `lib/pretrained`'s work, which sits above both.
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
export {
  readSafetensorsIndex,
  readTensorAsFloat32,
  type SafetensorsIndex,
  type TensorEntry,
} from "./safetensors_stream.ts";
