// Masks and selection (compiler/ops/compare.ts, where.ts): ArchcCompare gives 1 where a comparison
// holds and 0 elsewhere, with no gradient (tfjs has none for most comparisons, and a step function
// passes none back); ArchcWhere picks a where the mask is non-zero, else b; its gradient goes to a
// where the mask holds and to b elsewhere.
// Per-sample shapes broadcast from the right, the batch axis first (as ArchcBinary).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import { withRank } from './elementwise.js';
import type { CompareArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { CompareArgs };

/** The broadcast shape of several tfjs shapes (batch first, per-sample axes aligned from the right). */
function broadcastShape(shapes: TfShape[]): TfShape {
  const rank = Math.max(...shapes.map((s) => s.length)) - 1;
  const at = (s: TfShape, i: number) => s[s.length - rank + i] ?? 1;
  return [shapes[0]![0]!, ...Array.from({ length: rank }, (_, i) => shapes.map((s) => at(s, i)).find((d) => d !== 1) ?? 1)];
}

const COMPARE: Record<CompareArgs['op'], (a: tf.Tensor, b: tf.Tensor | number) => tf.Tensor> = {
  gt: (a, b) => tf.greater(a, b),
  ge: (a, b) => tf.greaterEqual(a, b),
  lt: (a, b) => tf.less(a, b),
  le: (a, b) => tf.lessEqual(a, b),
  eq: (a, b) => tf.equal(a, b),
  ne: (a, b) => tf.notEqual(a, b),
};

export class ArchcCompare extends layers.Layer {
  static className = 'ArchcCompare';
  readonly op: CompareArgs['op'];
  readonly value: number | undefined;

  constructor(args: CompareArgs) {
    super(args);
    this.op = args.op;
    this.value = args.value;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return Array.isArray(input[0]) ? broadcastShape(input as TfShape[]) : (input as TfShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const all = Array.isArray(inputs) ? inputs : [inputs];
      const rank = Math.max(...all.map((t) => t.rank));
      const [a, b] = all.map((t) => withRank(t, rank));
      const mask = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [x, y] = args as tf.Tensor[];
        return {
          value: tf.cast(COMPARE[this.op](x!, this.value ?? y!), 'float32'),
          gradFunc: () => (this.value === undefined ? [tf.zerosLike(x!), tf.zerosLike(y!)] : [tf.zerosLike(x!)]),
        };
      });
      return (this.value === undefined ? mask(a!, b!) : mask(a!)) as tf.Tensor;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op, ...(this.value === undefined ? {} : { value: this.value }) };
  }
}
register(ArchcCompare);

export class ArchcWhere extends layers.Layer {
  static className = 'ArchcWhere';

  constructor(args: LayerArgs) {
    super(args);
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return broadcastShape(input as TfShape[]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const all = inputs as tf.Tensor[];
      const rank = Math.max(...all.map((t) => t.rank));
      const [cond, a, b] = all.map((t) => withRank(t, rank));
      // The gradient written out: tfjs has none for the comparison that makes the boolean mask.
      const select = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [c, x, y, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
        const mask = tf.cast(tf.notEqual(c, 0), 'float32');
        save([mask]);
        return {
          value: tf.where(tf.cast(mask, 'bool'), x, y),
          gradFunc: (dy: tf.Tensor, [m]: tf.Tensor[]) => [tf.zerosLike(c), sumTo(tf.mul(dy, m!), x.shape), sumTo(tf.mul(dy, tf.sub(1, m!)), y.shape)],
        };
      });
      return select(cond!, a!, b!) as tf.Tensor;
    });
  }
}

/** Sums a broadcast gradient back to an operand's shape (same rank; axes where the operand is 1). */
function sumTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = shape.map((d, i) => (d === 1 && t.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  return axes.length === 0 ? t : tf.sum(t, axes, true);
}
register(ArchcWhere);
