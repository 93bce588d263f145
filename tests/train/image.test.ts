// Decoding PNG and JPEG by content, channel conversion and the antialiased resize.
import { describe, expect, it } from 'vitest';
import { decodeImage, loadPixels, resize, toChannels } from '../../runtime/data/image.js';
import { jpegBytes, pngBytes, solid } from './fixtures.js';

describe('decodeImage', () => {
  it('decodes PNG and JPEG to RGBA whatever the file is called', () => {
    const png = decodeImage(pngBytes(5, 3, solid(10, 200, 30)));
    expect(png.ok && [png.pixels.width, png.pixels.height, png.pixels.channels]).toEqual([5, 3, 4]);
    expect(png.ok && [...png.pixels.data.slice(0, 4)]).toEqual([10, 200, 30, 255]);
    const jpg = decodeImage(jpegBytes(8, 8, solid(200, 100, 50)));
    expect(jpg.ok).toBe(true);
    if (jpg.ok) expect(Math.abs(jpg.pixels.data[0]! - 200)).toBeLessThan(6);
  });

  it('reports garbage, truncated PNGs and truncated JPEGs instead of throwing', () => {
    expect(decodeImage(new TextEncoder().encode('hello'))).toEqual({ ok: false, reason: 'not a PNG or JPEG file' });
    const png = pngBytes(16, 16, (x, y) => [x * 16, y * 16, 0]);
    const brokenPng = decodeImage(png.subarray(0, png.length - 20));
    expect(brokenPng.ok).toBe(false);
    expect(!brokenPng.ok && brokenPng.reason).toMatch(/^corrupt PNG/);
    const jpg = jpegBytes(32, 32, (x, y) => [x * 8, y * 8, 100]);
    const brokenJpeg = decodeImage(jpg.subarray(0, jpg.length / 2));
    expect(!brokenJpeg.ok && brokenJpeg.reason).toMatch(/^corrupt JPEG/);
  });
});

function decoded(bytes: Uint8Array) {
  const result = decodeImage(bytes);
  if (!result.ok) throw new Error(`fixture does not decode: ${result.reason}`);
  return result.pixels;
}

describe('pixels to the model input', () => {
  const gradient = decoded(pngBytes(4, 2, (x) => [x * 60, 0, 255 - x * 60]));

  it('keeps RGB or takes ITU-R 601 luma', () => {
    expect([...toChannels(gradient, 3).data.slice(0, 6)]).toEqual([0, 0, 255, 60, 0, 195]);
    expect(toChannels(gradient, 1).data[0]).toBe(Math.round(0.114 * 255));
  });

  it('resizes a constant image to the same constant, up or down', () => {
    const flat = toChannels(decoded(pngBytes(37, 23, solid(90, 90, 90))), 3);
    for (const [w, h] of [[8, 8], [64, 50], [1, 1]] as const) {
      const out = resize(flat, w, h);
      expect(out.data.length).toBe(w * h * 3);
      expect(new Set(out.data)).toEqual(new Set([90]));
    }
  });

  it('averages when shrinking rather than picking one pixel', () => {
    // A 1-pixel checkerboard shrunk 8× is mid-grey, not black or white.
    const checker = decoded(pngBytes(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0])));
    const out = resize(toChannels(checker, 1), 8, 8);
    for (const v of out.data) expect(Math.abs(v - 128)).toBeLessThan(12);
  });

  it('loads straight to [height, width, channels]', () => {
    const loaded = loadPixels(jpegBytes(40, 20, solid(0, 255, 0)), { height: 10, width: 12, channels: 1 });
    expect(loaded.ok && loaded.pixels.data.length).toBe(120);
  });
});
