// Gradient kernels that tfjs's wasm backend lacks (Conv2DBackpropFilter and both depthwise
// backprops), written as ordinary convolutions that the wasm backend runs through XNNPACK. Each
// is checked against the cpu backend's own kernel in tests/runtime/wasm-kernels.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { run, spreadForBackprop, tensorOf, type Kernel, type Pad, type Pair, type Rounding } from './kernel-utils.js';

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
