// ArchcConstant: a constant tensor (archc's zeros, ones, full, arange, constant ops) repeated over
// the batch of its input, which it takes only for that batch size (tfjs layers need an input).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type TfShape } from './base.js';
import type { ConstantArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ConstantArgs };

export class ArchcConstant extends layers.Layer {
  static className = 'ArchcConstant';
  readonly shape: number[];
  readonly values: number[];

  constructor(args: ConstantArgs) {
    super(args);
    this.shape = [...args.shape];
    this.values = [...args.values];
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return [oneShape(input)[0]!, ...this.shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const value = tf.tensor(this.values, [1, ...this.shape], 'float32');
      return tf.tile(value, [oneTensor(inputs).shape[0]!, ...this.shape.map(() => 1)]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shape: this.shape, values: this.values };
  }
}
register(ArchcConstant);
