// Writes a tiny image-folder dataset for the train → eval → predict → export walkthrough:
// <dir>/train/<class>/*.png and <dir>/test/<class>/*.png, 32×32 colour PNGs of circles, squares
// and triangles at random places, sizes and colours, plus one corrupt file that training skips.
// usage: node dist/tools/dev/make-tiny-dataset.js <dir> [--per-class N] [--seed N]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { parseArgs, UsageError } from '../cli/args.js';
import { writeFileAtomic } from '../../runtime/persist/files.js';
import { Rng } from '../../runtime/data/rng.js';

export const shapes = ['circle', 'square', 'triangle'] as const;
export type ShapeName = (typeof shapes)[number];

const size = 32;

/** One RGBA image: a shape of one colour on a background of another, with a little noise. */
export function drawShape(shape: ShapeName, rng: Rng): Buffer {
  const cx = rng.uniform(11, 21);
  const cy = rng.uniform(11, 21);
  const r = rng.uniform(6, 10);
  const hue = rng.uniform(0, 360);
  const fg = hsl(hue, 0.8, 0.6);
  const bg = hsl((hue + rng.uniform(90, 270)) % 360, 0.5, 0.25);
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const colour = inside(shape, x + 0.5 - cx, y + 0.5 - cy, r) ? fg : bg;
      const at = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) png.data[at + c] = clampByte(colour[c]! + 12 * rng.normal());
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

function inside(shape: ShapeName, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
    case 'triangle':
      // Apex up: the half-width grows from 0 at the top to r at the base.
      return dy >= -r && dy <= r * 0.8 && Math.abs(dx) <= ((dy + r) / (1.8 * r)) * r;
  }
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [255 * f(0), 255 * f(8), 255 * f(4)];
}

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

export function makeTinyDataset(dir: string, options: { perClass: number; testPerClass: number; seed: number }): number {
  const rng = new Rng(options.seed);
  let written = 0;
  for (const [split, count] of [['train', options.perClass], ['test', options.testPerClass]] as const) {
    for (const shape of shapes) {
      for (let i = 0; i < count; i++) {
        writeFileAtomic(join(dir, split, shape, `${shape}-${String(i).padStart(3, '0')}.png`), drawShape(shape, rng), { createFolders: true });
        written++;
      }
    }
  }
  // A truncated PNG: training reports it as skipped instead of failing.
  writeFileAtomic(join(dir, 'train', 'circle', 'corrupt.png'), drawShape('circle', rng).subarray(0, 60), { createFolders: true });
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const parsed = parseArgs(process.argv.slice(2), { 'per-class': { type: 'string' }, seed: { type: 'string' } });
    const dir = parsed.positionals[0];
    const perClass = Number(parsed.flags['per-class'] ?? 60);
    const seed = Number(parsed.flags['seed'] ?? 1);
    if (!dir || parsed.positionals.length > 1 || !Number.isInteger(perClass) || perClass < 1 || !Number.isInteger(seed)) {
      throw new UsageError('give one folder, and whole numbers for --per-class (≥ 1) and --seed');
    }
    const n = makeTinyDataset(dir, { perClass, testPerClass: Math.max(1, Math.round(perClass / 3)), seed });
    process.stdout.write(`wrote ${n} PNGs (+1 corrupt) to ${join(dir, 'train')} and ${join(dir, 'test')}: ${shapes.join(', ')}\n`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`make-tiny-dataset: ${e.message}\nusage: node dist/tools/dev/make-tiny-dataset.js <dir> [--per-class N] [--seed N]\n`);
    process.exitCode = 2;
  }
}
