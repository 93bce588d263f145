// ArchcGroupNorm: group normalization of a channels-last tensor [N, ...positions, C]: the channels
// split into `groups` of C/G; each sample's group is normalized over its channels and positions.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type TfShape } from './base.js';
import type { GroupNormArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { GroupNormArgs };

export class ArchcGroupNorm extends layers.Layer {
  static className = 'ArchcGroupNorm';
  readonly groups: number;
  readonly epsilon: number;
  readonly affine: boolean;
  private gamma?: LayerVariable;
  private beta?: LayerVariable;

  constructor(args: GroupNormArgs) {
    super(args);
    this.groups = args.groups;
    this.epsilon = args.epsilon;
    this.affine = args.affine;
  }

  override build(input: TfShape | TfShape[]): void {
    if (this.affine) {
      const channels = oneShape(input).at(-1)!;
      this.gamma = this.addWeight('gamma', [channels], 'float32', initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const channels = x.shape.at(-1)!;
      const positions = x.shape.slice(1, -1).reduce((a, b) => a * b, 1);
      const grouped = tf.reshape(x, [x.shape[0]!, positions, this.groups, channels / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normalized = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon))), x.shape);
      return this.affine ? tf.add(tf.mul(normalized, this.gamma!.read()), this.beta!.read()) : normalized;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, affine: this.affine };
  }
}
register(ArchcGroupNorm);
