/**
 * Hugging Face GPT-2 folders (`config.json` + `model.safetensors`, as published for `gpt2`,
 * `gpt2-medium`, `distilgpt2`, ...) into `lib`'s {@link GPT}, and our GPTs out as such folders.
 *
 * Loading streams the file: the header is checked against the config first (names, shapes,
 * dtypes, the tied LM head), so a bad file is refused before any tensor exists; then the model
 * is built with zero weights and each tensor is read from disk and copied in, one at a time.
 * Peak memory is the model plus one tensor.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { GPT } from "../models/gpt/gpt.ts";
import { writeSafetensors } from "../checkpoint/safetensors.ts";
import {
  FLOAT_DTYPES,
  readSafetensorsIndex,
  readTensorAsFloat32,
  sameTensorBytes,
  type TensorEntry,
} from "../checkpoint/safetensors_stream.ts";
import { gpt2ParamShapes, gptConfigFromHF, hfConfigFromGPT } from "./hf_config.ts";

/** File names of a Hugging Face model folder. */
export const HF_FILES = { config: "config.json", weights: "model.safetensors" } as const;

// Causal-mask buffers that older GPT-2 checkpoints saved with the weights; recomputed here.
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;
const PREFIX = "transformer.";

/**
 * Whether `dir` looks like a Hugging Face model folder (it has `config.json` and
 * `model.safetensors`) rather than one of our checkpoints.
 *
 * @example
 * ```ts
 * import { isHFModelDir } from "./hf_gpt2.ts";
 * console.log(isHFModelDir(await Deno.makeTempDir())); // false
 * ```
 */
export function isHFModelDir(dir: string): boolean {
  try {
    return Deno.statSync(`${dir}/${HF_FILES.config}`).isFile &&
      Deno.statSync(`${dir}/${HF_FILES.weights}`).isFile;
  } catch {
    return false;
  }
}

