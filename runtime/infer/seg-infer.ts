// Segmentation inference for predict and eval: the predicted class of every pixel (the argmax of
// the model's main score map), batch by batch in the model's training normalization, through
// TensorFlow.js (NHWC scores) or another engine (NCHW scores, argmax taken here). Plus the
// pictures predict writes: the class map coloured by the palette, and an overlay on the image.
import type { Predictor } from '../../engines/engine.js';
import { makeBatch, type Normalize } from '../data/batch.js';
import type { ImageSet } from '../data/dataset.js';
import type { Rgb } from '../data/palette-png.js';
import { nhwcToNchw } from './engine-infer.js';

/** The classes of `set`'s pixels: count × height × width indices. */
export async function engineClassMaps(predictor: Predictor, set: ImageSet, options: { readonly normalize: Normalize; readonly batchSize: number }): Promise<Uint8Array> {
  const indices = Int32Array.from({ length: set.count }, (_, i) => i);
  const { height, width, channels } = set.shape;
  const area = height * width;
  const out = new Uint8Array(set.count * area);
  for (let from = 0; from < set.count; from += options.batchSize) {
    const to = Math.min(set.count, from + options.batchSize);
    const batch = makeBatch(set, indices, from, to, { normalize: options.normalize });
    const y = await predictor.predict(nhwcToNchw(batch.x, to - from, height, width, channels), [to - from, channels, height, width]);
    const k = y.data.length / ((to - from) * area);
    for (let b = 0; b < to - from; b++) {
      for (let i = 0; i < area; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (y.data[(b * k + c) * area + i]! > y.data[(b * k + best) * area + i]!) best = c;
        out[(from + b) * area + i] = best;
      }
    }
  }
  return out;
}

/** The class map coloured by `palette` over the RGB image: half image, half class colour; black classes leave the image as is. */
export function overlay(rgb: Uint8Array, classes: Uint8Array, palette: readonly Rgb[]): Uint8Array {
  const out = new Uint8Array(classes.length * 4);
  for (let i = 0; i < classes.length; i++) {
    const c = palette[classes[i]!] ?? [0, 0, 0];
    const blend = c[0] || c[1] || c[2] ? 0.5 : 0;
    for (let ch = 0; ch < 3; ch++) out[4 * i + ch] = Math.round((1 - blend) * rgb[3 * i + ch]! + blend * c[ch]!);
    out[4 * i + 3] = 255;
  }
  return out;
}

/** The share of pixels of each class in one map. */
export function classShares(map: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const k of map) if (k < classes) counts[k]!++;
  return counts.map((c) => c / Math.max(1, map.length));
}
