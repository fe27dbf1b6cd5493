/**
 * Reading a safetensors file one tensor at a time. {@link readSafetensors} reads the whole file
 * into memory, which is fine for our small checkpoints but would double the memory of a 500 MB
 * GPT-2: here only the JSON header is read up front ({@link readSafetensorsIndex}), and each
 * tensor's bytes are read from disk when asked for ({@link readTensorAsFloat32}), converting the
 * half-precision dtypes Hugging Face also publishes (`F16`, `BF16`) to float32.
 *
 * @module
 */

import { checkHeader, DTYPE_BYTES, MAX_HEADER } from "./_header.ts";

/** The dtypes {@link readTensorAsFloat32} converts. */
export const FLOAT_DTYPES = ["F32", "F16", "BF16"] as const;

/** Where one tensor lies in a safetensors file. */
export interface TensorEntry {
  /** The tensor's name in the file. */
  name: string;
  /** The dtype as the file spells it (`F32`, `F16`, `BF16`, `I64`, ...). */
  dtype: string;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Absolute byte offset of the first byte in the file. */
  begin: number;
  /** Absolute byte offset one past the last byte. */
  end: number;
}

/** The parsed header of a safetensors file: what is where, without any tensor data. */
export interface SafetensorsIndex {
  /** The file the offsets refer to. */
  path: string;
  /** Size of the file in bytes. */
  size: number;
  /** Tensors by name, in header order. */
  entries: Map<string, TensorEntry>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

async function readExactly(
  file: Deno.FsFile,
  at: number,
  into: Uint8Array,
  source: string,
): Promise<void> {
  await file.seek(at, Deno.SeekMode.Start);
  let done = 0;
  while (done < into.length) {
    const n = await file.read(into.subarray(done));
    if (n === null) {
      throw new Error(
        `${source} ended after ${at + done} bytes while reading ${into.length} bytes at ${at}; ` +
          `the file is truncated (download it again)`,
      );
    }
    done += n;
  }
}

/**
 * Reads and validates the header of a safetensors file: every tensor needs a known dtype, a
 * shape of non-negative integers, and a byte range that matches its shape, lies inside the file
 * and overlaps no other tensor. No tensor data is read.
 *
 * @example
 * ```ts
 * import { writeSafetensors } from "./safetensors.ts";
 * import { readSafetensorsIndex } from "./safetensors_stream.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeSafetensors(path, new Map([["w", { dtype: "F32", shape: [2, 3], data: new Float32Array(6) }]]));
 * const index = await readSafetensorsIndex(path);
 * console.log(index.entries.get("w")?.shape); // [2, 3]
 * ```
 */
export async function readSafetensorsIndex(path: string): Promise<SafetensorsIndex> {
  const fail = (why: string): never => {
    throw new Error(`${path} is not a valid safetensors file: ${why}`);
  };
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    if (size < 8) fail(`only ${size} bytes, less than the 8-byte header length`);
    const prefix = new Uint8Array(8);
    await readExactly(file, 0, prefix, path);
    const n = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (n > MAX_HEADER || 8 + n > size) {
      fail(
        `header length ${n} does not fit in the file's ${size} bytes (truncated or not safetensors)`,
      );
    }
    const headerBytes = new Uint8Array(n);
    await readExactly(file, 8, headerBytes, path);
    // deno-lint-ignore no-explicit-any
    let json: any;
    try {
      json = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (e) {
      fail(`header is not JSON (${(e as Error).message})`);
    }
    const dataStart = 8 + n;
    const checked = checkHeader(json, size - dataStart, fail);
    const entries = new Map<string, TensorEntry>(
      checked.entries.map((e) => [
        e.name,
        { ...e, begin: dataStart + e.begin, end: dataStart + e.end },
      ]),
    );
    return { path, size, entries, metadata: checked.metadata };
  } finally {
    file.close();
  }
}

// IEEE half -> float32: rebuild the bits (sign, exponent rebiased 15 -> 127, mantissa shifted).
function halfToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0) {
      // Zero or subnormal: value is man * 2^-24, exact in float32.
      out[i] = (sign ? -1 : 1) * man * 2 ** -24;
    } else if (exp === 0x1f) {
      bits[i] = sign | 0x7f800000 | (man << 13); // Inf or NaN
    } else {
      bits[i] = sign | ((exp + 112) << 23) | (man << 13);
    }
  }
  return out;
}

// bfloat16 is the top half of a float32, so widening is a shift.
function bf16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Reads one tensor's values from an open file as float32, converting `F16` and `BF16`. Any other
 * dtype is refused by name. Holds one copy of the tensor (two, briefly, for the half dtypes).
 *
 * @example
 * ```ts
 * import { writeSafetensors } from "./safetensors.ts";
 * import { readSafetensorsIndex, readTensorAsFloat32 } from "./safetensors_stream.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeSafetensors(path, new Map([["b", { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) }]]));
 * const index = await readSafetensorsIndex(path);
 * using file = await Deno.open(path);
 * console.log(await readTensorAsFloat32(file, index.entries.get("b")!, path)); // Float32Array [1, 2]
 * ```
 */
export async function readTensorAsFloat32(
  file: Deno.FsFile,
  entry: TensorEntry,
  source = "safetensors file",
): Promise<Float32Array> {
  if (!(FLOAT_DTYPES as readonly string[]).includes(entry.dtype)) {
    throw new Error(
      `${source}: tensor "${entry.name}" [${entry.shape}] has dtype ${entry.dtype}; ` +
        `only ${FLOAT_DTYPES.join(", ")} weights can be loaded (convert the file to float32)`,
    );
  }
  const bytes = new Uint8Array(entry.end - entry.begin);
  await readExactly(file, entry.begin, bytes, source);
  const width = DTYPE_BYTES[entry.dtype];
  if (!LITTLE_ENDIAN) {
    // The file is little-endian; swap each element's bytes in place on a big-endian host.
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  }
  if (entry.dtype === "F32") return new Float32Array(bytes.buffer);
  const halves = new Uint16Array(bytes.buffer);
  return entry.dtype === "F16" ? halfToFloat32(halves) : bf16ToFloat32(halves);
}

/**
 * Whether two tensors of a file hold exactly the same bytes, compared in 1 MiB chunks so that
 * no whole copy of either is made (used to check that a stored LM head is the tied embedding).
 *
 * @example
 * ```ts
 * import { writeSafetensors } from "./safetensors.ts";
 * import { readSafetensorsIndex, sameTensorBytes } from "./safetensors_stream.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * const w = new Float32Array([1, 2]);
 * await writeSafetensors(path, new Map([["a", { dtype: "F32", shape: [2], data: w }], ["b", { dtype: "F32", shape: [2], data: w }]]));
 * const { entries } = await readSafetensorsIndex(path);
 * using file = await Deno.open(path);
 * console.log(await sameTensorBytes(file, entries.get("a")!, entries.get("b")!)); // true
 * ```
 */
export async function sameTensorBytes(
  file: Deno.FsFile,
  a: TensorEntry,
  b: TensorEntry,
  source = "safetensors file",
): Promise<boolean> {
  if (a.dtype !== b.dtype || a.end - a.begin !== b.end - b.begin) return false;
  const chunk = 1 << 20;
  const x = new Uint8Array(chunk), y = new Uint8Array(chunk);
  for (let at = 0; at < a.end - a.begin; at += chunk) {
    const n = Math.min(chunk, a.end - a.begin - at);
    await readExactly(file, a.begin + at, x.subarray(0, n), source);
    await readExactly(file, b.begin + at, y.subarray(0, n), source);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}
