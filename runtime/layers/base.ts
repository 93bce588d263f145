// Shared pieces of archc's custom tfjs layers: argument types, shape helpers and registration.
// Every custom layer is registered with tf.serialization, so a saved model.json that uses one
// reloads with tf.loadLayersModel wherever archc's runtime is imported. Their weights start at zero:
// archc loads every weight right after building a model (runtime/weights.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';

export type { LayerArgs, Kwargs };
/** A tfjs shape: batch first, `null` for unknown sizes. */
export type TfShape = (number | null)[];

/** The one shape of a single-input layer. */
export function oneShape(shape: TfShape | TfShape[]): TfShape {
  return Array.isArray(shape[0]) ? (shape as TfShape[])[0]! : (shape as TfShape);
}

/** The one tensor of a single-input layer. */
export function oneTensor(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(x) ? x[0]! : x;
}

/** Registers a layer class for model.json round trips (idempotent across re-imports). */
export function register(cls: tf.serialization.SerializableConstructor<tf.serialization.Serializable>): void {
  tf.serialization.registerClass(cls);
}

/** Windowed output size: floor((size + begin + end - k_eff) / stride) + 1; null stays null. */
export function windowSize(size: number | null, kernel: number, stride: number, dilation: number, begin: number, end: number): number | null {
  if (size === null) return null;
  return Math.floor((size + begin + end - (dilation * (kernel - 1) + 1)) / stride) + 1;
}
