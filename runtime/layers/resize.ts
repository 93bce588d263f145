// ArchcResize: nearest or bilinear resizing of the spatial axes of a channels-last tensor, with
// PyTorch's (and ONNX Resize's) coordinate rules: nearest takes floor(dst / scale); bilinear maps
// pixel centres (half-pixel) or corners (align_corners). 2-D uses tfjs's resize kernels directly;
// 1-D and 3-D resize one axis at a time (both modes are separable).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';

export interface ResizeArgs extends LayerArgs {
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean;
  /** Output size per spatial axis. */
  readonly size: number[];
}

export class ArchcResize extends layers.Layer {
  static className = 'ArchcResize';
  readonly args: Required<Omit<ResizeArgs, keyof LayerArgs>>;

  constructor(args: ResizeArgs) {
    super(args);
    this.args = { mode: args.mode, alignCorners: args.alignCorners, size: [...args.size] };
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    return [shape[0]!, ...this.args.size, shape.at(-1)!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { size } = this.args;
      if (x.rank === 4) return this.resize2d(x as tf.Tensor4D, size as [number, number]);
      let y = x;
      size.forEach((out, i) => {
        const axis = i + 1;
        const before = y.shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const after = y.shape.slice(axis + 1, -1).reduce((a, b) => a * b, 1);
        const planes = tf.reshape(y, [before, y.shape[axis]!, after, y.shape.at(-1)!]) as tf.Tensor4D;
        const resized = this.resize2d(planes, [out, after]);
        y = tf.reshape(resized, [...y.shape.slice(0, axis), out, ...y.shape.slice(axis + 1)] as number[]);
      });
      return y;
    });
  }

  private resize2d(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
    const { mode, alignCorners } = this.args;
    if (mode === 'nearest') return tf.image.resizeNearestNeighbor(x, size, false, false);
    return tf.image.resizeBilinear(x, size, alignCorners, !alignCorners);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcResize);
