// Batched tensors between the IR's layout (NCHW, as ONNX) and a model input's or output's tfjs
// layout (NHWC for images): for feeding ONNX-shaped data in and comparing outputs.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorIo } from './metadata.js';

/** [N, C, ...spatial] → the tfjs layout of `io` ([N, ...spatial, C] when channels last). */
export function toTfjsLayout(x: tf.Tensor, io: TensorIo): tf.Tensor {
  if (io.layout !== 'cl' || x.rank < 3) return x;
  return tf.transpose(x, [0, ...range(2, x.rank), 1]);
}

/** The tfjs layout of `io` → [N, C, ...spatial]. */
export function fromTfjsLayout(x: tf.Tensor, io: TensorIo): tf.Tensor {
  if (io.layout !== 'cl' || x.rank < 3) return x;
  return tf.transpose(x, [0, x.rank - 1, ...range(1, x.rank - 1)]);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
