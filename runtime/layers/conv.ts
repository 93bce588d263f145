// ArchcConv: the convolutions tfjs's layers cannot express, cannot train or run slowly: grouped
// convolution (tfjs's conv2d silently ignores a `groups` option), depthwise convolution in 1-D,
// 3-D convolution (tfjs's kernels are plain loops), and dilated convolution (tfjs has no gradient
// for it, and refuses stride together with dilation). It pads itself, and skips kernel taps that
// only ever read padding (an ASPP branch with rate 36 on a 17×17 map is a 1×1 convolution).
// The kernel is [...window, in/groups, out], the ONNX OIHW weight transposed.
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { oneShape, oneTensor, register, windowSize, type Kwargs, type LayerArgs, type TfShape } from './base.js';
import type { ConvArgs } from '../../compiler/lower-tfjs/custom-layers.js';
export type { ConvArgs };

/** Per axis: the kernel taps that read some input, and the padding that puts them in place. */
interface AxisPlan {
  readonly first: number;
  readonly count: number;
  readonly begin: number;
  readonly end: number;
}

export class ArchcConv extends layers.Layer {
  static className = 'ArchcConv';
  readonly args: Required<Omit<ConvArgs, keyof LayerArgs>>;
  private kernelVar?: LayerVariable;
  private biasVar?: LayerVariable;

  constructor(args: ConvArgs) {
    super(args);
    const { filters, kernel, stride, dilation, groups, bias } = args;
    const zeros = kernel.map(() => 0);
    this.args = { filters, kernel: [...kernel], stride: [...stride], dilation: [...dilation], groups, bias, begin: [...(args.begin ?? zeros)], end: [...(args.end ?? zeros)] };
  }

