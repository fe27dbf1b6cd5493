/**
 * The `safetensors` file format, written and read by hand: an 8-byte little-endian header length
 * N, N bytes of JSON describing every tensor (dtype, shape, byte range), then the raw
 * little-endian bytes of all tensors back to back. PyTorch, Hugging Face and this project can
 * all read the same file, and reading never executes anything (unlike a pickle).
 *
 * Only the two dtypes this project stores are supported: `F32` and `I32`.
 *
 * @module
 */
import { checkHeader as checkHeaderJSON, MAX_HEADER } from "./_header.ts";

/** A safetensors dtype this module reads and writes. */
export type SafeDtype = "F32" | "I32";

/** One named tensor as plain data, independent of any tensor library. */
export interface NamedTensor {
  /** `F32` or `I32`. */
  dtype: SafeDtype;
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
  /** Row-major values; its length is the product of `shape`. */
  data: Float32Array | Int32Array;
}

/**
 * A tensor to write: like {@link NamedTensor}, but `data` may be a function called just before
 * the tensor's bytes are written, so that a large model is read from device memory one tensor at
 * a time instead of all at once.
 */
export interface TensorSource {
  /** `F32` or `I32`. */
  dtype: SafeDtype;
  /** Dimensions, outermost first. */
  shape: number[];
  /** The values, or a (possibly async) function returning them. */
  data:
    | Float32Array
    | Int32Array
    | (() => Float32Array | Int32Array | Promise<Float32Array | Int32Array>);
}

/** What {@link readSafetensors} returns. */
export interface SafetensorsFile {
  /** Tensors by name, in file order. */
  tensors: Map<string, NamedTensor>;
  /** The free-form string map stored under `__metadata__` (empty when absent). */
  metadata: Record<string, string>;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, I32: 4 };

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkHeader(name: string, t: TensorSource): void {
  if (t.dtype !== "F32" && t.dtype !== "I32") {
    throw new Error(
      `safetensors: tensor "${name}" has dtype ${t.dtype}; only F32 and I32 are supported`,
    );
  }
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(
      `safetensors: tensor "${name}" has an invalid shape [${t.shape}]`,
    );
  }
}

function checkData(
  name: string,
  t: TensorSource,
  data: Float32Array | Int32Array,
): void {
  const wantArray = t.dtype === "F32" ? Float32Array : Int32Array;
  if (!(data instanceof wantArray)) {
    throw new Error(
      `safetensors: tensor "${name}" is ${t.dtype} but its data is a ${data.constructor.name}`,
    );
  }
  if (data.length !== count(t.shape)) {
    throw new Error(
      `safetensors: tensor "${name}" has shape [${t.shape}] (${
        count(t.shape)
      } values) but ${data.length} values`,
    );
  }
}

// Typed arrays use the platform's byte order; safetensors is little-endian on every platform.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function leBytes(data: Float32Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i], true);
    else view.setInt32(i * 4, data[i], true);
  }
  return out;
}

/**
 * Builds the header bytes (length prefix + JSON, space-padded to a multiple of 8 so that every
 * tensor's data starts aligned) and the order in which tensor data must follow.
 */
function encodeHeader(
  tensors: Map<string, TensorSource>,
  metadata: Record<string, string>,
): { header: Uint8Array; names: string[] } {
  const names = [...tensors.keys()].sort();
  // deno-lint-ignore no-explicit-any
  const json: Record<string, any> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") {
        throw new Error(
          `safetensors: metadata "${k}" must be a string, got ${typeof v}`,
        );
      }
    }
    json.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") {
      throw new Error(`safetensors: "__metadata__" is not a valid tensor name`);
    }
    const t = tensors.get(name)!;
    checkHeader(name, t);
    const size = count(t.shape) * BYTES[t.dtype];
    json[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let text = JSON.stringify(json);
  const utf8 = new TextEncoder();
  const pad = (8 - ((8 + utf8.encode(text).length) % 8)) % 8;
  text += " ".repeat(pad);
  const body = utf8.encode(text);
  const header = new Uint8Array(8 + body.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(body.length), true);
  header.set(body, 8);
  return { header, names };
}

