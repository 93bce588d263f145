// Writes a tiny dataset for the train → eval → predict → export walkthroughs (docs/training.md).
// --kind shapes (classification): <dir>/train/<class>/*.png and <dir>/test/<class>/*.png, 32×32
// colour PNGs of circles, squares and triangles at random places, sizes and colours, plus one
// corrupt file that training skips.
// --kind shapes-seg (segmentation): <dir>/{train,test}/images/*.png with masks/*.png (palette PNGs
// of class indices: background, circle, square, triangle) and classes.json, scenes of one to three
// shapes (runtime/data/seg-synthetic.ts), plus one image without a mask that training skips.
// usage: node dist/tools/dev/make-tiny-dataset.js <dir> [--kind shapes|shapes-seg] [--per-class N] [--images N] [--size N] [--seed N]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { parseArgs, UsageError } from '../cli/args.js';
import { writeFileAtomic, writeJsonAtomic } from '../../runtime/persist/files.js';
import { Rng } from '../../runtime/data/rng.js';
import { encodePalettePng, vocPalette } from '../../runtime/data/palette-png.js';
import { drawSegScene, hsl, insideShape, shapeNames, syntheticSegClasses, type ShapeName } from '../../runtime/data/seg-synthetic.js';

export const shapes = shapeNames;
export type { ShapeName };

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
      const colour = insideShape(shape, x + 0.5 - cx, y + 0.5 - cy, r) ? fg : bg;
      const at = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) png.data[at + c] = clampByte(colour[c]! + 12 * rng.normal());
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png);
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

/**
 * The segmentation set: `images` training and images/4 test scenes of size×size, their palette
 * masks and classes.json (with the colours the masks use), and one training image with no mask.
 */
export function makeTinySegDataset(dir: string, options: { images: number; size: number; seed: number }): number {
  const rng = new Rng(options.seed);
  const classes = syntheticSegClasses(4)!;
  const palette = vocPalette(classes.length);
  const { size } = options;
  let written = 0;
  for (const [split, count] of [['train', options.images], ['test', Math.max(1, Math.round(options.images / 4))]] as const) {
    writeJsonAtomic(join(dir, split, 'classes.json'), classes.map((name, k) => ({ name, color: palette[k] })), { createFolders: true });
    for (let i = 0; i < count; i++) {
      const { rgb, mask } = drawSegScene(size, size, classes.length, rng);
      const name = `scene-${String(i).padStart(3, '0')}.png`;
      writeFileAtomic(join(dir, split, 'images', name), rgbPng(rgb, size, size), { createFolders: true });
      writeFileAtomic(join(dir, split, 'masks', name), encodePalettePng(mask, size, size, palette), { createFolders: true });
      written++;
    }
  }
  // An image whose mask is missing: training reports it as skipped instead of failing.
  const { rgb } = drawSegScene(size, size, classes.length, rng);
  writeFileAtomic(join(dir, 'train', 'images', 'no-mask.png'), rgbPng(rgb, size, size));
  return written;
}

function rgbPng(rgb: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 255], 4 * i);
  return PNG.sync.write(png);
}

const usage = 'usage: node dist/tools/dev/make-tiny-dataset.js <dir> [--kind shapes|shapes-seg] [--per-class N] [--images N] [--size N] [--seed N]';

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const flags = { kind: { type: 'string' }, 'per-class': { type: 'string' }, images: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' } } as const;
    const parsed = parseArgs(process.argv.slice(2), flags);
    const dir = parsed.positionals[0];
    const kind = parsed.flags['kind'] ?? 'shapes';
    const whole = (name: string, fallback: number, min: number) => {
      const value = Number(parsed.flags[name] ?? fallback);
      if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} needs a whole number ≥ ${min}`);
      return value;
    };
    if (!dir || parsed.positionals.length > 1) throw new UsageError('give one folder');
    if (kind !== 'shapes' && kind !== 'shapes-seg') throw new UsageError(`--kind is shapes or shapes-seg, got '${String(kind)}'`);
    const seed = whole('seed', 1, 0);
    if (kind === 'shapes-seg') {
      const n = makeTinySegDataset(dir, { images: whole('images', 160, 1), size: whole('size', 32, 8), seed });
      process.stdout.write(`wrote ${n} images with masks (+1 without) to ${join(dir, 'train')} and ${join(dir, 'test')}: ${syntheticSegClasses(4)!.join(', ')}\n`);
    } else {
      const perClass = whole('per-class', 60, 1);
      const n = makeTinyDataset(dir, { perClass, testPerClass: Math.max(1, Math.round(perClass / 3)), seed });
      process.stdout.write(`wrote ${n} PNGs (+1 corrupt) to ${join(dir, 'train')} and ${join(dir, 'test')}: ${shapes.join(', ')}\n`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`make-tiny-dataset: ${e.message}\n${usage}\n`);
    process.exitCode = 2;
  }
}
