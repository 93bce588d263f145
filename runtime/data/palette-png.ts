// Indexed-colour ("palette") PNGs for segmentation masks: the class index is the pixel value and
// the palette gives each class its colour, so one file is both the data and a picture of it (as
// PASCAL VOC ships its masks). pngjs decodes such files to RGBA and cannot write them, so this file
// reads a PNG's header and palette chunk itself and writes indexed PNGs with node's zlib.
// The format: PNG specification (W3C, 2nd edition), sections 5 (chunks), 11.2 (IHDR, PLTE).
import { deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];

/** What the IHDR chunk says about how pixels are stored. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  readonly colourType: number;
}

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The header and palette (when there is one) of a PNG file, or undefined if it is not one. */
export function pngInfo(bytes: Uint8Array): { header: PngHeader; palette?: Rgb[] } | undefined {
  if (bytes.length < 33 || signature.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24]!, colourType: bytes[25]! };
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (type === 'PLTE' && at + 8 + length <= bytes.length) {
      const palette: Rgb[] = [];
      for (let i = 0; i + 2 < length; i += 3) palette.push([bytes[at + 8 + i]!, bytes[at + 9 + i]!, bytes[at + 10 + i]!]);
      return { header, palette };
    }
    if (type === 'IDAT' || type === 'IEND') break;
    at += 12 + length;
  }
  return { header };
}

/** An 8-bit indexed PNG of `indices` (row-major, one byte per pixel) with `palette`'s colours. */
export function encodePalettePng(indices: Uint8Array, width: number, height: number, palette: readonly Rgb[]): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 3, 0, 0, 0], 8); // bit depth 8, palette, deflate, adaptive filtering, no interlace
  const plte = new Uint8Array(3 * Math.max(1, palette.length));
  palette.forEach((c, i) => plte.set(c, 3 * i));
  // Each row starts with its filter type; 0 (none) keeps the writer simple, deflate does the rest.
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const chunks = [chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(signature, 0);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the polynomial PNG and zlib use). */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * PASCAL VOC's colour map: class k's colour spreads the bits of k over the high bits of R, G and
 * B (0 black, 1 dark red, 2 dark green, 3 olive, 4 dark blue, ...), so neighbouring classes differ.
 */
export function vocPalette(count: number): Rgb[] {
  const out: Rgb[] = [];
  for (let k = 0; k < count; k++) {
    let r = 0, g = 0, b = 0;
    let c = k;
    for (let bit = 7; bit >= 0 && c > 0; bit--) {
      r |= (c & 1) << bit;
      g |= ((c >> 1) & 1) << bit;
      b |= ((c >> 2) & 1) << bit;
      c >>= 3;
    }
    out.push([r, g, b]);
  }
  return out;
}
