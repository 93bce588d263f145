// Segmentation batches: the images as runtime/data/batch.ts makes them, and each image's mask
// moved by the same flip, rotation and shift (nearest neighbour: a class index is never blended),
// while brightness, contrast and noise touch the image alone.
import { augmentImage, forEachSource, isIdentity, reflect, type Warp } from './augment.js';
import type { BatchOptions } from './batch.js';
import { sampleSize } from './dataset.js';
import type { SegmentationSet } from './masks.js';

/** Samples `indices[from, to)`: normalized NHWC floats and their masks (n × height × width). */
export function makeSegBatch(set: SegmentationSet, indices: ArrayLike<number>, from: number, to: number, options: BatchOptions): { x: Float32Array; masks: Int32Array } {
  const { height, width, channels } = set.shape;
  const size = sampleSize(set.shape);
  const area = height * width;
  const n = to - from;
  const x = new Float32Array(n * size);
  const masks = new Int32Array(n * area);
  const augment = options.augment && !isIdentity(options.augment) ? options.augment : undefined;
  const image = new Float32Array(size);
  const scratch = new Float32Array(size);
  const { mean, std } = options.normalize;
  for (let b = 0; b < n; b++) {
    const sample = indices[from + b]!;
    const offset = sample * size;
    for (let i = 0; i < size; i++) image[i] = set.pixels[offset + i]! / 255;
    const moved = augment ? augmentImage(image, height, width, channels, augment, options.rng!, scratch) : undefined;
    const mask = set.masks.subarray(sample * area, (sample + 1) * area);
    if (moved) warpMask(mask, masks.subarray(b * area, (b + 1) * area), height, width, moved);
    else masks.set(mask, b * area);
    for (let i = 0; i < size; i++) {
      const c = i % channels;
      x[b * size + i] = (image[i]! - (mean[c] ?? mean[0]!)) / (std[c] ?? std[0]!);
    }
  }
  return { x, masks };
}

/**
 * The mask under the image's transform: output pixel (x, y) takes the class at the same source
 * point as runtime/data/augment.ts's `warp`, rounded to the nearest pixel, borders reflected.
 */
export function warpMask(src: ArrayLike<number>, dst: Int32Array | Uint8Array, h: number, w: number, t: Warp): void {
  forEachSource(h, w, t, (at, sx, sy) => {
    dst[at] = src[reflect(Math.round(sy), h) * w + reflect(Math.round(sx), w)]!;
  });
}
