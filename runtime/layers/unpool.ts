// ArchcMaxUnpool: SegNet's max unpooling on channels-last maps (compiler/ops/max-unpool.ts). Inputs
// [y, like]: each window of `like` (non-overlapping, kernel = stride) has its first maximum in
// row-major order found with argMax; the output, shaped like `like`, holds y's value there and
// zeros elsewhere. Windows are taken apart and put back with reshapes, slices and concats only
// (rank ≤ 5), which every backend has, wasm included. The gradient is written out: y's is dy read
// back at the argmax positions; like's is zero (the positions are not differentiable, as in PyTorch).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { register, type Kwargs, type TfShape } from './base.js';
import type { MaxUnpoolArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { MaxUnpoolArgs };

export class ArchcMaxUnpool extends layers.Layer {
  static className = 'ArchcMaxUnpool';
  readonly kernel: [number, number];

  constructor(args: MaxUnpoolArgs) {
    super(args);
    this.kernel = [args.kernel[0]!, args.kernel[1]!];
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    return [...(input as TfShape[])[1]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [y, like] = inputs as tf.Tensor4D[];
      const [kh, kw] = this.kernel;
      const [, h, w, c] = y!.shape;
      const [, H, W] = like!.shape;
      /** The kh·kw window positions of a full-size map, each as an [N, h, w, C] map (row-major). */
      const slots = (t: tf.Tensor4D): tf.Tensor4D[] => {
        const rows = tf.reshape(tf.slice(t, [0, 0, 0, 0], [-1, h * kh, w * kw, -1]), [-1, kh, w, kw * c]);
        const out: tf.Tensor4D[] = [];
        for (let dy = 0; dy < kh; dy++) {
          for (let dx = 0; dx < kw; dx++) out.push(tf.reshape(tf.slice(rows, [0, dy, 0, dx * c], [-1, 1, -1, c]), [-1, h, w, c]));
        }
        return out;
      };
      /** The inverse of `slots`: window positions back into a full-size map, zero-padded to H × W. */
      const assemble = (parts: tf.Tensor4D[]): tf.Tensor4D => {
        const rows = Array.from({ length: kh }, (_, dy) => tf.concat(parts.slice(dy * kw, (dy + 1) * kw).map((p) => tf.reshape(p, [-1, 1, w, c])), 3));
        const full = tf.reshape(tf.concat(rows, 1), [-1, h * kh, w * kw, c]);
        return tf.pad(full, [[0, 0], [0, H - h * kh], [0, W - w * kw], [0, 0]]) as tf.Tensor4D;
      };
      const unpool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [values, map, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
        const winner = tf.argMax(tf.stack(slots(map), 4), 4);
        const masks = Array.from({ length: kh * kw }, (_, j) => tf.cast(tf.equal(winner, j), 'float32') as tf.Tensor4D);
        save(masks);
        return {
          value: assemble(masks.map((m) => tf.mul(values, m))),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const dValues = tf.addN(slots(dy as tf.Tensor4D).map((d, j) => tf.mul(d, saved[j]!)));
            return [dValues, tf.zerosLike(map)];
          },
        };
      });
      return unpool(y!, like!) as tf.Tensor;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernel: [...this.kernel] };
  }
}
register(ArchcMaxUnpool);
