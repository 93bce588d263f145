// Gradient kernels that tfjs's wasm backend lacks (Conv2DBackpropFilter and both depthwise
// backprops), written as matrix products and ordinary convolutions that the wasm backend runs
// through XNNPACK. Each is checked against the cpu backend's own kernel in
// tests/runtime/wasm-kernels.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { heapTensor, run, spreadForBackprop, tensorOf, type HeapBackend, type Kernel, type Pad, type Pair, type Rounding } from './kernel-utils.js';

/**
 * The largest image-patch matrix Conv2DBackpropFilter builds at once, in floats (64 MiB): bigger
 * batches go in chunks. Tests lower it to reach the chunked and the convolution paths.
 */
export const patchLimit = { floats: 16 * 2 ** 20 };

/** The kernels, by name; registered on the wasm backend by runtime/wasm/index.ts. */
export const missingKernels: Record<string, Kernel> = {
  Conv2DBackpropFilter: ({ inputs, backend, attrs }) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: Pair | number; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: Rounding; filterShape: number[];
    };
    return run(backend, () => {
      let x = tensorOf(backend, inputs['x']!) as tf.Tensor4D;
      let dy = tensorOf(backend, inputs['dy']!) as tf.Tensor4D;
      if (dataFormat === 'NCHW') {
        x = tf.transpose(x, [0, 2, 3, 1]);
        dy = tf.transpose(dy, [0, 2, 3, 1]);
      }
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
      const byPatches = filterGradientByPatches(x, dy, info, backend as HeapBackend);
      if (byPatches) return byPatches;
      const { top, bottom, left, right } = info.padInfo;
      const xp = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
      // One image's patches are too large: dW[a, b, i, o] = Σ_{n,y,x} xp[n, a + y·s, b + x·s, i] ·
      // dy[n, y, x, o], a convolution of xp (batch ↔ channels swapped) with dy as the filter,
      // dilated by the stride.
      const image = tf.transpose(xp, [3, 1, 2, 0]);
      const filter = tf.transpose(dy, [1, 2, 0, 3]);
      const r = tf.conv2d(image, filter, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
      const cropped = tf.slice(r, [0, 0, 0, 0], [-1, info.filterHeight, info.filterWidth, -1]);
      return tf.transpose(cropped, [1, 2, 0, 3]);
    });
  },

  DepthwiseConv2dNativeBackpropFilter: ({ inputs, backend, attrs }) => {
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: Pair | number; dilations: Pair | number; pad: Pad; dimRoundingMode?: Rounding; filterShape: number[];
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
      strides: Pair | number; dilations: Pair | number; pad: Pad; dimRoundingMode?: Rounding; inputShape: number[];
    };
    return run(backend, () => {
      const dy = tensorOf(backend, inputs['dy']!) as tf.Tensor4D;
      const w = tensorOf(backend, inputs['filter']!) as tf.Tensor4D;
      const [kh, kw, channels, multiplier] = w.shape;
      const shape = inputShape as [number, number, number, number];
      const info = tf.backend_util.computeConv2DInfo(shape, w.shape, strides, dilations, pad, dimRoundingMode, true);
      const [n, height, width] = shape;
      const c = channels * multiplier;
      const padded = spreadForBackprop(dy, info);
      const flipped = tf.reshape(tf.reverse(w, [0, 1]), [kh, kw, c, 1]) as tf.Tensor4D;
      const r = tf.depthwiseConv2d(padded, flipped, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
      return tf.sum(tf.reshape(r, [n, height, width, channels, multiplier]), 4);
    });
  },
};

/**
 * dW = patchesᵀ · dy, with the image patches (im2col) written straight into the wasm heap already
 * transposed, [kh·kw·in, n·ho·wo], so that XNNPACK's matrix product reads both operands in order:
 * 2–5× faster than the convolution below, which XNNPACK runs with a huge kernel and tiny output.
 * Undefined when one image's patches exceed the limit.
 */
function filterGradientByPatches(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, backend: HeapBackend): tf.Tensor | undefined {
  const { batchSize, outHeight, outWidth, filterHeight, filterWidth, inChannels, outChannels } = info;
  const rows = outHeight * outWidth;
  const depth = filterHeight * filterWidth * inChannels;
  const perChunk = Math.min(batchSize, Math.floor(patchLimit.floats / (rows * depth)));
  if (perChunk < 1 || x.dtype !== 'float32') return undefined;
  const dyRows = tf.reshape(dy, [batchSize * rows, outChannels]);
  let sum: tf.Tensor | undefined;
  for (let first = 0; first < batchSize; first += perChunk) {
    const count = Math.min(perChunk, batchSize - first);
    const patches = heapTensor(backend, [depth, count * rows]);
    writePatchesTransposed(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(patches), info, first, count);
    const dyChunk = count === batchSize ? dyRows : tf.slice(dyRows, [first * rows, 0], [count * rows, outChannels]);
    const part = tf.matMul(patches, dyChunk);
    sum = sum ? tf.add(sum, part) : part;
  }
  return tf.reshape(sum!, [filterHeight, filterWidth, inChannels, outChannels]);
}

/**
 * patches[(a·kw + b)·in + i][p] = x[n, y·sh + a − top, x·sw + b − left, i] (0 in the padding) for
 * the output pixels p = (n, y, x) of images first … first + count − 1. One pass over x per tap,
 * reading channels in order.
 */
function writePatchesTransposed(x: Float32Array, patches: Float32Array, info: tf.backend_util.Conv2DInfo, first: number, count: number): void {
  const { inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const columns = count * outHeight * outWidth;
  for (let a = 0; a < filterHeight; a++) {
    for (let b = 0; b < filterWidth; b++) {
      const rowBase = (a * filterWidth + b) * channels * columns;
      let p = 0;
      for (let n = first; n < first + count; n++) {
        for (let y = 0; y < outHeight; y++) {
          const iy = y * strideHeight + a - top;
          const rowInside = iy >= 0 && iy < inHeight;
          for (let ox = 0; ox < outWidth; ox++, p++) {
            const ix = ox * strideWidth + b - left;
            const at = rowBase + p;
            if (!rowInside || ix < 0 || ix >= inWidth) {
              for (let i = 0; i < channels; i++) patches[at + i * columns] = 0;
              continue;
            }
            const src = ((n * inHeight + iy) * inWidth + ix) * channels;
            for (let i = 0; i < channels; i++) patches[at + i * columns] = x[src + i]!;
          }
        }
      }
    }
  }
}
