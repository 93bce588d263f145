// A TensorFlow.js model behind the engines' Predictor interface (engines/engine.ts): batches come
// and go in the IR's NCHW layout, tfjs runs NHWC, so images are transposed in and rank-4 outputs
// (segmentation score maps) transposed back. The first output only, as every engine gives.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Output, Predictor } from '../../engines/engine.js';

export function tfjsPredictor(model: tfl.LayersModel): Predictor {
  return {
    engine: 'tfjs',
    async predict(batch: Float32Array, dims: readonly number[]): Promise<Output> {
      const y = tf.tidy(() => {
        const x = tf.tensor(batch, [...dims]);
        const input = x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x;
        const out = model.predict(input) as tf.Tensor | tf.Tensor[];
        const first = Array.isArray(out) ? out[0]! : out;
        return first.rank === 4 ? tf.transpose(first, [0, 3, 1, 2]) : first;
      });
      const data = (await y.data()) as Float32Array;
      const shape = y.shape;
      y.dispose();
      return { data, dims: shape };
    },
    async dispose() {
      model.dispose();
    },
  };
}