/**
 * Serialises tensors into one safetensors byte buffer.
 *
 * @example
 * ```ts
 * import { encodeSafetensors, decodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors(
 *   new Map([["w", { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) }]]),
 * );
 * console.log(decodeSafetensors(bytes).tensors.get("w")?.data); // Float32Array [1, 2]
 * ```
 */
export function encodeSafetensors(
  tensors: Map<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const { header, names } = encodeHeader(tensors, metadata);
  let total = header.length;
  for (const n of names) {
    const t = tensors.get(n)!;
    checkData(n, t, t.data);
    total += t.data.byteLength;
  }
  const out = new Uint8Array(total);
  out.set(header, 0);
  let at = header.length;
  for (const n of names) {
    const bytes = leBytes(tensors.get(n)!.data);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * Writes tensors to `path` as safetensors, one tensor at a time so that a large model is never
 * copied into one big buffer. A tensor's `data` may be a function, called just before its bytes
 * are written (see {@link TensorSource}).
 *
 * The file is written in place; {@link saveCheckpoint} in `checkpoint.ts` adds the
 * write-to-temporary-then-rename safety on top.
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeSafetensors(path, new Map([["ids", { dtype: "I32", shape: [3], data: new Int32Array([1, 2, 3]) }]]));
 * console.log((await readSafetensors(path)).tensors.get("ids")?.shape); // [3]
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, TensorSource>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const { header, names } = encodeHeader(tensors, metadata);
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    await writeAll(file, header);
    for (const n of names) {
      const t = tensors.get(n)!;
      const data = typeof t.data === "function" ? await t.data() : t.data;
      checkData(n, t, data);
      await writeAll(file, leBytes(data));
    }
    // Flush to disk before anyone renames this file over a good one.
    await file.sync();
  } finally {
    file.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/**
 * Parses safetensors bytes, validating the header against the data: every tensor's byte range
 * must lie inside the file, match its shape and dtype, and not overlap another.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors(new Map(), { step: "10" });
 * console.log(decodeSafetensors(bytes).metadata.step); // "10"
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "safetensors data",
): SafetensorsFile {
  function fail(why: string): never {
    throw new Error(`${source} is not a valid safetensors file: ${why}`);
  }
  if (bytes.length < 8) fail(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) {
    fail(`header length ${n} does not fit in ${bytes.length} bytes`);
  }
  // deno-lint-ignore no-explicit-any
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + n;
  // This reader keeps tensors as F32/I32 arrays; other dtypes go through safetensors_stream.ts.
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    for (const [name, info] of Object.entries(json)) {
      const dtype = name === "__metadata__" ? "F32" : info?.dtype;
      if (dtype !== "F32" && dtype !== "I32") {
        fail(`tensor "${name}" has dtype ${dtype}; only F32 and I32 are supported`);
      }
    }
  }
  const { entries, metadata } = checkHeaderJSON(json, bytes.length - dataStart, fail);
  const tensors = new Map<string, NamedTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    // Copy out: the view into `bytes` may be unaligned, and callers may keep the tensor longer
    // than the file buffer.
    const raw = bytes.slice(dataStart + begin, dataStart + end);
    let data: Float32Array | Int32Array = dtype === "F32"
      ? new Float32Array(raw.buffer)
      : new Int32Array(raw.buffer);
    if (!LITTLE_ENDIAN) {
      const dv = new DataView(raw.buffer);
      const length = (end - begin) / 4;
      data = dtype === "F32"
        ? Float32Array.from({ length }, (_, i) => dv.getFloat32(i * 4, true))
        : Int32Array.from({ length }, (_, i) => dv.getInt32(i * 4, true));
    }
    tensors.set(name, { dtype: dtype as SafeDtype, shape, data });
  }
  return { tensors, metadata };
}

/**
 * Reads and validates a safetensors file.
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeSafetensors(path, new Map([["b", { dtype: "F32", shape: [], data: new Float32Array([0.5]) }]]));
 * const { tensors } = await readSafetensors(path);
 * console.log(tensors.get("b")?.data[0]); // 0.5
 * ```
 */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await Deno.readFile(path), path);
}
