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

/** Pads (or crops, for negative amounts) axes 1 and 2: [before, final size] per axis. */
export function padOrCrop(x: tf.Tensor4D, axes: [number, number][]): tf.Tensor4D {
  let y = x;
  axes.forEach(([before, size], i) => {
    const axis = i + 1;
    if (before < 0) y = tf.slice(y, y.shape.map((_, k) => (k === axis ? -before : 0)), y.shape.map((d, k) => (k === axis ? d + before : -1)));
    else if (before > 0) y = tf.pad(y, y.shape.map((_, k) => [k === axis ? before : 0, 0] as Pair));
    const after = size - y.shape[axis]!;
    if (after < 0) y = tf.slice(y, [0, 0, 0, 0], y.shape.map((d, k) => (k === axis ? size : d)));
    else if (after > 0) y = tf.pad(y, y.shape.map((_, k) => [0, k === axis ? after : 0] as Pair));
  });
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