function shapeText(shape: number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Matches the file's tensors to the model's parameters, refusing (with the key and the shapes)
 * anything missing, unexpected, misshapen, of an unusable dtype, or an untied LM head.
 */
async function planLoad(
  entries: Map<string, TensorEntry>,
  shapes: Map<string, number[]>,
  path: string,
): Promise<Map<string, TensorEntry>> {
  const plan = new Map<string, TensorEntry>();
  let lmHead: TensorEntry | undefined;
  const unexpected: string[] = [];
  for (const [key, entry] of entries) {
    const bare = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
    if (BUFFER.test(bare)) continue;
    if (key === "lm_head.weight") {
      lmHead = entry;
      continue;
    }
    const name = PREFIX + bare;
    if (!shapes.has(name)) {
      unexpected.push(`${key} ${shapeText(entry.shape)}`);
      continue;
    }
    if (plan.has(name)) {
      throw new Error(
        `${path}: holds both "${bare}" and "${name}"; keep one of them (the file is ambiguous)`,
      );
    }
    plan.set(name, entry);
  }
  if (unexpected.length > 0) {
    throw new Error(
      `${path}: unexpected tensor(s) ${unexpected.slice(0, 5).join(", ")}${
        unexpected.length > 5 ? ` and ${unexpected.length - 5} more` : ""
      }; this is not a GPT-2 checkpoint for this config.json`,
    );
  }
  for (const [name, shape] of shapes) {
    const entry = plan.get(name);
    if (!entry) {
      throw new Error(
        `${path}: missing tensor "${name.slice(PREFIX.length)}" of shape ${shapeText(shape)}; ` +
          `the file is incomplete or was saved for another model`,
      );
    }
    if (entry.shape.join(",") !== shape.join(",")) {
      throw new Error(
        `${path}: tensor "${entry.name}" has shape ${shapeText(entry.shape)} but config.json ` +
          `implies ${shapeText(shape)}; the weights and config.json disagree`,
      );
    }
    if (!(FLOAT_DTYPES as readonly string[]).includes(entry.dtype)) {
      throw new Error(
        `${path}: tensor "${entry.name}" ${shapeText(entry.shape)} has dtype ${entry.dtype}; ` +
          `only ${FLOAT_DTYPES.join(", ")} weights can be loaded`,
      );
    }
  }
  if (lmHead) {
    const wte = plan.get(`${PREFIX}wte.weight`)!;
    if (lmHead.shape.join(",") !== wte.shape.join(",")) {
      throw new Error(
        `${path}: tensor "lm_head.weight" has shape ${shapeText(lmHead.shape)} but wte.weight ` +
          `is ${shapeText(wte.shape)}; the LM head must be tied to the token embedding`,
      );
    }
    using file = await Deno.open(path, { read: true });
    if (!(await sameTensorBytes(file, lmHead, wte, path))) {
      throw new Error(
        `${path}: "lm_head.weight" differs from "${wte.name}"; lib's GPT ties the LM head to ` +
          `the token embedding and cannot load an untied head`,
      );
    }
  }
  return plan;
}

/**
 * Loads a Hugging Face GPT-2 folder into a {@link GPT}: un-prefixed (as released) or
 * `transformer.`-prefixed keys, with or without the `attn.bias`/`attn.masked_bias` buffers and
 * `lm_head.weight` (which must equal `wte.weight`), in `F32`, `F16` or `BF16` (converted to
 * float32). A bad folder is refused before any tensor is allocated. The caller disposes the
 * model.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { loadHFGPT2, saveHFGPT2 } from "./hf_gpt2.ts";
 * const dir = await Deno.makeTempDir();
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * await saveHFGPT2(dir, model);
 * const back = await loadHFGPT2(dir);
 * console.log(back.numParams() === model.numParams()); // true
 * back.dispose();
 * model.dispose();
 * ```
 */
export async function loadHFGPT2(dir: string): Promise<GPT> {
  const configPath = `${dir}/${HF_FILES.config}`;
  const weightsPath = `${dir}/${HF_FILES.weights}`;
  let text: string;
  try {
    text = await Deno.readTextFile(configPath);
  } catch (e) {
    throw new Error(
      `${configPath} could not be read (${(e as Error).message}); a Hugging Face GPT-2 folder ` +
        `holds config.json and model.safetensors (see the README for how to download gpt2)`,
    );
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${configPath} is not JSON (${(e as Error).message})`);
  }
  const config = gptConfigFromHF(json, configPath);
  const index = await readSafetensorsIndex(weightsPath);
  const plan = await planLoad(index.entries, gpt2ParamShapes(config), weightsPath);
  const model = new GPT(config, { init: "zeros" });
  try {
    using file = await Deno.open(weightsPath, { read: true });
    for (const [name, entry] of plan) {
      const data = await readTensorAsFloat32(file, entry, weightsPath);
      const v = model.params.get(name)!;
      tf.tidy(() => v.assign(tf.tensor(data, entry.shape, "float32")));
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Writes a {@link GPT} as a Hugging Face GPT-2 folder (`config.json` + `model.safetensors`,
 * `transformer.`-prefixed F32 weights, LM head tied) that `GPT2LMHeadModel.from_pretrained(dir)`
 * loads. Weights are read from the backend one tensor at a time while the file is written.
 *
 * @example
 * ```ts
 * import { GPT, gptConfig } from "../models/gpt/gpt.ts";
 * import { saveHFGPT2 } from "./hf_gpt2.ts";
 * const dir = await Deno.makeTempDir();
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * await saveHFGPT2(dir, model);
 * console.log(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)).n_layer); // 2
 * model.dispose();
 * ```
 */
export async function saveHFGPT2(dir: string, model: GPT): Promise<void> {
  const config = hfConfigFromGPT(model.config);
  await Deno.mkdir(dir, { recursive: true });
  const tensors = new Map(
    [...model.params].map(([name, v]) => [name, {
      dtype: "F32" as const,
      shape: v.shape,
      data: () => v.data() as Promise<Float32Array>,
    }]),
  );
  await writeSafetensors(`${dir}/${HF_FILES.weights}`, tensors, { format: "pt" });
  await Deno.writeTextFile(`${dir}/${HF_FILES.config}`, JSON.stringify(config, null, 2) + "\n");
}
