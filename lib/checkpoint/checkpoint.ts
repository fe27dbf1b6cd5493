/**
 * Checkpoints: a directory holding the weights (`model.safetensors`, Hugging Face GPT-2 tensor
 * names), the optimizer's moment tensors (`optimizer.safetensors`) and a JSON sidecar
 * (`checkpoint.json`: model config, tokenizer, optimizer settings, step, RNG state, metrics).
 *
 * Saving never destroys the previous checkpoint: everything is written into `<dir>.tmp`, flushed,
 * and only then swapped in with two renames (`<dir>` -> `<dir>.old`, `<dir>.tmp` -> `<dir>`).
 * A crash before the swap leaves `<dir>` untouched; a crash between the two renames leaves the
 * previous checkpoint in `<dir>.old`, which loading and the next save recover.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type NamedTensor,
  readSafetensors,
  type SafeDtype,
  type TensorSource,
  writeSafetensors,
} from "./safetensors.ts";

/** The JSON sidecar stored next to the weights. Fields beyond these are kept as given. */
export interface CheckpointMeta {
  /** Which model class and config built these weights. */
  model: { type: string; config: Record<string, unknown> };
  /** The tokenizer's JSON form, so that ids mean the same characters/tokens after loading. */
  tokenizer?: unknown;
  /** Training steps completed when this checkpoint was written. */
  step: number;
  /** Optimizer settings and scalar state (its moment tensors live in `optimizer.safetensors`). */
  optimizer?: Record<string, unknown>;
  /** Random generator states needed to continue the same run. */
  rng?: Record<string, number>;
  /** Losses and anything else worth keeping (free-form). */
  metrics?: Record<string, unknown>;
  /** The training settings of the run (free-form). */
  train?: Record<string, unknown>;
  // deno-lint-ignore no-explicit-any
  [extra: string]: any;
}

/** What {@link saveCheckpoint} writes. */
export interface CheckpointInput {
  /** Model weights by Hugging Face GPT-2 name (tf tensors, or plain tensors). */
  weights: Map<string, tf.Tensor | TensorSource>;
  /** Optimizer moment tensors by name, if the run should be resumable. */
  optimizer?: Map<string, tf.Tensor | TensorSource>;
  /** The JSON sidecar. */
  meta: CheckpointMeta;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  /** The directory actually read (`<dir>.old` when recovering an interrupted save). */
  dir: string;
  /** The JSON sidecar. */
  meta: CheckpointMeta;
  /** Model weights by name. */
  weights: Map<string, NamedTensor>;
  /** Optimizer moments by name, when the checkpoint has them. */
  optimizer?: Map<string, NamedTensor>;
}

/**
 * File names inside a checkpoint directory.
 *
 * @example
 * ```ts
 * import { CHECKPOINT_FILES } from "./checkpoint.ts";
 * console.log(CHECKPOINT_FILES.weights); // "model.safetensors"
 * ```
 */
export const CHECKPOINT_FILES = {
  weights: "model.safetensors",
  optimizer: "optimizer.safetensors",
  meta: "checkpoint.json",
} as const;

const FORMAT = "llm-ts-checkpoint";
const VERSION = 1;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function toSource(name: string, t: tf.Tensor | TensorSource): TensorSource {
  if (!(t instanceof tf.Tensor)) return t;
  const dtypes: Record<string, SafeDtype> = { float32: "F32", int32: "I32" };
  const dtype = dtypes[t.dtype];
  if (!dtype) {
    throw new Error(
      `checkpoint: tensor "${name}" has dtype ${t.dtype}; only float32 and int32 can be saved`,
    );
  }
  // Read lazily (and asynchronously, which every backend supports) while the file is written.
  return {
    dtype,
    shape: t.shape,
    data: () => t.data() as Promise<Float32Array | Int32Array>,
  };
}

function toSources(
  m: Map<string, tf.Tensor | TensorSource>,
): Map<string, TensorSource> {
  return new Map([...m].map(([k, v]) => [k, toSource(k, v)]));
}

/**
 * If an earlier save stopped between its two renames, `<dir>` is missing and `<dir>.old` holds
 * the last good checkpoint: put it back.
 */
