// Faster versions of wasm kernels that exist but run as plain loops, which made training on wasm
// crawl (the seed's CIFAR net T11 at batch 64: 50 images/s). Each keeps tfjs's kernel for the
// cases it does not cover, and each is compared with the cpu backend in tests/runtime/wasm-kernels.test.ts.
// - Conv2DBackpropInput: a correlation of dy (spread by the stride) with the flipped filter, which
//   XNNPACK runs (10× faster for a 3×3 conv).
// - BatchMatMul with a transposed operand: transpose first (tfjs-wasm multiplies transposed
//   operands in a loop; dense layers' gradients are exactly these products).
// - MaxPoolGrad: a JavaScript loop over the wasm heap, channels innermost, in place of
//   tfjs-wasm's C++ loop that strides across channels.
// - Sum over the leading axes (every bias gradient): a loop adding rows, where tfjs-wasm
//   transposes the whole tensor first (10× faster).
import * as tf from '@tensorflow/tfjs-core';
import { run, spreadForBackprop, tensorOf, type HeapBackend, type Kernel, type Pad, type Pair, type Rounding } from './kernel-utils.js';

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

  MaxPoolGrad: (original) => (args) => {
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
      filterSize: Pair | number; strides: Pair | number; pad: Pad; dimRoundingMode?: Rounding;
    };
    const { inputs } = args;
    const input = inputs['input']!;
    if (input.dtype !== 'float32') return original(args);
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad as 'same' | 'valid' | number, dimRoundingMode);
    const backend = args.backend as unknown as HeapBackend;
    // Output first: making it may grow the heap, which would detach views taken before.
    const dx = backend.makeOutput(input.shape, 'float32');
    maxPoolBackprop(backend.typedArrayFromHeap(input), backend.typedArrayFromHeap(inputs['dy']!), backend.typedArrayFromHeap(dx), info);
    return dx;
  },

  Sum: (original) => (args) => {
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const x = args.inputs['x']!;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return original(args);
    const kept = x.shape.slice(axes.length);
    const backend = args.backend as HeapBackend;
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    sumRows(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out));
    return out;
  },
};

/**
 * The gradient of a max pool: each window's dy goes to the first maximum of the window in scan
 * order (as in tfjs's cpu kernel, TensorFlow and PyTorch), summed where windows overlap. A plain
 * loop over the wasm heap, channels innermost so that every read is contiguous.
 */
function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  dx.fill(0);
  let dyAt = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, dyAt += channels) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let a = 0; a < filterHeight; a++) {
          const iy = oy * strideHeight - top + a;
          if (iy < 0 || iy >= inHeight) continue;
          for (let b = 0; b < filterWidth; b++) {
            const ix = ox * strideWidth - left + b;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((n * inHeight + iy) * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) if (at[c]! >= 0) dx[at[c]!] += dy[dyAt + c]!;
      }
    }
  }
}

/** out[c] = Σ_r x[r·C + c] for C = out.length, accumulated in double precision. */
function sumRows(x: Float32Array, out: Float32Array): void {
  const columns = out.length;
  const total = new Float64Array(columns);
  for (let start = 0; start < x.length; start += columns) {
    for (let c = 0; c < columns; c++) total[c] += x[start + c]!;
  }
  out.set(total);
}
