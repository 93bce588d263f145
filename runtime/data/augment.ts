// Training-time augmentations on one HWC float image in [0, 1]: horizontal flip, rotation, random
// crop (shift with reflected borders), brightness, contrast and Gaussian noise. Geometric ones are
// folded into one affine resample per image; colour ones follow torchvision's ColorJitter.
import { Rng } from './rng.js';

export interface Augment {
  /** Mirror left-right with probability 1/2. */
  readonly flip?: boolean;
  /** Rotate by a uniform angle in [-rotate, rotate] degrees. */
  readonly rotate?: number;
  /** Random crop: shift by up to `crop` pixels per axis, borders reflected (CIFAR's pad-and-crop). */
  readonly crop?: number;
  /** Multiply by a factor in [1 - b, 1 + b]. */
  readonly brightness?: number;
  /** Scale the distance from the image mean by a factor in [1 - c, 1 + c]. */
  readonly contrast?: number;
  /** Add N(0, noise²) per value. */
  readonly noise?: number;
}

export const augmentKeys = ['flip', 'rotate', 'crop', 'brightness', 'contrast', 'noise'] as const;

export type AugmentParse = { ok: true; augment: Augment } | { ok: false; message: string };

/** Parses `flip,rotate=15,crop=4,brightness=0.2,contrast=0.2,noise=0.02`. */
export function parseAugment(text: string): AugmentParse {
  const out: Record<string, number | boolean> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, value] = item.split('=', 2) as [string, string | undefined];
    if (!(augmentKeys as readonly string[]).includes(key)) {
      return { ok: false, message: `unknown augmentation '${key}' (known: ${augmentKeys.join(', ')})` };
    }
    if (key === 'flip') {
      if (value !== undefined) return { ok: false, message: `'flip' takes no value` };
      out[key] = true;
      continue;
    }
    const number = Number(value);
    const limit = key === 'rotate' ? 180 : key === 'crop' ? Infinity : key === 'noise' ? 1 : 0.99;
    if (value === undefined || !Number.isFinite(number) || number < 0 || number > limit) {
      return { ok: false, message: `'${key}' needs a value in [0, ${limit}], e.g. ${key}=${defaults[key]}` };
    }
    if (key === 'crop' && !Number.isInteger(number)) return { ok: false, message: `'crop' is a whole number of pixels` };
    out[key] = number;
  }
  return { ok: true, augment: out as Augment };
}

const defaults: Record<string, number> = { rotate: 15, crop: 4, brightness: 0.2, contrast: 0.2, noise: 0.02 };

export const isIdentity = (a: Augment): boolean =>
  !a.flip && !a.rotate && !a.crop && !a.brightness && !a.contrast && !a.noise;

/**
 * Augments `image` ([height, width, channels] floats in [0, 1]) in place; `scratch` has its size.
 * Returns the geometric transform it applied, so that a mask can follow it (runtime/data/seg-batch.ts).
 */
export function augmentImage(image: Float32Array, height: number, width: number, channels: number, a: Augment, rng: Rng, scratch: Float32Array): Warp | undefined {
  const flip = a.flip === true && rng.next() < 0.5;
  const angle = a.rotate ? (rng.uniform(-a.rotate, a.rotate) * Math.PI) / 180 : 0;
  const dx = a.crop ? rng.int(2 * a.crop + 1) - a.crop : 0;
  const dy = a.crop ? rng.int(2 * a.crop + 1) - a.crop : 0;
  const moved = flip || angle !== 0 || dx !== 0 || dy !== 0 ? { flip, angle, dx, dy } : undefined;
  if (moved) {
    warp(image, scratch, height, width, channels, moved);
    image.set(scratch);
  }
  if (a.brightness) scale(image, rng.uniform(1 - a.brightness, 1 + a.brightness), 0);
  if (a.contrast) {
    let mean = 0;
    for (let i = 0; i < image.length; i++) mean += image[i]!;
    mean /= image.length;
    scale(image, rng.uniform(1 - a.contrast, 1 + a.contrast), mean);
  }
  if (a.noise) {
    for (let i = 0; i < image.length; i++) image[i] = clamp01(image[i]! + a.noise * rng.normal());
  }
  return moved;
}

/** x ← clamp((x - centre)·factor + centre). */
function scale(image: Float32Array, factor: number, centre: number): void {
  for (let i = 0; i < image.length; i++) image[i] = clamp01((image[i]! - centre) * factor + centre);
}

export interface Warp {
  readonly flip: boolean;
  readonly angle: number;
  readonly dx: number;
  readonly dy: number;
}

/**
 * Output pixel (x, y) samples the source at the inverse transform, bilinear, borders reflected.
 * The forward transform: mirror, rotate counter-clockwise (as seen, like torchvision) by `angle`
 * radians about the centre, shift by (dx, dy).
 */
export function warp(src: Float32Array, dst: Float32Array, h: number, w: number, c: number, t: Warp): void {
  forEachSource(h, w, t, (at, sx, sy) => sampleBilinear(src, dst, at * c, h, w, c, sx, sy));
}

/**
 * Calls `visit(pixel index, sx, sy)` with the source point of every output pixel under the
 * inverse of `t`. The image (bilinear) and its mask (nearest) both go through here, so they move
 * together exactly.
 */
export function forEachSource(h: number, w: number, t: Warp, visit: (at: number, sx: number, sy: number) => void): void {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(t.angle);
  const sin = Math.sin(t.angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Undo the shift, then the rotation about the centre, then the flip.
      const ux = x - t.dx - cx;
      const uy = y - t.dy - cy;
      let sx = cos * ux - sin * uy + cx;
      const sy = sin * ux + cos * uy + cy;
      if (t.flip) sx = w - 1 - sx;
      visit(y * w + x, sx, sy);
    }
  }
}

function sampleBilinear(src: Float32Array, dst: Float32Array, at: number, h: number, w: number, c: number, sx: number, sy: number): void {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const xa = reflect(x0, w);
  const xb = reflect(x0 + 1, w);
  const ya = reflect(y0, h);
  const yb = reflect(y0 + 1, h);
  for (let ch = 0; ch < c; ch++) {
    const top = src[(ya * w + xa) * c + ch]! * (1 - fx) + src[(ya * w + xb) * c + ch]! * fx;
    const bottom = src[(yb * w + xa) * c + ch]! * (1 - fx) + src[(yb * w + xb) * c + ch]! * fx;
    dst[at + ch] = top * (1 - fy) + bottom * fy;
  }
}

/** Reflects an index into [0, n) without repeating the edge (numpy's 'reflect'). */
export function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
