// ArchcPad: pads the spatial axes of a channels-last tensor, each side on its own (asymmetric pads,
// which tfjs's zeroPadding2d cannot do in 1-D and 3-D), with a constant, by reflection or by
// repeating the edge (PyTorch's reflect and replicate modes).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { PadMode, PadArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { PadMode, PadArgs };

export class ArchcPad extends layers.Layer {
  static className = 'ArchcPad';
  readonly begin: number[];
  readonly end: number[];
  readonly mode: PadMode;
  readonly value: number;

  constructor(args: PadArgs) {
    super(args);
    this.begin = [...args.begin];
    this.end = [...args.end];
    this.mode = args.mode ?? 'constant';
    this.value = args.value ?? 0;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    return shape.map((d, i) => (i === 0 || i === shape.length - 1 || d === null ? d : d + this.begin[i - 1]! + this.end[i - 1]!));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => padSpatial(oneTensor(inputs), this.begin, this.end, this.mode, this.value));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, end: this.end, mode: this.mode, value: this.value };
  }
}
register(ArchcPad);

/** Pads axes 1..k of `x` ([N, ...spatial, C]). */
export function padSpatial(x: tf.Tensor, begin: readonly number[], end: readonly number[], mode: PadMode, value = 0): tf.Tensor {
  const pairs: [number, number][] = [[0, 0], ...begin.map((b, i) => [b, end[i]!] as [number, number]), [0, 0]];
  if (pairs.every(([b, e]) => b === 0 && e === 0)) return x;
  if (mode === 'constant') return tf.pad(x, pairs, value);
  if (mode === 'reflect') return tf.mirrorPad(x, pairs, 'reflect');
  let y = x;
  pairs.forEach(([b, e], axis) => {
    if (b === 0 && e === 0) return;
    const size = y.shape[axis]!;
    const parts: tf.Tensor[] = [];
    if (b > 0) parts.push(repeatSlice(y, axis, 0, b));
    parts.push(y);
    if (e > 0) parts.push(repeatSlice(y, axis, size - 1, e));
    y = tf.concat(parts, axis);
  });
  return y;
}

/** `times` copies of the slice at `index` along `axis`. */
function repeatSlice(x: tf.Tensor, axis: number, index: number, times: number): tf.Tensor {
  const begin = x.shape.map((_, i) => (i === axis ? index : 0));
  const size = x.shape.map((d, i) => (i === axis ? 1 : d!));
  const reps = x.shape.map((_, i) => (i === axis ? times : 1));
  return tf.tile(tf.slice(x, begin, size), reps);
}
