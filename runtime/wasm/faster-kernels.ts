// Faster versions of wasm kernels that exist but run as plain loops, which made training on wasm
// crawl (the zoo's small CIFAR-10 net t11_cifar10_augmented at batch 64: 50 images/s). Each keeps tfjs's kernel for the
// cases it does not cover, and each is compared with the cpu backend in tests/runtime/wasm-kernels.test.ts.
// - Conv2DBackpropInput: a correlation of dy (spread by the stride) with the flipped filter, which
//   XNNPACK runs (10× faster for a 3×3 conv).
// - BatchMatMul with a transposed operand or a batch of matrices: transpose first, and one product
//   per batch entry (tfjs-wasm sends both to a plain loop instead of XNNPACK; dense layers'
//   gradients and attention are exactly these products).
// - MaxPoolGrad: a JavaScript loop over the wasm heap, channels innermost (2–3× faster than
//   tfjs-wasm's own loop on that net's pools).
// - FusedBatchNorm: x·scale + shift through XNNPACK's broadcasting multiply and add, after
//   working out scale and shift per channel (4× faster than tfjs-wasm's loop).
// - Sum over the leading axes (every bias gradient): average pools through XNNPACK, where
//   tfjs-wasm transposes the whole tensor first (10× faster).
import * as tf from '@tensorflow/tfjs-core';
import { adopt, run, spreadForBackprop, tensorOf, type HeapBackend, type Kernel, type Pad, type Pair, type Rounding } from './kernel-utils.js';

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
    const { backend, inputs } = args;
    const [a, b] = [inputs['a']!, inputs['b']!];
    const [batchA, batchB] = [a, b].map((t) => tf.util.sizeFromShape(t.shape.slice(0, -2))) as [number, number];
    const batched = batchA > 1 || batchB > 1;
    if (!transposeA && !transposeB && !batched) return original(args);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return original(args);
    const attrs = { ...args.attrs, transposeA: false, transposeB: false };
    const product = (x: tf.Tensor, y: tf.Tensor) => adopt(backend, original({ backend, inputs: { a: x, b: y }, attrs }));
    const swapLast = (t: tf.Tensor) => tf.transpose(t, [...t.shape.slice(0, -2).map((_, i) => i), t.rank - 1, t.rank - 2]);
    return run(backend, () => {
      const x = transposeA ? swapLast(tensorOf(backend, a)) : tensorOf(backend, a);
      const y = transposeB ? swapLast(tensorOf(backend, b)) : tensorOf(backend, b);
      if (!batched) return product(x, y);
      // One plain product per batch entry (attention heads, say), each through XNNPACK.
      const [m, k] = x.shape.slice(-2) as [number, number];
      const n = y.shape.at(-1)!;
      const xs = tf.reshape(x, [batchA, m, k]);
      const ys = tf.reshape(y, [batchB, k, n]);
      const entry = (t: tf.Tensor, count: number, i: number) => (count === 1 ? t : tf.slice(t, [i, 0, 0], [1, -1, -1]));
      const parts = Array.from({ length: Math.max(batchA, batchB) }, (_, i) => product(entry(xs, batchA, i), entry(ys, batchB, i)));
      const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      return tf.reshape(tf.concat(parts, 0), [...outer, m, n]);
    });
  },

  MaxPoolGrad: (original) => (args) => {
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
      filterSize: Pair | number; strides: Pair | number; pad: Pad; dimRoundingMode?: Rounding;
    };
    const { inputs } = args;
    const input = inputs['input']!;
    if (input.dtype !== 'float32') return original(args);
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad as 'same' | 'valid' | number, dimRoundingMode);
    const backend = args.backend as HeapBackend;
    // Output first: making it may grow the heap, which would detach views taken before.
    const dx = backend.makeOutput(input.shape, 'float32');
    maxPoolBackprop(backend.typedArrayFromHeap(input), backend.typedArrayFromHeap(inputs['dy']!), backend.typedArrayFromHeap(dx), info);
    return dx;
  },

  FusedBatchNorm: (original) => (args) => {
    const { backend, inputs } = args;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    if (inputs['x']!.dtype !== 'float32') return original(args);
    return run(backend, () => {
      const [x, mean, variance] = ['x', 'mean', 'variance'].map((k) => tensorOf(backend, inputs[k]!));
      const offset = inputs['offset'] ? tensorOf(backend, inputs['offset']) : undefined;
      const gain = inputs['scale'] ? tensorOf(backend, inputs['scale']) : undefined;
      // y = x·scale + shift, with scale and shift worked out on the (small) statistics first.
      let scale = tf.rsqrt(tf.add(variance!, varianceEpsilon));
      if (gain) scale = tf.mul(scale, gain);
      const centre = tf.mul(mean!, scale);
      const shift = offset ? tf.sub(offset, centre) : tf.neg(centre);
      return tf.add(tf.mul(x!, scale), shift);
    });
  },

  Sum: (original) => (args) => {
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const { backend, inputs } = args;
    const x = inputs['x']!;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return original(args);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    return run(backend, () => {
      // Rows as the height of a one-column image, channels as its channels: two average pools,
      // √rows rows each (a pairwise-like order, 4e-6 relative error over 65,536 rows).
      let image = tf.reshape(tensorOf(backend, x), [1, rows, 1, tf.util.sizeFromShape(kept)]) as tf.Tensor4D;
      const first = divisorNear(Math.sqrt(rows), rows);
      if (first > 1) image = tf.avgPool(image, [first, 1], [first, 1], 'valid');
      const mean = tf.avgPool(image, [rows / first, 1], 1, 'valid');
      return tf.reshape(tf.mul(mean, rows), keepDims ? [...axes.map(() => 1), ...kept] : kept);
    });
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

/** The largest divisor of `n` that is at most `limit`. */
function divisorNear(limit: number, n: number): number {
  for (let d = Math.floor(limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
