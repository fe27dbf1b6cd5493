/**
 * A compact PNG encoder for rendered figures: an 8-bit palette of the image's colours (the 256
 * most frequent; rarer anti-aliasing shades map to the nearest kept one) compressed with zlib
 * at its best level. Figures use few colours, so this is 2-4x smaller than the RGBA PNG the
 * rasteriser writes, which keeps committed notebooks small.
 *
 * @module
 */
import { deflateSync } from "node:zlib";

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
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes opaque RGBA pixels (alpha ignored) as an 8-bit palette PNG.
 *
 * @example
 * ```ts
 * import { encodePalettePng } from "./png_encode.ts";
 * const png = encodePalettePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]));
 * console.log(png[1] === 0x50); // "P" of the PNG signature
 * ```
 */
export function encodePalettePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (rgba.length !== 4 * width * height) {
    throw new Error(
      `encodePalettePng: expected ${4 * width * height} bytes for ${width}x${height}, ` +
        `got ${rgba.length}`,
    );
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const k = (rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const kept = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 256).map(([k]) => k);
  const index = new Map<number, number>(kept.map((k, i) => [k, i]));
  const nearest = (k: number) => {
    let best = 0, bestD = Infinity;
    kept.forEach((c, i) => {
      const d = ((c >> 16) - (k >> 16)) ** 2 + (((c >> 8) & 255) - ((k >> 8) & 255)) ** 2 +
        ((c & 255) - (k & 255)) ** 2;
      if (d < bestD) best = i, bestD = d;
    });
    index.set(k, best);
    return best;
  };
  const raw = new Uint8Array((width + 1) * height); // filter byte 0 before each row
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const k = (rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2];
      raw[y * (width + 1) + 1 + x] = index.get(k) ?? nearest(k);
    }
  }
  const plte = new Uint8Array(3 * kept.length);
  kept.forEach((k, i) => plte.set([k >> 16, (k >> 8) & 255, k & 255], 3 * i));
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width), v.setUint32(4, height);
  ihdr[8] = 8, ihdr[9] = 3; // 8-bit palette
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("PLTE", plte),
    chunk("IDAT", new Uint8Array(deflateSync(raw, { level: 9 }))),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), o += p.length;
  return out;
}
