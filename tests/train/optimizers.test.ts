// Optimizer updates on the cpu backend, step by step against PyTorch's update equations.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Optimizer, optimizerDefaults, type OptimizerSpec } from '../../runtime/train/optimizers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `steps` updates with the given gradients on a [1, 1] kernel and a [1] bias. */
function trajectory(spec: Partial<OptimizerSpec> & Pick<OptimizerSpec, 'kind'>, grads: number[], lr = 0.1): { kernel: number[]; bias: number[] } {
  const kernel = tf.variable(tf.tensor2d([[1]]), true, 'k');
  const bias = tf.variable(tf.tensor1d([1]), true, 'b');
  const opt = new Optimizer({ ...optimizerDefaults, ...spec }, [{ name: 'k', variable: kernel }, { name: 'b', variable: bias }]);
  const out = { kernel: [] as number[], bias: [] as number[] };
  for (const g of grads) {
    tf.tidy(() => opt.apply([tf.tensor2d([[g]]), tf.tensor1d([g])], lr));
    out.kernel.push(kernel.dataSync()[0]!);
    out.bias.push(bias.dataSync()[0]!);
  }
  opt.dispose();
  kernel.dispose();
  bias.dispose();
  return out;
}

const close = (actual: number[], expected: number[]) => actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 6));

describe('SGD', () => {
  it('plain: w -= lr·g', () => {
    close(trajectory({ kind: 'sgd' }, [1, 2]).kernel, [0.9, 0.7]);
  });

  it('momentum: b = μb + g (b starts at g), w -= lr·b', () => {
    // b1 = 1, w = 0.9; b2 = 0.9 + 2 = 2.9, w = 0.61
    close(trajectory({ kind: 'sgd', momentum: 0.9 }, [1, 2]).kernel, [0.9, 0.61]);
  });

  it('Nesterov: w -= lr·(g + μb)', () => {
    // b1 = 1, step 1 + 0.9 = 1.9 → 0.81; b2 = 2.9, step 2 + 2.61 = 4.61 → 0.349
    close(trajectory({ kind: 'sgd', momentum: 0.9, nesterov: true }, [1, 2]).kernel, [0.81, 0.349]);
  });

  it('weight decay adds wd·w to the gradient of kernels only', () => {
    const t = trajectory({ kind: 'sgd', weightDecay: 0.5 }, [0]);
    close(t.kernel, [0.95]);
    close(t.bias, [1]);
  });
});

describe('Adam', () => {
  it('first step moves every weight by lr whatever the gradient scale', () => {
    close(trajectory({ kind: 'adam' }, [0.5]).kernel, [0.9]);
    close(trajectory({ kind: 'adam' }, [50]).kernel, [0.9]);
  });

  it('bias-corrects the moments', () => {
    const g = [1, -2];
    const m1 = 0.1 * g[0]!;
    const v1 = 0.001 * g[0]! ** 2;
    const m2 = 0.9 * m1 + 0.1 * g[1]!;
    const v2 = 0.999 * v1 + 0.001 * g[1]! ** 2;
    const w1 = 1 - 0.1 * (m1 / 0.1) / (Math.sqrt(v1 / 0.001) + 1e-8);
    const w2 = w1 - 0.1 * (m2 / (1 - 0.81)) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8);
    close(trajectory({ kind: 'adam' }, g).kernel, [w1, w2]);
  });

  it('decays decoupled from the gradient (AdamW)', () => {
    close(trajectory({ kind: 'adam', weightDecay: 0.1 }, [1]).kernel, [1 - 0.1 - 0.1 * 0.1]);
  });
});

describe('RMSprop', () => {
  it('divides by the root of the running mean square', () => {
    const v1 = 0.1 * 4;
    close(trajectory({ kind: 'rmsprop' }, [2]).kernel, [1 - (0.1 * 2) / (Math.sqrt(v1) + 1e-8)]);
  });
});

describe('state', () => {
  it('restores slots so that a resumed run continues the same trajectory', () => {
    const kernel = tf.variable(tf.tensor2d([[1]]));
    const opt = new Optimizer({ ...optimizerDefaults, kind: 'sgd', momentum: 0.9 }, [{ name: 'k', variable: kernel }]);
    tf.tidy(() => opt.apply([tf.tensor2d([[1]])], 0.1));
    const { step, slots } = opt.state();
    const saved = new Map([...slots].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]));
    const resumed = new Optimizer(opt.spec, [{ name: 'k', variable: kernel }]);
    expect(resumed.restore(step, saved)).toBe(1);
    tf.tidy(() => resumed.apply([tf.tensor2d([[2]])], 0.1));
    expect(kernel.dataSync()[0]).toBeCloseTo(0.61, 6);
    expect(resumed.step).toBe(2);
  });
});
