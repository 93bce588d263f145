// ArchcConv: the convolutions tfjs's layers cannot express or cannot train: grouped convolution
// (tfjs's conv2d silently ignores a `groups` option), depthwise convolution in 1-D, and dilated
// convolution (tfjs has no gradient for it, and refuses stride together with dilation). Unpadded: archc puts an ArchcPad in front when the op has padding. The kernel is
// [...window, in/groups, out], the ONNX OIHW weight transposed, so IR weights load unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, windowSize, type Kwargs, type LayerArgs, type TfShape } from './base.js';

export interface ConvArgs extends LayerArgs {
  readonly filters: number;
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly bias: boolean;
}

export class ArchcConv extends layers.Layer {
  static className = 'ArchcConv';
  readonly args: Required<Omit<ConvArgs, keyof LayerArgs>>;
  private kernelVar?: LayerVariable;
  private biasVar?: LayerVariable;

  constructor(args: ConvArgs) {
    super(args);
    const { filters, kernel, stride, dilation, groups, bias } = args;
    this.args = { filters, kernel: [...kernel], stride: [...stride], dilation: [...dilation], groups, bias };
  }

  override build(input: TfShape | TfShape[]): void {
    const channels = oneShape(input).at(-1)!;
    const { kernel, groups, filters, bias } = this.args;
    this.kernelVar = this.addWeight('kernel', [...kernel, channels / groups, filters], 'float32', initializers.heNormal({}));
    if (bias) this.biasVar = this.addWeight('bias', [filters], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    const { kernel, stride, dilation, filters } = this.args;
    const spatial = shape.slice(1, -1).map((d, i) => windowSize(d, kernel[i]!, stride[i]!, dilation[i]!, 0, 0));
    return [shape[0]!, ...spatial, filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const w = this.kernelVar!.read();
      const { stride, dilation } = this.args;
      // tfjs has no gradients for dilated convolutions: run the dilated one as an ordinary one
      // over the input split into dilation phases (TensorFlow's space-to-batch method).
      const dilated = dilation.some((d) => d > 1);
      let y: tf.Tensor;
      if (!dilated) y = this.grouped(x, w, stride);
      else {
        const sizes = x.shape.slice(1, -1);
        const pads = sizes.map((s, i) => [0, Math.ceil(s / dilation[i]!) * dilation[i]! - s] as [number, number]);
        const phases = tf.spaceToBatchND(x, dilation, pads);
        const dense = tf.batchToSpaceND(this.grouped(phases, w, stride.map(() => 1)), dilation, pads);
        y = subsample(dense, stride);
      }
      return this.biasVar ? tf.add(y, this.biasVar.read()) : y;
    });
  }

  /** Plain, depthwise or grouped convolution without dilation. */
  private grouped(x: tf.Tensor, w: tf.Tensor, stride: number[]): tf.Tensor {
    const { groups } = this.args;
    const channels = x.shape.at(-1)!;
    if (groups === channels && x.rank <= 4) return depthwise(x, w, stride);
    if (groups === 1) return convolve(x, w, stride);
    const xs = tf.split(x, groups, -1);
    const ws = tf.split(w, groups, -1);
    return tf.concat(xs.map((xi, g) => convolve(xi, ws[g]!, stride)), -1);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcConv);

function convolve(x: tf.Tensor, w: tf.Tensor, stride: number[]): tf.Tensor {
  if (x.rank === 3) return tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, stride[0]!, 'valid', 'NWC');
  if (x.rank === 4) return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride as [number, number], 'valid', 'NHWC');
  return tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, stride as [number, number, number], 'valid', 'NDHWC');
}

/** Every stride-th position along each spatial axis, by reshaping (tfjs has no strided-slice gradient). */
export function subsample(x: tf.Tensor, stride: readonly number[]): tf.Tensor {
  let y = x;
  stride.forEach((s, i) => {
    if (s === 1) return;
    const axis = i + 1;
    const size = y.shape[axis]!;
    const out = Math.floor((size - 1) / s) + 1;
    y = tf.pad(y, y.shape.map((_, k) => [0, k === axis ? out * s - size : 0] as [number, number]));
    const split = [...y.shape.slice(0, axis), out, s, ...y.shape.slice(axis + 1)] as number[];
    const begin = split.map(() => 0);
    const keep = split.map((d, k) => (k === axis + 1 ? 1 : d));
    y = tf.reshape(tf.slice(tf.reshape(y, split), begin, keep), [...y.shape.slice(0, axis), out, ...y.shape.slice(axis + 1)] as number[]);
  });
  return y;
}

/** groups = channels: w is [...window, 1, C·m]; tfjs wants [...window, C, m] (same order). */
function depthwise(x: tf.Tensor, w: tf.Tensor, stride: number[]): tf.Tensor {
  const channels = x.shape.at(-1)!;
  const multiplier = w.shape.at(-1)! / channels;
  if (x.rank === 3) {
    const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
    const w4 = tf.reshape(w, [1, w.shape[0]!, channels, multiplier]) as tf.Tensor4D;
    return tf.squeeze(tf.depthwiseConv2d(x4, w4, [1, stride[0]!], 'valid', 'NHWC'), [1]);
  }
  const w4 = tf.reshape(w, [w.shape[0]!, w.shape[1]!, channels, multiplier]) as tf.Tensor4D;
  return tf.depthwiseConv2d(x as tf.Tensor4D, w4, stride as [number, number], 'valid', 'NHWC');
}
