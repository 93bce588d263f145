// ArchcReduce: mean, maximum or sum over chosen axes (tfjs axes, batch = 0), keeping them or not.
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { ReduceKind, ReduceArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ReduceKind, ReduceArgs };

export class ArchcReduce extends layers.Layer {
  static className = 'ArchcReduce';
  readonly args: Required<Omit<ReduceArgs, keyof LayerArgs>>;

  constructor(args: ReduceArgs) {
    super(args);
    this.args = { kind: args.kind, axes: [...args.axes], keepdims: args.keepdims };
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const { axes, keepdims } = this.args;
    const shape = oneShape(input);
    return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const { kind, axes, keepdims } = this.args;
    const x = oneTensor(inputs);
    if (kind === 'mean') return tf.mean(x, axes, keepdims);
    return kind === 'max' ? tf.max(x, axes, keepdims) : tf.sum(x, axes, keepdims);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcReduce);
