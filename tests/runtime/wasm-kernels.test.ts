// The kernels archc adds to the wasm backend (runtime/wasm/: the gradients it lacks, faster
// versions of some it has) against the cpu backend's own kernels, over strides, paddings and depth
// multipliers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../../runtime/index.js';
import { missingKernels, fasterKernels, patchLimit } from '../../runtime/wasm/index.js';

beforeAll(async () => {
  await setBackend('wasm');
});

/** Deterministic values in [-1, 1]. */
const values = (shape: number[], seed: number): tf.Tensor =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin((k + 1) * 0.7311 * seed)), shape);

/** Runs `f` on the cpu and on the wasm backend and returns both results as arrays. */
async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array, number[]]> {
  await tf.setBackend('cpu');
  const cpu = tf.tidy(f);
  const expected = (await cpu.data()) as Float32Array;
  cpu.dispose();
  await tf.setBackend('wasm');
  const wasm = tf.tidy(f);
  const actual = (await wasm.data()) as Float32Array;
  const shape = wasm.shape;
  wasm.dispose();
  return [actual, expected, shape];
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(1e-4);
}

type Pad = 'same' | 'valid' | number;

describe('the wasm backend has the kernels training needs', () => {
  it.each([...Object.keys(missingKernels), ...Object.keys(fasterKernels)])('%s is registered on wasm', (name) => {
    expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });
});

describe('Conv2DBackpropInput on wasm (a correlation through XNNPACK) equals cpu', () => {
  const cases: [string, number[], number[], [number, number], Pad][] = [
    ['3x3 stride 1 same', [2, 9, 9, 3], [3, 3, 3, 4], [1, 1], 'same'],
    ['3x3 stride 2 same (uneven pads)', [2, 10, 9, 3], [3, 3, 3, 5], [2, 2], 'same'],
    ['7x7 stride 2 pad 3', [1, 16, 16, 3], [7, 7, 3, 8], [2, 2], 3],
    ['1x1 stride 2 valid (rows left over)', [3, 9, 9, 6], [1, 1, 6, 4], [2, 2], 'valid'],
    ['5x3 stride (2,1) valid', [2, 11, 7, 2], [5, 3, 2, 3], [2, 1], 'valid'],
  ];
  it.each(cases)('%s', async (_name, xShape, wShape, strides, pad) => {
    const [actual, expected] = await onBoth(() => {
      const x = values(xShape, 1) as tf.Tensor4D;
      const w = values(wShape, 2) as tf.Tensor4D;
      const probe = values(tf.conv2d(x, w, strides, pad).shape, 3);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w, strides, pad), probe)))(x);
    });
    expectClose(actual, expected);
  });
});

describe('BatchMatMul with transposed operands on wasm equals cpu', () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('transposeA %s, transposeB %s', async (ta, tb) => {
    const [actual, expected, shape] = await onBoth(() => {
      const a = values(ta ? [3, 7, 5] : [3, 5, 7], 1);
      const b = values(tb ? [1, 4, 7] : [1, 7, 4], 2);
      return tf.matMul(a, b, ta, tb);
    });
    expect(shape).toEqual([3, 5, 4]);
    expectClose(actual, expected);
  });

  it('multiplies batches of matrices entry by entry (attention heads)', async () => {
    const [actual, expected, shape] = await onBoth(() => tf.matMul(values([2, 3, 5, 7], 1), values([2, 3, 7, 4], 2)));
    expect(shape).toEqual([2, 3, 5, 4]);
    expectClose(actual, expected);
  });
});

describe('Conv2DBackpropFilter on wasm equals cpu', () => {
  // Image patches times dy; in chunks of images when the patches of the batch are too large; a
  // convolution when even one image's are.
  // Each path as the patch limit it takes, given the floats of one image's patches.
  const paths: [string, (perImage: number) => number][] = [
    ['all patches at once', () => patchLimit.floats],
    ['one image at a time', (perImage) => perImage],
    ['a convolution', (perImage) => perImage - 1],
  ];
  const cases: [string, number[], number[], [number, number], Pad][] = [
    ['3x3 stride 1 same', [2, 9, 9, 3], [3, 3, 3, 4], [1, 1], 'same'],
    ['3x3 stride 2 same (uneven pads)', [2, 10, 9, 3], [3, 3, 3, 5], [2, 2], 'same'],
    ['7x7 stride 2 pad 3', [1, 16, 16, 3], [7, 7, 3, 8], [2, 2], 3],
    ['1x1 stride 2 valid', [3, 8, 8, 6], [1, 1, 6, 4], [2, 2], 'valid'],
    ['5x3 stride (2,1) valid', [2, 11, 7, 2], [5, 3, 2, 3], [2, 1], 'valid'],
  ];
  it.each(paths.flatMap(([path, limit]) => cases.map(([name, ...c]) => [`${name}, ${path}`, limit, ...c] as const)))('%s', async (_name, limit, xShape, wShape, strides, pad) => {
    const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], wShape as [number, number, number, number], strides, 1, pad);
    const saved = patchLimit.floats;
    patchLimit.floats = limit(info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels);
    const [actual, expected] = await onBoth(() => {
      const x = values(xShape, 1) as tf.Tensor4D;
      const w = values(wShape, 2) as tf.Tensor4D;
      return tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, strides, pad), values(tf.conv2d(x, w, strides, pad).shape, 3))))(w);
    }).finally(() => (patchLimit.floats = saved));
    expectClose(actual, expected);
  });
});

