/**
 * A minimal PNG writer (RGB, stored deflate blocks), so that large heatmaps in the SVG fallback
 * are one small image instead of thousands of `<rect>` elements.
 *
 * @module
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typed = new TextEncoder().encode(type);
  out.set(typed, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function zlibStored(raw: Uint8Array): Uint8Array {
  // zlib header, then deflate "stored" blocks of at most 65535 bytes, then Adler-32.
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out[0] = 0x78, out[1] = 0x01;
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535, len = Math.min(65535, raw.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = len & 0xff, out[o++] = len >>> 8;
    out[o++] = ~len & 0xff, out[o++] = (~len >>> 8) & 0xff;
    out.set(raw.subarray(start, start + len), o);
    o += len;
  }
  let a = 1, s = 0;
  for (const x of raw) a = (a + x) % 65521, s = (s + a) % 65521;
  new DataView(out.buffer).setUint32(o, ((s << 16) | a) >>> 0);
  return out;
}

/**
 * Encodes an RGB image (`rgb.length === 3 * width * height`, row-major) as PNG bytes.
 *
 * @example
 * ```ts
 * import { encodePng } from "./png.ts";
 * const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 0, 0, 255])); // red, blue
 * console.log(png[1] === 0x50); // "P" of the PNG signature
 * ```
 */
export function encodePng(
  width: number,
  height: number,
  rgb: Uint8Array,
): Uint8Array {
  if (rgb.length !== 3 * width * height) {
    throw new Error(
      `encodePng: expected ${3 * width * height} bytes for ${width}x${height}, got ${rgb.length}`,
    );
  }
  const raw = new Uint8Array((3 * width + 1) * height); // filter byte 0 before each row
  for (let y = 0; y < height; y++) {
    raw.set(
      rgb.subarray(3 * width * y, 3 * width * (y + 1)),
      y * (3 * width + 1) + 1,
    );
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width), v.setUint32(4, height);
  ihdr[8] = 8, ihdr[9] = 2; // 8-bit RGB
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlibStored(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), o += p.length;
  return out;
}

/**
 * Base64 of bytes (for `data:` URLs).
 *
 * @example
 * ```ts
 * import { toBase64 } from "./png.ts";
 * console.log(toBase64(new Uint8Array([104, 105]))); // "aGk="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
