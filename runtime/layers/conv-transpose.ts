// ArchcConvTranspose: transposed convolution with PyTorch's arguments, beyond what tfjs's
// conv2dTranspose layer takes: 1-D and 3-D, groups, dilation, explicit pads that remove output rows
// and output padding that adds them. The full output ((I − 1)·s + k_eff per axis) is computed, then
// cropped to [pad_begin, pad_begin + out). Kernel [...window, out/groups, in]: ONNX's
// [in, out/groups, ...window] transposed the same way as a conv's.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { ConvTransposeArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ConvTransposeArgs };

export class ArchcConvTranspose extends layers.Layer {
  static className = 'ArchcConvTranspose';
  readonly args: Required<Omit<ConvTransposeArgs, keyof LayerArgs>>;
  private kernelVar?: LayerVariable;
  private biasVar?: LayerVariable;

  constructor(args: ConvTransposeArgs) {
    super(args);
    const { filters, kernel, stride, dilation, groups, bias, begin, end, outputPadding } = args;
    this.args = { filters, kernel: [...kernel], stride: [...stride], dilation: [...dilation], groups, bias, begin: [...begin], end: [...end], outputPadding: [...outputPadding] };
  }

  override build(input: TfShape | TfShape[]): void {
    const channels = oneShape(input).at(-1)!;
    const { kernel, groups, filters, bias } = this.args;
    this.kernelVar = this.addWeight('kernel', [...kernel, filters / groups, channels], 'float32', initializers.zeros());
    if (bias) this.biasVar = this.addWeight('bias', [filters], 'float32', initializers.zeros());
    this.built = true;
  }

  /** PyTorch: (I − 1)·s − pad_begin − pad_end + d·(k − 1) + 1 + output_padding. */
  private outputSize(i: number, size: number): number {
    const { kernel, stride, dilation, begin, end, outputPadding } = this.args;
    return (size - 1) * stride[i]! - begin[i]! - end[i]! + dilation[i]! * (kernel[i]! - 1) + 1 + outputPadding[i]!;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    const spatial = shape.slice(1, -1).map((d, i) => (d === null ? null : this.outputSize(i, d)));
    return [shape[0]!, ...spatial, this.args.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { groups, begin } = this.args;
      const w = dilateKernel(this.kernelVar!.read(), this.args.dilation);
      const ws = groups === 1 ? [w] : tf.split(w, groups, -1);
      const xs = groups === 1 ? [x] : tf.split(x, groups, -1);
      const full = groups === 1 ? this.transposed(x, w) : tf.concat(xs.map((xi, g) => this.transposed(xi, ws[g]!)), -1);
      const sizes = x.shape.slice(1, -1).map((s, i) => this.outputSize(i, s));
      // Crop the removed rows; output padding past the full result reads zeros.
      const after = sizes.map((o, i) => Math.max(begin[i]! + o - full.shape[i + 1]!, 0));
      const padded = tf.pad(full, [[0, 0], ...after.map((a) => [0, a] as [number, number]), [0, 0]]);
      const y = tf.slice(padded, [0, ...begin, 0], [-1, ...sizes, -1]);
      return this.biasVar ? tf.add(y, this.biasVar.read()) : y;
    });
  }

  /** The uncropped transposed convolution of one group: (I − 1)·s + k per axis. */
  private transposed(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
    const { stride } = this.args;
    const n = x.shape[0]!;
    const k = w.shape.slice(0, -2);
    const out = x.shape.slice(1, -1).map((s, i) => (s - 1) * stride[i]! + k[i]!);
    const filters = w.shape.at(-2)!;
    if (x.rank === 3) {
      const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
      const w4 = tf.expandDims(w, 0) as tf.Tensor4D;
      return tf.squeeze(tf.conv2dTranspose(x4, w4, [n, 1, out[0]!, filters], [1, stride[0]!], 'valid'), [1]);
    }
    if (x.rank === 4) return tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [n, out[0]!, out[1]!, filters], stride as [number, number], 'valid');
    const shape: [number, number, number, number, number] = [n, out[0]!, out[1]!, out[2]!, filters];
    return tf.conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, shape, stride as [number, number, number], 'valid');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcConvTranspose);

/** Inserts d − 1 zeros between kernel taps along each window axis (so training keeps working). */
function dilateKernel(w: tf.Tensor, dilation: readonly number[]): tf.Tensor {
  let y = w;
  dilation.forEach((d, axis) => {
    if (d === 1) return;
    const k = y.shape[axis]!;
    const spread = [...y.shape.slice(0, axis), k, 1, ...y.shape.slice(axis + 1)] as number[];
    const pads = spread.map((_, i) => [0, i === axis + 1 ? d - 1 : 0] as [number, number]);
    const grown = tf.reshape(tf.pad(tf.reshape(y, spread), pads), [...y.shape.slice(0, axis), k * d, ...y.shape.slice(axis + 1)] as number[]);
    y = tf.slice(grown, grown.shape.map(() => 0), grown.shape.map((s, i) => (i === axis ? (k - 1) * d + 1 : s!)));
  });
  return y;
}
