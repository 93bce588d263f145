// ArchcPreprocess: archc's input-preprocessing ops on a channels-last tensor. `normalize` holds
// Keras Normalization's state (mean, variance, count: not trainable) and computes
// (x − mean) / max(√variance, ε); `rescale` computes x · scale + offset with constants.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { PreprocessArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { PreprocessArgs };

export class ArchcPreprocess extends layers.Layer {
  static className = 'ArchcPreprocess';
  readonly kind: 'normalize' | 'rescale';
  readonly epsilon: number;
  readonly scale: number[];
  readonly offset: number[];
  private state: LayerVariable[] = [];

  constructor(args: PreprocessArgs) {
    super(args);
    this.kind = args.kind;
    this.epsilon = args.epsilon ?? 1e-7;
    this.scale = args.scale ?? [1];
    this.offset = args.offset ?? [0];
  }

  override build(input: TfShape | TfShape[]): void {
    if (this.kind === 'normalize') {
      const channels = oneShape(input).at(-1)!;
      const add = (name: string, shape: number[]) => this.addWeight(name, shape, 'float32', initializers.zeros(), undefined, false);
      this.state = [add('mean', [channels]), add('variance', [channels]), add('count', [])];
    }
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      if (this.kind === 'rescale') return tf.add(tf.mul(x, tf.tensor1d(this.scale)), tf.tensor1d(this.offset));
      const [mean, variance] = this.state.map((v) => v.read());
      return tf.div(tf.sub(x, mean!), tf.maximum(tf.sqrt(variance!), this.epsilon));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind, epsilon: this.epsilon, scale: this.scale, offset: this.offset };
  }
}
register(ArchcPreprocess);
