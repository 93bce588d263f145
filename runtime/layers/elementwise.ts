// Element-wise layers tfjs lacks: ArchcBinary (a − b, a / b with broadcasting; tfjs has add and
// multiply layers only) and ArchcActivation (hard-swish and hard-sigmoid with PyTorch's slope 1/6,
// where tfjs's hardSigmoid uses Keras's 0.2; ELU with any alpha, where tfjs's ELU layer takes 1).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { BinaryKind, ActivationKind } from '../../compiler/lower-tfjs/custom-layers.js';
export type { BinaryKind, ActivationKind };

export class ArchcBinary extends layers.Layer {
  static className = 'ArchcBinary';
  readonly kind: BinaryKind;

  constructor(args: LayerArgs & { kind: BinaryKind }) {
    super(args);
    this.kind = args.kind;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const [a, b] = input as TfShape[];
    const rank = Math.max(a!.length, b!.length) - 1;
    const sample = (s: TfShape, i: number) => s[s.length - rank + i] ?? 1;
    return [a![0]!, ...Array.from({ length: rank }, (_, i) => (sample(a!, i) === 1 ? sample(b!, i) : sample(a!, i)))];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      // Per-sample shapes broadcast from the right; the batch axis stays first.
      const [a, b] = (inputs as tf.Tensor[]).map((t, _, all) => withRank(t, Math.max(...all.map((u) => u.rank))));
      return this.kind === 'sub' ? tf.sub(a!, b!) : tf.div(a!, b!);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind };
  }
}
register(ArchcBinary);

/** Inserts size-1 axes after the batch axis up to `rank`. */
export function withRank(t: tf.Tensor, rank: number): tf.Tensor {
  return t.rank === rank ? t : tf.reshape(t, [t.shape[0]!, ...Array<number>(rank - t.rank).fill(1), ...t.shape.slice(1)]);
}

export class ArchcActivation extends layers.Layer {
  static className = 'ArchcActivation';
  readonly kind: ActivationKind;
  /** elu's alpha (tfjs's ELU layer takes only 1). */
  readonly alpha: number;

  constructor(args: LayerArgs & { kind: ActivationKind; alpha?: number }) {
    super(args);
    this.kind = args.kind;
    this.alpha = args.alpha ?? 1;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return oneShape(input);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      if (this.kind === 'elu') return tf.where(tf.greater(x, 0), x, tf.mul(tf.elu(x), this.alpha));
      const gate = tf.div(tf.relu6(tf.add(x, 3)), 6);
      return this.kind === 'hardsigmoid' ? gate : tf.mul(x, gate);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind, alpha: this.alpha };
  }
}
register(ArchcActivation);
