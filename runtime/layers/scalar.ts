// ArchcScalar: a tensor and a number, element-wise (archc's `scalar` op: x + c, c − x, x / c, ...).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { ScalarKind } from '../../compiler/ops/scalar.js';
import type { ScalarArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ScalarArgs };

export class ArchcScalar extends layers.Layer {
  static className = 'ArchcScalar';
  readonly op: ScalarKind;
  readonly value: number;

  constructor(args: ScalarArgs) {
    super(args);
    this.op = args.op;
    this.value = args.value;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const c = tf.scalar(this.value);
      switch (this.op) {
        case 'add':
          return tf.add(x, c);
        case 'sub':
          return tf.sub(x, c);
        case 'rsub':
          return tf.sub(c, x);
        case 'mul':
          return tf.mul(x, c);
        case 'div':
          return tf.div(x, c);
        case 'rdiv':
          return tf.div(c, x);
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op, value: this.value };
  }
}
register(ArchcScalar);
