// Image files to pixels: PNG (pngjs) and JPEG (jpeg-js) decoding by content, not by extension,
// and an antialiased resize to the model's input size. Pixels stay 8-bit HWC until batching.
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

/** Decoded pixels: `channels` interleaved 8-bit values per pixel, row-major (HWC). */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

export type DecodeResult = { ok: true; pixels: Pixels } | { ok: false; reason: string };

export const imageExtensions = ['.png', '.jpg', '.jpeg'] as const;

/** Limits a hostile or mistaken file cannot get past (a 100-megapixel PNG is not a training image). */
const maxMegapixels = 64;

export function decodeImage(bytes: Uint8Array): DecodeResult {
  const kind = sniff(bytes);
  if (!kind) return { ok: false, reason: 'not a PNG or JPEG file' };
  try {
    if (kind === 'png') {
      // The size sits in the header (IHDR): check it before pngjs allocates the whole image.
      if (bytes.length >= 24) {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        if (view.getUint32(16) * view.getUint32(20) > maxMegapixels * 1e6) return { ok: false, reason: `larger than ${maxMegapixels} megapixels` };
      }
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (png.width * png.height > maxMegapixels * 1e6) return { ok: false, reason: `larger than ${maxMegapixels} megapixels` };
      return { ok: true, pixels: { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data) } };
    }
    // Strict decoding: a truncated JPEG is reported as corrupt rather than silently half grey.
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: maxMegapixels,
      maxMemoryUsageInMB: 1024,
    });
    return { ok: true, pixels: { width: img.width, height: img.height, channels: 4, data: img.data } };
  } catch (e) {
    return { ok: false, reason: `corrupt ${kind.toUpperCase()}: ${(e as Error).message}` };
  }
}

function sniff(b: Uint8Array): 'png' | 'jpeg' | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * RGBA → the model's channel count: 3 keeps RGB (alpha dropped, as PIL's convert('RGB') does),
 * 1 is luma with the ITU-R 601 weights 0.299, 0.587, 0.114.
 */
export function toChannels(p: Pixels, channels: 1 | 3): Pixels {
  const n = p.width * p.height;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const r = p.data[i * p.channels]!;
    const g = p.data[i * p.channels + 1]!;
    const b = p.data[i * p.channels + 2]!;
    if (channels === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else out.set([r, g, b], i * 3);
  }
  return { width: p.width, height: p.height, channels, data: out };
}

/**
 * Resizes with a triangle (bilinear) filter whose support widens when shrinking, so that a large
 * photo averages over its pixels instead of aliasing (PIL's antialiased bilinear). Half-pixel centres.
 */
export function resize(p: Pixels, width: number, height: number): Pixels {
  if (p.width === width && p.height === height) return p;
  const horizontal = resample(p.data, p.width, p.height, p.channels, width, 'x');
  const vertical = resample(horizontal, width, p.height, p.channels, height, 'y');
  const out = new Uint8Array(vertical.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(vertical[i]!)));
  return { width, height, channels: p.channels, data: out };
}

function resample(src: ArrayLike<number>, w: number, h: number, c: number, size: number, axis: 'x' | 'y'): Float32Array {
  const inSize = axis === 'x' ? w : h;
  const scale = inSize / size;
  const support = Math.max(1, scale);
  const outW = axis === 'x' ? size : w;
  const outH = axis === 'x' ? h : size;
  const out = new Float32Array(outW * outH * c);
  for (let o = 0; o < size; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - support));
    const hi = Math.min(inSize - 1, Math.floor(centre + support));
    const taps: [number, number][] = [];
    let total = 0;
    for (let i = lo; i <= hi; i++) {
      const weight = Math.max(0, 1 - Math.abs(i - centre) / support);
      if (weight > 0) taps.push([i, weight]);
      total += weight;
    }
    if (total === 0) {
      taps.push([Math.min(inSize - 1, Math.max(0, Math.round(centre))), 1]);
      total = 1;
    }
    const lines = axis === 'x' ? h : w;
    for (let line = 0; line < lines; line++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (const [i, weight] of taps) acc += weight * src[(axis === 'x' ? line * w + i : i * w + line) * c + ch]!;
        out[(axis === 'x' ? line * outW + o : o * outW + line) * c + ch] = acc / total;
      }
    }
  }
  return out;
}

/** Decodes and converts one file's bytes to exactly [height, width, channels] 8-bit pixels. */
export function loadPixels(bytes: Uint8Array, shape: { height: number; width: number; channels: 1 | 3 }): DecodeResult {
  const decoded = decodeImage(bytes);
  if (!decoded.ok) return decoded;
  if (decoded.pixels.width === 0 || decoded.pixels.height === 0) return { ok: false, reason: 'the image is empty (0 pixels)' };
  return { ok: true, pixels: resize(toChannels(decoded.pixels, shape.channels), shape.width, shape.height) };
}
