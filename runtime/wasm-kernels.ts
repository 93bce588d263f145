// Gradient kernels that tfjs's wasm backend lacks (Conv2DBackpropFilter and both depthwise
// backprops), written as ordinary convolutions that the wasm backend runs through XNNPACK. Each
// is checked against the cpu backend's own kernel in tests/runtime/wasm-kernels.test.ts.
import * as tf from '@tensorflow/tfjs-core';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Pair = [number, number];
interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: tf.KernelBackend;
  readonly attrs?: tf.NamedAttrMap;
}

/** The kernels, by name; registered on the wasm backend by `registerWasmKernels`. */
export const wasmKernels: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  Conv2DBackpropFilter: ({ inputs, backend, attrs }) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: Pair | number; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: number[];
    };
    return run(backend, () => {
      let x = tensorOf(backend, inputs['x']!) as tf.Tensor4D;
      let dy = tensorOf(backend, inputs['dy']!) as tf.Tensor4D;
      if (dataFormat === 'NCHW') {
        x = tf.transpose(x, [0, 2, 3, 1]);
        dy = tf.transpose(dy, [0, 2, 3, 1]);
      }
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
      const { top, bottom, left, right } = info.padInfo;
      const xp = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
      // dW[a, b, i, o] = Σ_{n,y,x} xp[n, a + y·s, b + x·s, i] · dy[n, y, x, o]: a convolution of
      // xp (batch ↔ channels swapped) with dy as the filter, dilated by the stride.
      const image = tf.transpose(xp, [3, 1, 2, 0]);
      const filter = tf.transpose(dy, [1, 2, 0, 3]);
      const r = tf.conv2d(image, filter, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
      const cropped = tf.slice(r, [0, 0, 0, 0], [-1, info.filterHeight, info.filterWidth, -1]);
      return tf.transpose(cropped, [1, 2, 0, 3]);
    });
  },

  DepthwiseConv2dNativeBackpropFilter: ({ inputs, backend, attrs }) => {
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: Pair | number; dilations: Pair | number; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: number[];
    };
    return run(backend, () => {
      const x = tensorOf(backend, inputs['x']!) as tf.Tensor4D;
      const dy = tensorOf(backend, inputs['dy']!) as tf.Tensor4D;
      const [kh, kw, channels, multiplier] = filterShape as [number, number, number, number];
      const info = tf.backend_util.computeConv2DInfo(x.shape, [kh, kw, channels, multiplier], strides, dilations, pad, dimRoundingMode, true);
      const { top, bottom, left, right } = info.padInfo;
      const [n] = x.shape;
      const xp = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
      // Each (sample, channel) pair becomes a channel of one image; dy becomes its filter.
      const image = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, xp.shape[1], xp.shape[2], n * channels]) as tf.Tensor4D;
      const filter = tf.reshape(
        tf.transpose(tf.reshape(dy, [n, info.outHeight, info.outWidth, channels, multiplier]), [1, 2, 0, 3, 4]),
        [info.outHeight, info.outWidth, n * channels, multiplier],
      ) as tf.Tensor4D;
      const stride: Pair = [info.strideHeight, info.strideWidth];
      const dilation: Pair = [info.dilationHeight, info.dilationWidth];
      // Filter taps step by the dilation; dy positions by the stride (one of them is 1).
      const r = tf.depthwiseConv2d(image, filter, dilation, 'valid', 'NHWC', stride);
      const cropped = tf.slice(r, [0, 0, 0, 0], [1, kh, kw, -1]);
      return tf.sum(tf.reshape(cropped, [kh, kw, n, channels, multiplier]), 2);
    });
  },

  DepthwiseConv2dNativeBackpropInput: ({ inputs, backend, attrs }) => {
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: Pair | number; dilations: Pair | number; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: number[];
    };
    return run(backend, () => {
      const dy = tensorOf(backend, inputs['dy']!) as tf.Tensor4D;
      const w = tensorOf(backend, inputs['filter']!) as tf.Tensor4D;
      const [kh, kw, channels, multiplier] = w.shape;
      const shape = inputShape as [number, number, number, number];
      const info = tf.backend_util.computeConv2DInfo(shape, w.shape, strides, dilations, pad, dimRoundingMode, true);
      const [n, height, width] = shape;
      const [sh, sw] = [info.strideHeight, info.strideWidth];
      const [dh, dw] = [info.dilationHeight, info.dilationWidth];
      // Spread dy out by the stride (zeros between), then correlate with the flipped filter.
      const rows = (info.outHeight - 1) * sh + 1;
      const cols = (info.outWidth - 1) * sw + 1;
      const c = channels * multiplier;
      let up = tf.reshape(dy, [n, info.outHeight, 1, info.outWidth, 1, c]);
      up = tf.pad(up, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      up = tf.slice(tf.reshape(up, [n, info.outHeight * sh, info.outWidth * sw, c]), [0, 0, 0, 0], [n, rows, cols, c]);
      const padded = padOrCrop(up as tf.Tensor4D, [
        [(kh - 1) * dh - info.padInfo.top, height + (kh - 1) * dh],
        [(kw - 1) * dw - info.padInfo.left, width + (kw - 1) * dw],
      ]);
      const flipped = tf.reshape(tf.reverse(w, [0, 1]), [kh, kw, c, 1]) as tf.Tensor4D;
      const r = tf.depthwiseConv2d(padded, flipped, 1, 'valid', 'NHWC', [dh, dw]);
      return tf.sum(tf.reshape(r, [n, height, width, channels, multiplier]), 4);
    });
  },
};

/** Pads (or crops, for negative amounts) axes 1 and 2: [before, final size] per axis. */
function padOrCrop(x: tf.Tensor4D, axes: [number, number][]): tf.Tensor4D {
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

/** A tensor over a kernel input, holding its own reference (disposing it leaves the input alone). */
function tensorOf(backend: tf.KernelBackend, info: tf.TensorInfo): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/**
 * Runs tensor ops inside a kernel and hands their result to the engine, the way tfjs's own
 * Identity kernel shares data: one more reference on the result, then the scope is disposed.
 */
function run(backend: tf.KernelBackend, compute: () => tf.Tensor): tf.TensorInfo {
  const result = tf.tidy(compute);
  backend.incRef(result.dataId);
  const info = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
  result.dispose();
  return info;
}

/** Registers the missing kernels on the wasm backend (once; existing kernels are left alone). */
export function registerWasmKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries(wasmKernels)) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
