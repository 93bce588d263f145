// Batches: gather 8-bit samples by index, scale to [0, 1], augment (training only), normalize per
// channel with (x - mean) / std, and hand back one NHWC float buffer ready for a tensor.
import { augmentImage, isIdentity, type Augment, type Warp } from './augment.js';
import { sampleSize, type ImageSet } from './dataset.js';
import type { Rng } from './rng.js';

/** Per-channel statistics on the [0, 1] scale; a single value applies to every channel. */
export interface Normalize {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export const normalizePresets = {
  /** x / 255: values in [0, 1]. */
  unit: { mean: [0], std: [1] },
  /** (x / 255 - 0.5) / 0.5: values in [-1, 1] (the CIFAR-10 tutorials' Normalize((0.5,)*3, (0.5,)*3)). */
  symmetric: { mean: [0.5], std: [0.5] },
  /** torchvision's ImageNet statistics. */
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
} as const satisfies Record<string, Normalize>;

export type NormalizePreset = keyof typeof normalizePresets;

export interface BatchOptions {
  readonly normalize: Normalize;
  readonly augment?: Augment;
  /** Needed when augmenting. */
  readonly rng?: Rng;
}

/** Samples `indices[from, to)` of `set` as normalized NHWC floats, and their labels. */
export function makeBatch(set: ImageSet, indices: ArrayLike<number>, from: number, to: number, options: BatchOptions): { x: Float32Array; labels: Int32Array } {
  const labels = new Int32Array(to - from);
  const x = imageBatch(set, indices, from, to, options, (b, sample) => {
    labels[b] = set.labels[sample]!;
  });
  return { x, labels };
}

/**
 * The images of samples `indices[from, to)`, scaled, augmented and normalized into one NHWC buffer.
 * `each(b, sample, moved)` sees every sample with the warp its image was given (undefined when it
 * did not move), so that a caller can carry labels or masks along.
 */
export function imageBatch(
  set: Pick<ImageSet, 'pixels' | 'shape'>,
  indices: ArrayLike<number>,
  from: number,
  to: number,
  options: BatchOptions,
  each: (b: number, sample: number, moved: Warp | undefined) => void,
): Float32Array {
  const { height, width, channels } = set.shape;
  const size = sampleSize(set.shape);
  const n = to - from;
  const x = new Float32Array(n * size);
  const augment = options.augment && !isIdentity(options.augment) ? options.augment : undefined;
  const image = new Float32Array(size);
  const scratch = new Float32Array(size);
  const { mean, std } = options.normalize;
  for (let b = 0; b < n; b++) {
    const sample = indices[from + b]!;
    const offset = sample * size;
    for (let i = 0; i < size; i++) image[i] = set.pixels[offset + i]! / 255;
    const moved = augment ? augmentImage(image, height, width, channels, augment, options.rng!, scratch) : undefined;
    each(b, sample, moved);
    for (let i = 0; i < size; i++) {
      const c = i % channels;
      x[b * size + i] = (image[i]! - (mean[c] ?? mean[0]!)) / (std[c] ?? std[0]!);
    }
  }
  return x;
}
