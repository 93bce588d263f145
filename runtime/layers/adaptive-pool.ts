// ArchcAdaptivePool: PyTorch's adaptive average/max pooling for any input and output sizes: output
// i of an axis reduces input rows floor(i·I/O) to ceil((i+1)·I/O). Windows are rectangles, so the
// reduction is done one axis at a time. (Divisible sizes lower to a plain pool instead.)
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { AdaptivePoolArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { AdaptivePoolArgs };

export class ArchcAdaptivePool extends layers.Layer {
  static className = 'ArchcAdaptivePool';
  readonly kind: 'avg' | 'max';
  readonly size: number[];

  constructor(args: AdaptivePoolArgs) {
    super(args);
    this.kind = args.kind;
    this.size = [...args.size];
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    return [shape[0]!, ...this.size, shape.at(-1)!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      let y = oneTensor(inputs);
      this.size.forEach((out, i) => {
        const axis = i + 1;
        const size = y.shape[axis]!;
        const windows = Array.from({ length: out }, (_, o) => {
          const start = Math.floor((o * size) / out);
          const end = Math.ceil(((o + 1) * size) / out);
          const rows = tf.slice(y, y.shape.map((_, k) => (k === axis ? start : 0)), y.shape.map((d, k) => (k === axis ? end - start : d!)));
          return this.kind === 'avg' ? tf.mean(rows, axis, true) : tf.max(rows, axis, true);
        });
        y = windows.length === 1 ? windows[0]! : tf.concat(windows, axis);
      });
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind, size: this.size };
  }
}
register(ArchcAdaptivePool);
