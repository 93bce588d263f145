// Shared test fixtures for the training suites: temporary folders and real PNG/JPEG files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { afterAll } from 'vitest';

/** A fresh temporary folder, removed after the suite. */
export function tempDir(prefix = 'archc-train-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type Colour = (x: number, y: number) => [number, number, number];

function rgba(width: number, height: number, colour: Colour): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([...colour(x, y), 255], (y * width + x) * 4);
    }
  }
  return data;
}

export function pngBytes(width: number, height: number, colour: Colour): Buffer {
  const png = new PNG({ width, height });
  rgba(width, height, colour).copy(png.data);
  return PNG.sync.write(png);
}

export function jpegBytes(width: number, height: number, colour: Colour, quality = 95): Buffer {
  return jpeg.encode({ width, height, data: rgba(width, height, colour) }, quality).data;
}

export function writeFile(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

export const solid = (r: number, g: number, b: number): Colour => () => [r, g, b];
