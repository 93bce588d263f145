// Layers that move elements around: ArchcChannelShuffle (ShuffleNet's interleaving of channel
// groups, on the last axis), ArchcSlice (a range of one axis with a step; tfjs has no gradient for
// strided slices, so the step is taken by reshaping) and ArchcMatmul (a scaled, broadcasting
// matrix product of two per-sample operands).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import { subsample } from './conv.js';
import type { SliceArgs, MatmulArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { SliceArgs, MatmulArgs };

export class ArchcChannelShuffle extends layers.Layer {
  static className = 'ArchcChannelShuffle';
  readonly groups: number;

  constructor(args: LayerArgs & { groups: number }) {
    super(args);
    this.groups = args.groups;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const channels = x.shape.at(-1)!;
      const lead = x.shape.slice(0, -1) as number[];
      const split = tf.reshape(x, [...lead, this.groups, channels / this.groups]);
      const perm = [...lead.map((_, i) => i), lead.length + 1, lead.length];
      return tf.reshape(tf.transpose(split, perm), x.shape as number[]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}
register(ArchcChannelShuffle);

export class ArchcSlice extends layers.Layer {
  static className = 'ArchcSlice';
  readonly args: Required<Omit<SliceArgs, keyof LayerArgs>>;

  constructor(args: SliceArgs) {
    super(args);
    this.args = { axis: args.axis, start: args.start, end: args.end, step: args.step, reverse: args.reverse ?? false };
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const { axis, start, end, step } = this.args;
    return oneShape(input).map((d, i) => (i === axis ? Math.ceil((end - start) / step) : d));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { axis, start, end, step } = this.args;
      const rows = tf.slice(x, x.shape.map((_, i) => (i === axis ? start : 0)), x.shape.map((d, i) => (i === axis ? end - start : d!)));
      const taken = step === 1 ? rows : subsample(rows, rows.shape.slice(1).map((_, i) => (i + 1 === axis ? step : 1)));
      return this.args.reverse ? tf.reverse(taken, axis) : taken;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcSlice);

export class ArchcMatmul extends layers.Layer {
  static className = 'ArchcMatmul';
  readonly args: Required<Omit<MatmulArgs, keyof LayerArgs>>;

  constructor(args: MatmulArgs) {
    super(args);
    this.args = { lhs: [...args.lhs], rhs: [...args.rhs], shape: [...args.shape], scale: args.scale };
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return [(input as TfShape[])[0]![0]!, ...this.args.shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      const { lhs, rhs, shape, scale } = this.args;
      const n = a!.shape[0]!;
      const product = tf.matMul(tf.reshape(a!, [n, ...lhs]), tf.reshape(b!, [n, ...rhs]));
      const scaled = scale === 1 ? product : tf.mul(product, scale);
      return tf.reshape(scaled, [n, ...shape]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcMatmul);
