// Index plumbing on one axis: ArchcGather (rows at constant indices) and ArchcRoll (a cyclic
// shift: the last `shift` rows first). tfjs's gather gradient needs UnsortedSegmentSum, which the
// wasm backend lacks: ArchcGather's gradient is a product with the one-hot matrix instead. Stored
// indices (Swin's relative_position_index) are a non-trainable weight, read at run time.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type TfShape } from './base.js';
import type { GatherArgs, RollArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { GatherArgs, RollArgs };

export class ArchcGather extends layers.Layer {
  static className = 'ArchcGather';
  readonly axis: number;
  readonly indices: number[];
  readonly stored: number[] | undefined;
  private index?: LayerVariable;

  constructor(args: GatherArgs) {
    super(args);
    this.axis = args.axis;
    this.indices = [...args.indices];
    this.stored = args.stored ? [...args.stored] : undefined;
  }

  override build(_input: TfShape | TfShape[]): void {
    if (this.stored) this.index = this.addWeight('index', this.stored, 'float32', initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input).map((d, i) => (i === this.axis ? this.indices.length : d));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { axis } = this;
      // Read again in the gradient: this call's tidy has disposed its tensors by then.
      const read = () => (this.index ? tf.cast(tf.reshape(this.index.read(), [-1]), 'int32') : tf.tensor1d(this.indices, 'int32')) as tf.Tensor1D;
      const rank = x.rank;
      // The gathered axis last and back: a permutation that is its own inverse.
      const swap = x.shape.map((_, i) => (i === axis ? rank - 1 : i === rank - 1 ? axis : i));
      const size = x.shape[axis]!;
      const gathered = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const input = args[0] as tf.Tensor;
        return {
          value: tf.gather(input, read(), axis),
          gradFunc: (dy: tf.Tensor) => {
            const oneHot = tf.oneHot(read(), size); // [k, size]
            const last = tf.transpose(dy, swap);
            const flat = tf.reshape(last, [-1, this.indices.length]);
            const dx = tf.reshape(tf.matMul(flat, oneHot), [...last.shape.slice(0, -1), size]);
            return tf.transpose(dx, swap);
          },
        };
      });
      return gathered(x) as tf.Tensor;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, indices: this.indices, ...(this.stored ? { stored: this.stored } : {}) };
  }
}
register(ArchcGather);

export class ArchcRoll extends layers.Layer {
  static className = 'ArchcRoll';
  readonly axis: number;
  readonly shift: number;

  constructor(args: RollArgs) {
    super(args);
    this.axis = args.axis;
    this.shift = args.shift;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      if (this.shift === 0) return tf.clone(x);
      const size = x.shape[this.axis]!;
      const [head, tail] = tf.split(x, [size - this.shift, this.shift], this.axis);
      return tf.concat([tail!, head!], this.axis);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, shift: this.shift };
  }
}
register(ArchcRoll);