async function recover(dir: string): Promise<void> {
  if (
    !(await exists(dir)) &&
    (await exists(`${dir}.old/${CHECKPOINT_FILES.meta}`))
  ) {
    await Deno.rename(`${dir}.old`, dir);
  }
}

/**
 * Writes a checkpoint directory without ever leaving it half-written (see the module doc).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const dir = (await Deno.makeTempDir()) + "/ckpt";
 * const w = tf.ones([2, 3]);
 * await saveCheckpoint(dir, {
 *   weights: new Map([["transformer.wte.weight", w]]),
 *   meta: { model: { type: "demo", config: { width: 3 } }, step: 0 },
 * });
 * console.log((await loadCheckpoint(dir)).weights.get("transformer.wte.weight")?.shape); // [2, 3]
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  input: CheckpointInput,
): Promise<void> {
  if (!input.meta?.model?.config || !Number.isInteger(input.meta.step)) {
    throw new Error(
      "checkpoint: meta needs model.config and an integer step",
    );
  }
  const weights = toSources(input.weights);
  const optimizer = input.optimizer ? toSources(input.optimizer) : undefined;
  await recover(dir);
  if (
    (await exists(dir)) && !(await exists(`${dir}/${CHECKPOINT_FILES.meta}`)) &&
    [...Deno.readDirSync(dir)].length > 0
  ) {
    // The swap replaces the whole directory; never do that to something that is not ours.
    throw new Error(
      `checkpoint: ${dir} exists and is not a checkpoint directory (no ${CHECKPOINT_FILES.meta}); ` +
        `choose another output directory`,
    );
  }
  const tmp = `${dir}.tmp`;
  await Deno.remove(tmp, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(tmp, { recursive: true });
  try {
    // format "pt" lets Hugging Face's loaders accept the weights file as-is.
    await writeSafetensors(`${tmp}/${CHECKPOINT_FILES.weights}`, weights, {
      format: "pt",
    });
    if (optimizer) {
      await writeSafetensors(
        `${tmp}/${CHECKPOINT_FILES.optimizer}`,
        optimizer,
        { format: FORMAT },
      );
    }
    const meta = {
      format: FORMAT,
      version: VERSION,
      savedAt: new Date().toISOString(),
      ...input.meta,
      files: {
        weights: CHECKPOINT_FILES.weights,
        optimizer: optimizer ? CHECKPOINT_FILES.optimizer : null,
      },
    };
    const file = await Deno.open(`${tmp}/${CHECKPOINT_FILES.meta}`, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      const bytes = new TextEncoder().encode(
        JSON.stringify(meta, null, 2) + "\n",
      );
      let done = 0;
      while (done < bytes.length) {
        done += await file.write(bytes.subarray(done));
      }
      await file.sync();
    } finally {
      file.close();
    }
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  const old = `${dir}.old`;
  if (await exists(dir)) {
    await Deno.remove(old, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.rename(dir, old);
  }
  await Deno.rename(tmp, dir);
  await Deno.remove(old, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}

/**
 * Reads a checkpoint directory written by {@link saveCheckpoint} (recovering one whose save was
 * interrupted between its renames).
 *
 * @example
 * ```ts
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const dir = (await Deno.makeTempDir()) + "/ckpt";
 * await saveCheckpoint(dir, { weights: new Map(), meta: { model: { type: "demo", config: {} }, step: 7 } });
 * console.log((await loadCheckpoint(dir)).meta.step); // 7
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  let at = dir;
  if (!(await exists(`${dir}/${CHECKPOINT_FILES.meta}`))) {
    if (await exists(`${dir}.old/${CHECKPOINT_FILES.meta}`)) at = `${dir}.old`;
    else {
      throw new Error(
        `No checkpoint at ${dir} (missing ${CHECKPOINT_FILES.meta}); train one first or fix the path`,
      );
    }
  }
  const meta = JSON.parse(
    await Deno.readTextFile(`${at}/${CHECKPOINT_FILES.meta}`),
  ) as CheckpointMeta;
  if (meta.format !== FORMAT || meta.version !== VERSION) {
    throw new Error(
      `${at}/${CHECKPOINT_FILES.meta} is format ${meta.format} v${meta.version}; ` +
        `expected ${FORMAT} v${VERSION}`,
    );
  }
  const weights = (await readSafetensors(`${at}/${CHECKPOINT_FILES.weights}`))
    .tensors;
  const optimizer = meta.files?.optimizer
    ? (await readSafetensors(`${at}/${CHECKPOINT_FILES.optimizer}`)).tensors
    : undefined;
  return { dir: at, meta, weights, optimizer };
}

/**
 * Copies loaded tensors into variables of the same names, refusing (before changing anything)
 * a missing or unexpected name, or a shape or dtype that differs.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assignTensors } from "./checkpoint.ts";
 * const params = new Map([["w", tf.variable(tf.zeros([2]))]]);
 * assignTensors(params, new Map([["w", { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) }]]));
 * params.get("w")!.print(); // [1, 2]
 * ```
 */
