/**
 * The safetensors header checks that the in-memory reader (`safetensors.ts`) and the streaming
 * reader (`safetensors_stream.ts`) share: one place decides what a valid header is.
 *
 * @module
 */

/** Bytes per element of every dtype the safetensors format defines. */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

// A header larger than this is a corrupt file, not a real model (HF's reader uses the same bound).
export const MAX_HEADER = 100_000_000;

/** One tensor of a checked header; offsets are relative to the start of the data section. */
export interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Checks a parsed header against `dataLength` bytes of tensor data: known dtypes, valid shapes,
 * offsets inside the data, byte counts that match the shape, no overlaps. Calls `fail` (which
 * must throw) on the first problem; returns the tensors in header order.
 */
export function checkHeader(
  json: unknown,
  dataLength: number,
  fail: (why: string) => never,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    fail("header is not a JSON object");
  }
  const header = json as Record<string, unknown>;
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    // deno-lint-ignore no-explicit-any
    const { dtype, shape, data_offsets: offs } = (info ?? {}) as any;
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) {
      fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    }
    if (
      !Array.isArray(shape) ||
      !shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)
    ) {
      fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offs) || offs.length !== 2 ||
      !offs.every((o: unknown) => Number.isInteger(o)) ||
      offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLength
    ) {
      fail(
        `tensor "${name}" [${shape}] has data_offsets ${JSON.stringify(offs)} outside the ` +
          `${dataLength} data bytes (the file is truncated or its header is wrong)`,
      );
    }
    const want = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[dtype];
    if (offs[1] - offs[0] !== want) {
      fail(
        `tensor "${name}" ${dtype} [${shape}] needs ${want} bytes but spans ${offs[1] - offs[0]}`,
      );
    }
    entries.push({ name, dtype, shape: [...shape], begin: offs[0], end: offs[1] });
  }
  const byStart = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byStart.length; i++) {
    if (byStart[i].begin < byStart[i - 1].end) {
      fail(`tensors "${byStart[i - 1].name}" and "${byStart[i].name}" overlap`);
    }
  }
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  return { entries, metadata };
}
