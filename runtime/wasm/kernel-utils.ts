// Helpers for kernels written with tensor ops inside a wasm kernel: borrowing the inputs, handing
// the result to the engine, and the pad/crop and stride-spreading steps of the backprop kernels.
import * as tf from '@tensorflow/tfjs-core';

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type Pair = [number, number];
export type Rounding = 'floor' | 'round' | 'ceil';

export interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: tf.KernelBackend;
  readonly attrs?: tf.NamedAttrMap;
}

export type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** The wasm backend's access to its heap, for kernels written as JavaScript loops. */
export interface HeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/**
 * A new float32 tensor on the wasm heap, its values left for the caller to write. Take views with
 * `typedArrayFromHeap` after making it: allocating may grow the heap and detach older views.
 */
export function heapTensor(backend: HeapBackend, shape: number[]): tf.Tensor {
  return adopt(backend, backend.makeOutput(shape, 'float32'));
}

/** A tensor that takes over a freshly made output (a kernel's result): disposing it frees the data. */
export function adopt(backend: tf.KernelBackend, output: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(output, backend);
}

/** A tensor over a kernel input, holding its own reference (disposing it leaves the input alone). */
export function tensorOf(backend: tf.KernelBackend, info: tf.TensorInfo): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/**
 * Runs tensor ops inside a kernel and hands their result to the engine, the way tfjs's own
 * Identity kernel shares data: one more reference on the result, then the scope is disposed.
 */
export function run(backend: tf.KernelBackend, compute: () => tf.Tensor): tf.TensorInfo {
  const result = tf.tidy(compute);
  backend.incRef(result.dataId);
  const info = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
  result.dispose();
  return info;
}

/**
 * Pads (or crops, for negative amounts) axes 1 and 2: [before, final size] per axis. One slice
 * for all the crops and one pad for all the padding (each is a full copy on wasm).
 */
export function padOrCrop(x: tf.Tensor4D, axes: [number, number][]): tf.Tensor4D {
  const sides = axes.map(([before, size], i) => [before, size - before - x.shape[i + 1]!] as Pair);
  const crop = sides.map(([before, after]) => [Math.max(0, -before), Math.max(0, -after)] as Pair);
  const pad = sides.map(([before, after]) => [Math.max(0, before), Math.max(0, after)] as Pair);
  let y = x;
  if (crop.some(([b, a]) => b > 0 || a > 0)) {
    y = tf.slice(y, [0, crop[0]![0], crop[1]![0], 0], [-1, y.shape[1] - crop[0]![0] - crop[0]![1], y.shape[2] - crop[1]![0] - crop[1]![1], -1]);
  }
  if (pad.some(([b, a]) => b > 0 || a > 0)) y = tf.pad(y, [[0, 0], pad[0]!, pad[1]!, [0, 0]]);
  return y;
}

/**
 * The input gradient of a convolution is a correlation of dy, spread out by the stride (zeros
 * between rows), with the flipped filter. This returns dy spread and padded so that a 'valid'
 * correlation with a [kh, kw] window dilated by (dh, dw) gives the input's height and width.
 */
export function spreadForBackprop(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [n, , , c] = dy.shape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  let up: tf.Tensor = dy;
  if (sh > 1 || sw > 1) {
    up = tf.reshape(dy, [n, info.outHeight, 1, info.outWidth, 1, c]);
    up = tf.pad(up, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    const rows = (info.outHeight - 1) * sh + 1;
    const cols = (info.outWidth - 1) * sw + 1;
    up = tf.slice(tf.reshape(up, [n, info.outHeight * sh, info.outWidth * sw, c]), [0, 0, 0, 0], [n, rows, cols, c]);
  }
  return padOrCrop(up as tf.Tensor4D, [
    [(info.filterHeight - 1) * dh - info.padInfo.top, info.inHeight + (info.filterHeight - 1) * dh],
    [(info.filterWidth - 1) * dw - info.padInfo.left, info.inWidth + (info.filterWidth - 1) * dw],
  ]);
}
