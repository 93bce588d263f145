// Synthetic segmentation scenes: one to three circles, squares and triangles of random colours
// on a darker background with pixel noise, and the mask that says which pixel belongs to which
// shape class. Colour says nothing about the class, so a network has to learn the shapes' forms.
// `archc train --data synthetic` uses them in memory; tools/dev/make-tiny-dataset.ts writes them
// as an images/ + masks/ folder.
import type { SampleShape } from './dataset.js';
import type { SegmentationSet } from './masks.js';
import { vocPalette } from './palette-png.js';
import { Rng } from './rng.js';

export const shapeNames = ['circle', 'square', 'triangle'] as const;
export type ShapeName = (typeof shapeNames)[number];

/** The class names of a synthetic set with `classes` scores per pixel (2: any shape; 4: each shape). */
export function syntheticSegClasses(classes: number): string[] | undefined {
  if (classes === 2) return ['background', 'shape'];
  if (classes === 3 || classes === 4) return ['background', ...shapeNames.slice(0, classes - 1)];
  return undefined;
}

/** Whether (dx, dy) from a shape's centre lies inside it; r is its half-size. */
export function insideShape(shape: ShapeName, dx: number, dy: number, r: number): boolean {
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

export function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [255 * f(0), 255 * f(8), 255 * f(4)];
}

/** One scene: RGB pixels (HWC) and its mask (class 0 background, k for shapeNames[k-1]). */
export function drawSegScene(width: number, height: number, classes: number, rng: Rng): { rgb: Uint8Array; mask: Uint8Array } {
  const kinds = classes === 2 ? 3 : classes - 1;
  const bgHue = rng.uniform(0, 360);
  const bg = hsl(bgHue, 0.4, 0.22);
  const side = Math.min(width, height);
  const count = 1 + rng.int(3);
  const scene = Array.from({ length: count }, () => ({
    kind: rng.int(kinds),
    cx: rng.uniform(0.2, 0.8) * width,
    cy: rng.uniform(0.2, 0.8) * height,
    r: rng.uniform(0.12, 0.24) * side,
    colour: hsl((bgHue + rng.uniform(60, 300)) % 360, 0.8, 0.6),
  }));
  const rgb = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let colour = bg;
      let label = 0;
      // Later shapes lie on top of earlier ones.
      for (const s of scene) {
        if (insideShape(shapeNames[s.kind]!, x + 0.5 - s.cx, y + 0.5 - s.cy, s.r)) {
          colour = s.colour;
          label = classes === 2 ? 1 : s.kind + 1;
        }
      }
      mask[y * width + x] = label;
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = clampByte(colour[c]! + 12 * rng.normal());
    }
  }
  return { rgb, mask };
}

/** An in-memory set of `samples` scenes at the model's input size (grey inputs get luma). */
export function syntheticSegSet(options: { classes: number; samples: number; shape: SampleShape; seed: number }): SegmentationSet | undefined {
  const names = syntheticSegClasses(options.classes);
  if (!names) return undefined;
  const { height, width, channels } = options.shape;
  const rng = new Rng(options.seed);
  const size = height * width;
  const pixels = new Uint8Array(options.samples * size * channels);
  const masks = new Uint8Array(options.samples * size);
  for (let s = 0; s < options.samples; s++) {
    const { rgb, mask } = drawSegScene(width, height, options.classes, rng);
    masks.set(mask, s * size);
    for (let i = 0; i < size; i++) {
      if (channels === 3) pixels.set(rgb.subarray(i * 3, i * 3 + 3), (s * size + i) * 3);
      else pixels[s * size + i] = Math.round(0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!);
    }
  }
  return {
    task: 'segmentation',
    classes: names,
    shape: options.shape,
    count: options.samples,
    pixels,
    labels: new Int32Array(options.samples),
    files: Array<string>(options.samples).fill(''),
    masks,
    palette: vocPalette(names.length),
  };
}

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
