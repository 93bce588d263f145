// ArchcResize: nearest or bilinear resizing of the spatial axes of a channels-last tensor with
// PyTorch's (and ONNX Resize's) coordinates: nearest takes floor(dst / scale); bilinear maps pixel
// centres, src = (dst + 0.5) / scale − 0.5 clamped at 0, or corners (align_corners). tfjs's resize
// kernels compute the same when the scale is out/in exactly (always, for a given output size);
// otherwise each axis is resized by a product with its interpolation matrix (exact, and trainable).
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { ResizeArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ResizeArgs };

export class ArchcResize extends layers.Layer {
  static className = 'ArchcResize';
  readonly args: Required<Omit<ResizeArgs, keyof LayerArgs>>;

  constructor(args: ResizeArgs) {
    super(args);
    this.args = { mode: args.mode, alignCorners: args.alignCorners, size: [...args.size], scales: [...args.scales] };
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    return [shape[0]!, ...this.sizeFor(shape.slice(1, -1)), shape.at(-1)!];
  }

  /** The output size: as configured, or from the scale (PyTorch's floor(in × scale)); null when unknown. */
  private sizeFor(input: readonly (number | null)[]): (number | null)[] {
    if (this.args.size.length > 0) return [...this.args.size];
    return input.map((I, i) => (I === null ? null : Math.floor(I * this.args.scales[i]!)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { scales, alignCorners } = this.args;
      const input = x.shape.slice(1, -1) as number[];
      const size = this.sizeFor(input) as number[];
      const kernelAgrees = alignCorners || scales.every((s, i) => Math.fround(s) === Math.fround(size[i]! / input[i]!));
      if (kernelAgrees && x.rank === 4) return this.kernel(x as tf.Tensor4D, size as [number, number]);
      let y = x;
      size.forEach((out, i) => {
        const axis = i + 1;
        const before = y.shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const after = y.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const rows = tf.reshape(y, [before, input[i]!, after]);
        const resized = kernelAgrees
          ? tf.reshape(this.kernel(tf.reshape(rows, [before, input[i]!, after, 1]) as tf.Tensor4D, [out, after]), [before, out, after])
          : tf.matMul(tf.expandDims(this.matrix(i, input[i]!, out), 0), rows);
        y = tf.reshape(resized, [...y.shape.slice(0, axis), out, ...y.shape.slice(axis + 1)] as number[]);
      });
      return y;
    });
  }

  private kernel(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
    const { mode, alignCorners } = this.args;
    if (mode === 'nearest') return tf.image.resizeNearestNeighbor(x, size, false, false);
    return tf.image.resizeBilinear(x, size, alignCorners, !alignCorners);
  }

  /** [out, in]: each output row's weights over the input rows along axis `i`. */
  private matrix(i: number, input: number, out: number): tf.Tensor2D {
    const { mode, alignCorners, scales } = this.args;
    const scale = Math.fround(scales[i]!);
    const m = new Float32Array(out * input);
    for (let d = 0; d < out; d++) {
      if (mode === 'nearest') {
        m[d * input + Math.min(Math.floor(Math.fround(d / scale)), input - 1)] = 1;
        continue;
      }
      const src = alignCorners ? (out > 1 ? (d * (input - 1)) / (out - 1) : 0) : Math.max(Math.fround((d + 0.5) / scale - 0.5), 0);
      const lo = Math.min(Math.floor(src), input - 1);
      const hi = Math.min(lo + 1, input - 1);
      const t = src - lo;
      m[d * input + lo] += 1 - t;
      m[d * input + hi] += t;
    }
    return tf.tensor2d(m, [out, input]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcResize);
