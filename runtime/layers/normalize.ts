// Normalizations tfjs's layers lack: ArchcLrn (local response normalization across channels with
// PyTorch's window, which is off-centre for an even size) and ArchcL2Norm (x / max(‖x‖₂, ε)).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { LrnArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { LrnArgs };

/** b_c = a_c / (k + alpha/size · Σ_{window} a²)^beta over the last (channel) axis. */
export class ArchcLrn extends layers.Layer {
  static className = 'ArchcLrn';
  readonly args: Required<Omit<LrnArgs, keyof LayerArgs>>;

  constructor(args: LrnArgs) {
    super(args);
    const { size, alpha, beta, k, before, after } = args;
    this.args = { size, alpha, beta, k, before, after };
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { size, alpha, beta, k, before, after } = this.args;
      // tfjs's own LRN kernel (with its gradient) covers the centred window of 2-D images.
      if (before === after && x.rank === 4) return tf.localResponseNormalization(x as tf.Tensor4D, before, k, alpha / size, beta);
      const last = x.rank - 1;
      const squares = tf.pad(tf.square(x), x.shape.map((_, i) => (i === last ? [before, after] : [0, 0]) as [number, number]));
      const channels = x.shape[last]!;
      let sum = tf.zerosLike(x);
      for (let j = 0; j < size; j++) {
        sum = tf.add(sum, tf.slice(squares, x.shape.map((_, i) => (i === last ? j : 0)), x.shape.map((d, i) => (i === last ? channels : d!))));
      }
      return tf.div(x, tf.pow(tf.add(tf.mul(sum, alpha / size), k), beta));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcLrn);

export class ArchcL2Norm extends layers.Layer {
  static className = 'ArchcL2Norm';
  /** tfjs axis (batch = 0). */
  readonly axis: number;
  readonly epsilon: number;

  constructor(args: LayerArgs & { axis: number; epsilon: number }) {
    super(args);
    this.axis = args.axis;
    this.epsilon = args.epsilon;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const norm = tf.sqrt(tf.sum(tf.square(x), this.axis, true));
      return tf.div(x, tf.maximum(norm, this.epsilon));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon };
  }
}
register(ArchcL2Norm);
