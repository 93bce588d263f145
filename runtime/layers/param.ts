// ArchcParam: a free tensor (archc's `param` and `buffer` ops) as a layer. tfjs's functional models
// need an input for every layer, so it takes one (any model input) only for its batch size and
// returns its variable repeated over that batch.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { ParamArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ParamArgs };

export class ArchcParam extends layers.Layer {
  static className = 'ArchcParam';
  readonly shape: number[];
  private value?: LayerVariable;

  constructor(args: ParamArgs) {
    super(args);
    this.shape = [...args.shape];
  }

  override build(_input: TfShape | TfShape[]): void {
    this.value = this.addWeight('value', [1, ...this.shape], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return [oneShape(input)[0]!, ...this.shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.tile(this.value!.read(), [oneTensor(inputs).shape[0]!, ...this.shape.map(() => 1)]));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shape: this.shape };
  }
}
register(ArchcParam);
