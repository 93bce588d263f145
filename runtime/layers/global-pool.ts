// ArchcGlobalPool: mean or maximum over every spatial axis of a channels-last tensor, keeping them
// as size 1 (ONNX GlobalAveragePool's [C, 1, 1]; tfjs's global pooling layers drop the axes).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { GlobalPoolArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { GlobalPoolArgs };

export class ArchcGlobalPool extends layers.Layer {
  static className = 'ArchcGlobalPool';
  readonly kind: 'avg' | 'max';

  constructor(args: GlobalPoolArgs) {
    super(args);
    this.kind = args.kind;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    return shape.map((d, i) => (i === 0 || i === shape.length - 1 ? d : 1));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const axes = x.shape.slice(1, -1).map((_, i) => i + 1);
      return this.kind === 'avg' ? tf.mean(x, axes, true) : tf.max(x, axes, true);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind };
  }
}
register(ArchcGlobalPool);