export function assignTensors(
  params: Map<string, tf.Variable>,
  tensors: Map<string, NamedTensor>,
  source = "checkpoint",
): void {
  const missing = [...params.keys()].filter((k) => !tensors.has(k));
  if (missing.length > 0) {
    throw new Error(
      `${source} lacks tensor(s) ${missing.slice(0, 5).join(", ")}${
        missing.length > 5 ? ` and ${missing.length - 5} more` : ""
      }; ` +
        `it was saved from a different model`,
    );
  }
  const extra = [...tensors.keys()].filter((k) => !params.has(k));
  if (extra.length > 0) {
    throw new Error(
      `${source} has tensor(s) the model does not: ${extra.slice(0, 5).join(", ")}${
        extra.length > 5 ? ` and ${extra.length - 5} more` : ""
      }; ` +
        `it was saved from a different model`,
    );
  }
  for (const [name, v] of params) {
    const t = tensors.get(name)!;
    const same = t.shape.length === v.shape.length &&
      t.shape.every((d, i) => d === v.shape[i]);
    if (!same) {
      throw new Error(
        `${source}: tensor ${name} has shape [${t.shape}] but the model expects [${v.shape}]; ` +
          `the checkpoint was saved with another config`,
      );
    }
    const dtype = t.dtype === "F32" ? "float32" : "int32";
    if (dtype !== v.dtype) {
      throw new Error(
        `${source}: tensor ${name} is ${dtype} but the model expects ${v.dtype}`,
      );
    }
  }
  for (const [name, v] of params) {
    const t = tensors.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype)));
  }
}

/**
 * Refuses a checkpoint whose model config differs from `expected` in any field of `expected`,
 * naming every differing field with both values.
 *
 * @example
 * ```ts
 * import { checkConfig } from "./checkpoint.ts";
 * checkConfig({ nLayer: 4 }, { nLayer: 4, extra: 1 }); // fine
 * try { checkConfig({ nLayer: 4 }, { nLayer: 6 }); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function checkConfig(
  expected: Record<string, unknown>,
  saved: Record<string, unknown>,
  source = "checkpoint",
): void {
  const diffs = Object.keys(expected).filter((k) =>
    JSON.stringify(expected[k]) !== JSON.stringify(saved[k])
  ).map((k) =>
    `${k}: checkpoint ${JSON.stringify(saved[k])}, requested ${JSON.stringify(expected[k])}`
  );
  if (diffs.length > 0) {
    throw new Error(
      `${source} was saved with a different model config (${diffs.join("; ")}); ` +
        `use the checkpoint's config or a different output directory`,
    );
  }
}

/**
 * Refuses a checkpoint whose tokenizer (vocabulary) differs from the one in use: the same ids
 * would mean different text.
 *
 * @example
 * ```ts
 * import { checkTokenizer } from "./checkpoint.ts";
 * checkTokenizer({ chars: "ab" }, { chars: "ab" }); // fine
 * try { checkTokenizer({ chars: "ab" }, { chars: "abc" }); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function checkTokenizer(
  expected: unknown,
  saved: unknown,
  source = "checkpoint",
): void {
  if (JSON.stringify(expected) !== JSON.stringify(saved)) {
    const size = (t: unknown) => {
      // deno-lint-ignore no-explicit-any
      const o = t as any;
      return o?.vocabSize ?? o?.chars?.length ?? o?.vocab?.length ?? "?";
    };
    throw new Error(
      `${source} was saved with a different vocabulary (checkpoint ${size(saved)} tokens, current ${
        size(expected)
      } tokens); ` +
        `train on the same corpus and tokenizer, or start a new run in another directory`,
    );
  }
}
