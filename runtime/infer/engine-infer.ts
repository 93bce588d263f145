// Inference through an engine other than TensorFlow.js (engines/engine.ts): the same batches and
// normalization as runtime/infer/infer.ts, with the images handed over in the IR's NCHW layout and
// the probabilities computed here in plain JavaScript. No TensorFlow.js is loaded.
import type { Predictor } from '../../engines/engine.js';
import { makeBatch, type Normalize } from '../data/batch.js';
import type { ImageSet } from '../data/dataset.js';
import type { OutputKind } from '../train/losses.js';
import type { Probabilities } from './infer.js';

/** NHWC (how images are decoded and batched) to NCHW (the IR's layout, which ONNX takes). */
export function nhwcToNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h * w; i++) {
      for (let k = 0; k < c; k++) out[(b * c + k) * h * w + i] = x[(b * h * w + i) * c + k]!;
    }
  }
  return out;
}

/** Rows of model outputs as class probabilities, as runtime/train/losses.ts's `probabilities` does with tfjs. */
export function probabilityRows(output: OutputKind, y: Float32Array, rows: number, columns: number): { values: Float32Array; columns: number } {
  if (columns === 1) {
    const values = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      const p = output === 'logits' ? 1 / (1 + Math.exp(-y[r]!)) : y[r]!;
      values[2 * r] = 1 - p;
      values[2 * r + 1] = p;
    }
    return { values, columns: 2 };
  }
  if (output !== 'logits') return { values: y.slice(), columns };
  const values = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const row = y.subarray(r * columns, (r + 1) * columns);
    const max = Math.max(...row);
    let sum = 0;
    for (let j = 0; j < columns; j++) sum += values[r * columns + j] = Math.exp(row[j]! - max);
    for (let j = 0; j < columns; j++) values[r * columns + j]! /= sum;
  }
  return { values, columns };
}

export async function engineProbabilities(
  predictor: Predictor,
  set: ImageSet,
  options: { readonly normalize: Normalize; readonly output: OutputKind; readonly batchSize: number },
): Promise<Probabilities> {
  const indices = Int32Array.from({ length: set.count }, (_, i) => i);
  const { height, width, channels } = set.shape;
  const parts: Float32Array[] = [];
  let columns = 0;
  for (let from = 0; from < set.count; from += options.batchSize) {
    const to = Math.min(set.count, from + options.batchSize);
    const batch = makeBatch(set, indices, from, to, { normalize: options.normalize });
    const y = await predictor.predict(nhwcToNchw(batch.x, to - from, height, width, channels), [to - from, channels, height, width]);
    const p = probabilityRows(options.output, y.data, to - from, y.data.length / (to - from));
    columns = p.columns;
    parts.push(p.values);
  }
  const values = new Float32Array(set.count * columns);
  let at = 0;
  for (const p of parts) {
    values.set(p, at);
    at += p.length;
  }
  return { rows: set.count, columns, values };
}