  override build(input: TfShape | TfShape[]): void {
    const channels = oneShape(input).at(-1)!;
    const { kernel, groups, filters, bias } = this.args;
    this.kernelVar = this.addWeight('kernel', [...kernel, channels / groups, filters], 'float32', initializers.zeros());
    if (bias) this.biasVar = this.addWeight('bias', [filters], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(input: TfShape | TfShape[]): TfShape {
    const shape = oneShape(input);
    const { kernel, stride, dilation, filters, begin, end } = this.args;
    const spatial = shape.slice(1, -1).map((d, i) => windowSize(d, kernel[i]!, stride[i]!, dilation[i]!, begin[i]!, end[i]!));
    return [shape[0]!, ...spatial, filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const { kernel, stride } = this.args;
      const plan = x.shape.slice(1, -1).map((size, i) => this.plan(i, size));
      let w = this.kernelVar!.read();
      if (plan.some((p, i) => p.count !== kernel[i])) {
        w = tf.slice(w, [...plan.map((p) => p.first), 0, 0], [...plan.map((p) => p.count), -1, -1]);
      }
      const xp = padOrCrop(x, plan.map((p) => [p.begin, p.end]));
      // A single live tap makes the dilation irrelevant on that axis.
      const dilation = this.args.dilation.map((d, i) => (plan[i]!.count === 1 ? 1 : d));
      let y: tf.Tensor;
      if (dilation.every((d) => d === 1)) y = this.grouped(xp, w, stride, dilation);
      else if (kwargs['training'] !== true) y = this.grouped(xp, w, stride, dilation);
      else {
        // tfjs has no gradients for dilated convolutions: when training, run the dilated one as an
        // ordinary one over the input split into dilation phases (TensorFlow's space-to-batch).
        const sizes = xp.shape.slice(1, -1);
        const pads = sizes.map((s, i) => [0, Math.ceil(s / dilation[i]!) * dilation[i]! - s] as [number, number]);
        const phases = tf.spaceToBatchND(xp, dilation, pads);
        const ones = stride.map(() => 1);
        const dense = tf.batchToSpaceND(this.grouped(phases, w, ones, ones), dilation, pads);
        y = subsample(dense, stride);
      }
      return this.biasVar ? tf.add(y, this.biasVar.read()) : y;
    });
  }

  /** Which taps of axis `i` ever read the input (not only padding), and the padding they need. */
  private plan(i: number, size: number): AxisPlan {
    const { kernel, stride, dilation, begin, end } = this.args;
    const [k, s, d, pb] = [kernel[i]!, stride[i]!, dilation[i]!, begin[i]!];
    const out = windowSize(size, k, s, d, pb, end[i]!)!;
    const live = (j: number) => Array.from({ length: out }, (_, o) => o * s + j * d - pb).some((p) => p >= 0 && p < size);
    const taps = Array.from({ length: k }, (_, j) => j).filter(live);
    const first = taps[0] ?? 0;
    const count = taps.length ? taps.at(-1)! - first + 1 : k;
    const shifted = pb - first * d;
    return { first, count, begin: shifted, end: (out - 1) * s + (count - 1) * d + 1 - size - shifted };
  }

  /** Plain, depthwise or grouped convolution. */
  private grouped(x: tf.Tensor, w: tf.Tensor, stride: number[], dilation: number[]): tf.Tensor {
    const { groups } = this.args;
    const channels = x.shape.at(-1)!;
    if (groups === channels && x.rank <= 4) return depthwise(x, w, stride, dilation);
    if (groups === 1) return convolve(x, w, stride, dilation);
    const xs = tf.split(x, groups, -1);
    const ws = tf.split(w, groups, -1);
    return tf.concat(xs.map((xi, g) => convolve(xi, ws[g]!, stride, dilation)), -1);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
register(ArchcConv);

/** tfjs refuses stride and dilation together: convolve densely, then subsample. */
function convolve(x: tf.Tensor, w: tf.Tensor, stride: number[], dilation: number[]): tf.Tensor {
  if (stride.some((s) => s > 1) && dilation.some((d) => d > 1)) return subsample(convolve(x, w, stride.map(() => 1), dilation), stride);
  if (x.rank === 3) return tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, stride[0]!, 'valid', 'NWC', dilation[0]!);
  if (x.rank === 4) {
    return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride as [number, number], 'valid', 'NHWC', dilation as [number, number]);
  }
  return convolve3d(x as tf.Tensor5D, w as tf.Tensor5D, stride, dilation);
}

/**
 * 3-D convolution as a sum over the kernel's depth taps of 2-D convolutions, with the depth folded
 * into the batch: tfjs's own Conv3D kernels are plain loops (seconds where conv2d takes
 * milliseconds on wasm), while conv2d runs through XNNPACK.
 */
function convolve3d(x: tf.Tensor5D, w: tf.Tensor5D, stride: number[], dilation: number[]): tf.Tensor {
  const [n, depth, , , channels] = x.shape;
  const [taps, kh, kw, , filters] = w.shape;
  const [s, d] = [stride[0]!, dilation[0]!];
  const out = Math.floor((depth - d * (taps - 1) - 1) / s) + 1;
  let sum: tf.Tensor | undefined;
  for (let j = 0; j < taps; j++) {
    const rows = subsample(tf.slice(x, [0, j * d, 0, 0, 0], [-1, (out - 1) * s + 1, -1, -1, -1]), [s]);
    const folded = tf.reshape(rows, [n * out, x.shape[2], x.shape[3], channels]) as tf.Tensor4D;
    const tap = tf.reshape(tf.slice(w, [j, 0, 0, 0, 0], [1, -1, -1, -1, -1]), [kh, kw, channels, filters]) as tf.Tensor4D;
    const y = convolve(folded, tap, stride.slice(1), dilation.slice(1));
    sum = sum ? tf.add(sum, y) : y;
  }
  const [, h, wd] = sum!.shape;
  return tf.reshape(sum!, [n, out, h!, wd!, filters]);
}

/** Pads (zeros) or crops (negative amounts) each spatial axis: [before, after]. */
function padOrCrop(x: tf.Tensor, sides: [number, number][]): tf.Tensor {
  const crop = sides.some(([b, e]) => b < 0 || e < 0);
  const padded = sides.some(([b, e]) => b > 0 || e > 0) ? tf.pad(x, [[0, 0], ...sides.map(([b, e]) => [Math.max(b, 0), Math.max(e, 0)] as [number, number]), [0, 0]]) : x;
  if (!crop) return padded;
  const begin = [0, ...sides.map(([b]) => Math.max(-b, 0)), 0];
  const size = padded.shape.map((d, i) => (i === 0 || i === padded.rank - 1 ? -1 : d! - begin[i]! - Math.max(-sides[i - 1]![1], 0)));
  return tf.slice(padded, begin, size);
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
function depthwise(x: tf.Tensor, w: tf.Tensor, stride: number[], dilation: number[]): tf.Tensor {
  if (stride.some((s) => s > 1) && dilation.some((d) => d > 1)) return subsample(depthwise(x, w, stride.map(() => 1), dilation), stride);
  const channels = x.shape.at(-1)!;
  const multiplier = w.shape.at(-1)! / channels;
  if (x.rank === 3) {
    const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
    const w4 = tf.reshape(w, [1, w.shape[0]!, channels, multiplier]) as tf.Tensor4D;
    return tf.squeeze(tf.depthwiseConv2d(x4, w4, [1, stride[0]!], 'valid', 'NHWC', [1, dilation[0]!]), [1]);
  }
  const w4 = tf.reshape(w, [w.shape[0]!, w.shape[1]!, channels, multiplier]) as tf.Tensor4D;
  return tf.depthwiseConv2d(x as tf.Tensor4D, w4, stride as [number, number], 'valid', 'NHWC', dilation as [number, number]);
}
