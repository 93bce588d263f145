// Inference for predict and eval: class probabilities for a set of samples, batch by batch, in the
// model's training normalization. One output unit gives two columns, [P(class 0), P(class 1)].
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { makeBatch, type Normalize } from '../data/batch.js';
import type { ImageSet } from '../data/dataset.js';
import { probabilities, type OutputKind } from '../train/losses.js';

export interface Probabilities {
  readonly rows: number;
  readonly columns: number;
  /** rows × columns, row-major. */
  readonly values: Float32Array;
}

export interface InferOptions {
  readonly normalize: Normalize;
  readonly output: OutputKind;
  readonly batchSize: number;
}

export function classProbabilities(model: tfl.LayersModel, set: ImageSet, options: InferOptions): Probabilities {
  const indices = Int32Array.from({ length: set.count }, (_, i) => i);
  const { height, width, channels } = set.shape;
  const chunks: Float32Array[] = [];
  let columns = 0;
  for (let from = 0; from < set.count; from += options.batchSize) {
    const to = Math.min(set.count, from + options.batchSize);
    const batch = makeBatch(set, indices, from, to, { normalize: options.normalize });
    const p = tf.tidy(() => {
      const y = model.predict(tf.tensor4d(batch.x, [to - from, height, width, channels])) as tf.Tensor2D;
      return probabilities(options.output, y);
    });
    columns = p.shape[1];
    chunks.push(p.dataSync() as Float32Array);
    p.dispose();
  }
  const values = new Float32Array(set.count * columns);
  let at = 0;
  for (const c of chunks) {
    values.set(c, at);
    at += c.length;
  }
  return { rows: set.count, columns, values };
}