describe('depthwise convolution gradients on wasm equal cpu', () => {
  const cases: [string, number[], number[], [number, number], Pad, [number, number]][] = [
    ['3x3 stride 1 same', [2, 9, 9, 4], [3, 3, 4, 1], [1, 1], 'same', [1, 1]],
    ['3x3 stride 2 same, multiplier 2', [2, 10, 11, 3], [3, 3, 3, 2], [2, 2], 'same', [1, 1]],
    ['5x5 stride 2 pad 2', [1, 13, 13, 5], [5, 5, 5, 1], [2, 2], 2, [1, 1]],
    ['3x3 valid, multiplier 3', [3, 7, 6, 2], [3, 3, 2, 3], [1, 1], 'valid', [1, 1]],
  ];
  it.each(cases)('%s: filter and input gradients', async (_name, xShape, wShape, strides, pad, dilations) => {
    for (const which of [0, 1]) {
      const [actual, expected] = await onBoth(() => {
        const x = values(xShape, 1) as tf.Tensor4D;
        const w = values(wShape, 2) as tf.Tensor4D;
        const forward = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad, 'NHWC', dilations);
        const probe = values(forward(x, w).shape, 3);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(a, b), probe)))([x, w]);
        return which === 0 ? dw! : dx!;
      });
      expectClose(actual, expected);
    }
  });
});

describe('MaxPoolGrad on wasm equals cpu', () => {
  const cases: [string, number[], number, number, Pad][] = [
    ['2x2 stride 2 (windows tile the input)', [2, 8, 6, 5], 2, 2, 'valid'],
    ['3x3 stride 2 same (overlapping, padded)', [2, 9, 10, 3], 3, 2, 'same'],
    ['3x3 stride 1 pad 1', [1, 7, 7, 4], 3, 1, 1],
    ['2x2 stride 2 on odd sizes (last row dropped)', [1, 7, 5, 2], 2, 2, 'valid'],
  ];
  it.each(cases)('%s', async (_name, xShape, size, stride, pad) => {
    const [actual, expected] = await onBoth(() => {
      const x = values(xShape, 1);
      const probe = values(tf.maxPool(x as tf.Tensor4D, size, stride, pad).shape, 3);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, size, stride, pad), probe)))(x);
    });
    expectClose(actual, expected);
  });

  it('gives a window with its maximum twice to the first one in scan order', async () => {
    // After a ReLU whole windows are 0; the gradient goes to the window's first element only.
    const [actual, expected] = await onBoth(() => {
      const x = tf.relu(values([1, 4, 4, 2], 1));
      return tf.grad((input: tf.Tensor) => tf.sum(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid')))(tf.concat([x, tf.zeros([1, 4, 4, 2])], 3));
    });
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(actual.reduce((a, b) => a + b, 0)).toBe(4 * 4);
  });
});

describe('Sum on wasm equals cpu', () => {
  it.each([
    ['leading axes (a bias gradient)', [4, 5, 6, 7], [0, 1, 2], false],
    ['leading axes, kept', [4, 5, 6, 7], [0, 1], true],
    ['a prime number of rows (one pool)', [13, 5], [0], false],
    ['trailing axes', [4, 5, 6, 7], [2, 3], false],
    ['every axis', [4, 5, 6], [0, 1, 2], false],
  ] as const)('%s', async (_name, shape, axes, keepDims) => {
    const [actual, expected, outShape] = await onBoth(() => tf.sum(values([...shape], 1), [...axes], keepDims));
    expect(outShape).toEqual(tf.tidy(() => tf.sum(tf.zeros([...shape]), [...axes], keepDims).shape));
    expectClose(actual, expected);
  });
});

it('the heap-written kernels leave no tensor behind', async () => {
  await tf.setBackend('wasm');
  const x = values([4, 8, 8, 3], 1) as tf.Tensor4D;
  const w = values([3, 3, 3, 6], 2) as tf.Tensor4D;
  const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), 2, 2, 'valid')))([x, w]));
  tf.dispose(step());
  const before = tf.engine().backend.numDataIds();
  tf.dispose(step());
  expect(tf.engine().backend.numDataIds()).toBe(before);
  tf.dispose([x, w]);
});

describe('FusedBatchNorm on wasm equals cpu', () => {
  it.each([
    ['with offset and scale', true, true],
    ['without offset', false, true],
    ['without scale', true, false],
  ])('%s', async (_name, withOffset, withScale) => {
    const [actual, expected] = await onBoth(() => {
      const x = values([2, 5, 4, 6], 1);
      const variance = tf.add(tf.abs(values([6], 3)), 0.1);
      return tf.batchNorm(x, values([6], 2), variance, withOffset ? values([6], 4) : undefined, withScale ? values([6], 5) : undefined, 1e-3);
    });
    expectClose(actual, expected);
  });

  it('trains: the gradients through batch statistics equal cpu', async () => {
    const [actual, expected] = await onBoth(() => {
      const x = values([3, 4, 4, 5], 1);
      const gain = values([5], 2);
      return tf.grad((g: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, values([5], 4), g, 1e-5), values([3, 4, 4, 5], 3)));
      })(gain);
    });
    expectClose(actual, expected);
  });
});
