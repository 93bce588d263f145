// Segmentation batches: the images as runtime/data/batch.ts makes them, and each image's mask
// moved by the same flip, rotation and shift (nearest neighbour: a class index is never blended),
// while brightness, contrast and noise touch the image alone.
import { forEachSource, reflect, type Warp } from './augment.js';
import { imageBatch, type BatchOptions } from './batch.js';
import type { SegmentationSet } from './masks.js';

/** Samples `indices[from, to)`: normalized NHWC floats and their masks (n × height × width). */
export function makeSegBatch(set: SegmentationSet, indices: ArrayLike<number>, from: number, to: number, options: BatchOptions): { x: Float32Array; masks: Int32Array } {
  const { height, width } = set.shape;
  const area = height * width;
  const masks = new Int32Array((to - from) * area);
  const x = imageBatch(set, indices, from, to, options, (b, sample, moved) => {
    const mask = set.masks.subarray(sample * area, (sample + 1) * area);
    if (moved) warpMask(mask, masks.subarray(b * area, (b + 1) * area), height, width, moved);
    else masks.set(mask, b * area);
  });
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
