// ArchcPool: max and average pooling in 1-D, 2-D and 3-D with PyTorch's semantics, which tfjs's
// pooling layers lack: explicit (asymmetric) pads, ceil mode, and an average that counts the
// padding in its divisor (count_pad=true) or not. Max pads with -inf; average pads with zeros and
// rescales each output by window size / counted positions.
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import { padSpatial } from './pad.js';
import type { PoolArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { PoolArgs };

export class ArchcPool extends layers.Layer {
  static className = 'ArchcPool';
  readonly args: Required<Omit<PoolArgs, keyof LayerArgs>>;

  constructor(args: PoolArgs) {
    super(args);
    const { kind, kernel, stride, begin, end, ceil = false, countPad = true } = args;
    this.args = { kind, kernel: [...kernel], stride: [...stride], begin: [...begin], end: [...end], ceil, countPad };
  }

  /** Output size along spatial axis `i`, by PyTorch's rule (the last window starts inside). */
  outputSize(i: number, size: number): number {
    const { kernel, stride, begin, end, ceil } = this.args;
    const span = size + begin[i]! + end[i]! - kernel[i]!;
    let out = (ceil ? Math.ceil(span / stride[i]!) : Math.floor(span / stride[i]!)) + 1;
    if (ceil && (out - 1) * stride[i]! >= size + begin[i]!) out -= 1;
    return out;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    return shape.map((d, i) => (i === 0 || i === shape.length - 1 || d === null ? d : this.outputSize(i - 1, d)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { kind, kernel, stride, begin } = this.args;
      const sizes = x.shape.slice(1, -1);
      const outs = sizes.map((s, i) => this.outputSize(i, s));
      // Padding that makes a 'valid' pool produce exactly `outs` (ceil mode adds to the end).
      const end = outs.map((o, i) => Math.max((o - 1) * stride[i]! + kernel[i]! - sizes[i]! - begin[i]!, 0));
      const padded = padSpatial(x, begin, end, 'constant', kind === 'max' ? -Infinity : 0);
      const pooled = poolValid(padded, kind, kernel, stride);
      if (kind === 'max') return pooled;
      const scale = this.divisorScale(sizes, outs);
      return scale ? tf.mul(pooled, scale) : pooled;
    });
  }

  /** window size / counted positions for each output position, or undefined when all are 1. */
  private divisorScale(sizes: number[], outs: number[]): tf.Tensor | undefined {
    const { kernel, stride, begin, end, countPad } = this.args;
    const perAxis = outs.map((o, i) =>
      Array.from({ length: o }, (_, k) => {
        const start = k * stride[i]!;
        const lo = countPad ? start : Math.max(start, begin[i]!);
        const hi = Math.min(start + kernel[i]!, countPad ? sizes[i]! + begin[i]! + end[i]! : sizes[i]! + begin[i]!);
        return kernel[i]! / (hi - lo);
      }),
    );
    if (perAxis.every((a) => a.every((v) => v === 1))) return undefined;
    let scale = tf.reshape(tf.tensor1d(perAxis[0]!), [perAxis[0]!.length, ...perAxis.slice(1).map(() => 1)]);
    perAxis.slice(1).forEach((a, i) => {
      const shape = perAxis.map((_, j) => (j === i + 1 ? a.length : 1));
      scale = tf.mul(scale, tf.reshape(tf.tensor1d(a), shape));
    });
    return tf.reshape(scale, [1, ...outs, 1]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcPool);

/** Unpadded pooling of a channels-last tensor with 1, 2 or 3 spatial axes. */
function poolValid(x: tf.Tensor, kind: 'max' | 'avg', kernel: number[], stride: number[]): tf.Tensor {
  if (kernel.length === 1) {
    const x2 = tf.reshape(x, [x.shape[0]!, 1, x.shape[1]!, x.shape[2]!]) as tf.Tensor4D;
    const y = poolValid(x2, kind, [1, kernel[0]!], [1, stride[0]!]);
    return tf.reshape(y, [y.shape[0]!, y.shape[2]!, y.shape[3]!]);
  }
  if (kernel.length === 2) {
    const k = kernel as [number, number];
    const s = stride as [number, number];
    return kind === 'max' ? tf.maxPool(x as tf.Tensor4D, k, s, 'valid') : tf.avgPool(x as tf.Tensor4D, k, s, 'valid');
  }
  // 3-D as 2-D twice (a box window is separable): over H, W with the depth folded into the batch,
  // then over the depth. tfjs's wasm MaxPool3D returns tiny denormals instead of 0 for all-zero
  // windows (which then slow every later op down), and both 3-D kernels are plain loops.
  const [n, depth, height, width, channels] = x.shape as number[];
  const planes = poolValid(tf.reshape(x, [n! * depth!, height!, width!, channels!]), kind, kernel.slice(1), stride.slice(1));
  const [, h, w] = planes.shape as number[];
  const columns = tf.reshape(planes, [n!, depth!, h! * w!, channels!]);
  const pooled = poolValid(columns, kind, [kernel[0]!, 1], [stride[0]!, 1]);
  return tf.reshape(pooled, [n!, pooled.shape[1]!, h!, w!, channels!]);
}
