// Faster versions of wasm kernels that exist but run as plain loops, which made training on wasm
// crawl (the seed's CIFAR net T11 at batch 64: 50 images/s). Each keeps tfjs's kernel for the
// cases it does not cover, and each is compared with the cpu backend in tests/runtime/wasm-kernels.test.ts.
// - Conv2DBackpropInput: a correlation of dy (spread by the stride) with the flipped filter, which
//   XNNPACK runs (10× faster for a 3×3 conv).
// - BatchMatMul with a transposed operand: transpose first (tfjs-wasm multiplies transposed
//   operands in a loop; dense layers' gradients are exactly these products).
import * as tf from '@tensorflow/tfjs-core';
import { run, spreadForBackprop, tensorOf, type Kernel, type Pad, type Pair, type Rounding } from './kernel-utils.js';

/** tfjs's own kernel, for the cases an override leaves to it. */
export type Fallback = (args: Parameters<Kernel>[0]) => tf.TensorInfo;

export const fasterKernels: Record<string, (original: Fallback) => Kernel> = {
  Conv2DBackpropInput: (original) => (args) => {
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as {
      strides: Pair | number; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: Rounding; inputShape: number[];
    };
    if (dataFormat === 'NCHW') return original(args);
    const { backend, inputs } = args;
    return run(backend, () => {
      const dy = tensorOf(backend, inputs['dy']!) as tf.Tensor4D;
      const w = tensorOf(backend, inputs['filter']!) as tf.Tensor4D;
      const info = tf.backend_util.computeConv2DInfo(inputShape as [number, number, number, number], w.shape, strides, 1, pad, dimRoundingMode);
      // [kh, kw, in, out] flipped in space, with in and out swapped.
      const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      return tf.conv2d(spreadForBackprop(dy, info), flipped, 1, 'valid');
    });
  },

  BatchMatMul: (original) => (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const { backend, inputs } = args;
    const swapLast = (t: tf.Tensor) => tf.transpose(t, [...t.shape.slice(0, -2).map((_, i) => i), t.rank - 1, t.rank - 2]);
    return tf.tidy(() => {
      const a = tensorOf(backend, inputs['a']!);
      const b = tensorOf(backend, inputs['b']!);
      const plainA = transposeA ? swapLast(a) : a;
      const plainB = transposeB ? swapLast(b) : b;
      const attrs = { ...args.attrs, transposeA: false, transposeB: false };
      // The transposed copies are disposed with this scope; the product is the kernel's output.
      return original({ backend, inputs: { a: plainA, b: plainB }, attrs }) as unknown as tf.TensorContainer;
    }) as unknown as tf.TensorInfo;
  },

};
