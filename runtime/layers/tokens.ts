// Token-sequence layers for vision transformers, on [N, T, D]: ArchcClassToken prepends a learnable
// [1, 1, D] token to every sample; ArchcPosEmbed adds a learnable [1, T, D] position embedding.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';

export class ArchcClassToken extends layers.Layer {
  static className = 'ArchcClassToken';
  private token?: LayerVariable;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(input: TfShape | TfShape[]): void {
    this.token = this.addWeight('token', [1, 1, oneShape(input).at(-1)!], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const [n, t, d] = oneShape(input);
    return [n!, t === null ? null : t! + 1, d!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      return tf.concat([tf.tile(this.token!.read(), [x.shape[0]!, 1, 1]), x], 1);
    });
  }
}
register(ArchcClassToken);

export class ArchcPosEmbed extends layers.Layer {
  static className = 'ArchcPosEmbed';
  private embedding?: LayerVariable;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(input: TfShape | TfShape[]): void {
    const [, t, d] = oneShape(input);
    this.embedding = this.addWeight('embedding', [1, t!, d!], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.add(oneTensor(inputs), this.embedding!.read());
  }
}
register(ArchcPosEmbed);
