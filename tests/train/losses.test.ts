// Losses on the cpu backend against values worked out by hand.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { balancedClassWeights, computeLoss, predictedClasses, probabilities, type LossSpec, type OutputKind } from '../../runtime/train/losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function loss(spec: Partial<LossSpec> & Pick<LossSpec, 'kind'>, output: OutputKind, y: number[][], labels: number[]): number {
  return tf.tidy(() => computeLoss({ smoothing: 0, ...spec }, output, tf.tensor2d(y), tf.tensor1d(labels, 'int32')).dataSync()[0]!);
}

const logSoftmax = (z: number[]) => {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};

describe('cross-entropy', () => {
  const z = [[2, 0, -1], [0.5, 0.5, 3]];

  it('is the mean negative log-probability of the true class, from logits or probabilities', () => {
    const expected = -(logSoftmax(z[0]!)[0]! + logSoftmax(z[1]!)[2]!) / 2;
    expect(loss({ kind: 'ce' }, 'logits', z, [0, 2])).toBeCloseTo(expected, 5);
    const p = z.map((row) => logSoftmax(row).map(Math.exp));
    expect(loss({ kind: 'ce' }, 'softmax', p, [0, 2])).toBeCloseTo(expected, 5);
  });

  it('smooths labels to (1 - ε)·onehot + ε/K', () => {
    const l = logSoftmax(z[0]!);
    const e = 0.1;
    const expected = -((1 - e + e / 3) * l[0]! + (e / 3) * l[1]! + (e / 3) * l[2]!);
    expect(loss({ kind: 'ce', smoothing: e }, 'logits', [z[0]!], [0])).toBeCloseTo(expected, 5);
  });

  it('weights samples by their class and divides by the total weight', () => {
    const a = -logSoftmax(z[0]!)[0]!;
    const b = -logSoftmax(z[1]!)[2]!;
    expect(loss({ kind: 'ce', classWeights: [1, 1, 3] }, 'logits', z, [0, 2])).toBeCloseTo((a + 3 * b) / 4, 5);
  });

  it('stays finite for extreme logits', () => {
    expect(Number.isFinite(loss({ kind: 'ce' }, 'logits', [[1e4, -1e4]], [1]))).toBe(true);
  });
});

describe('binary cross-entropy and MSE', () => {
  it('matches -[t·log p + (1 - t)·log(1 - p)] for one output unit', () => {
    const p = 1 / (1 + Math.exp(-0.8));
    const expected = -(Math.log(p) + Math.log(1 - 1 / (1 + Math.exp(1.5)))) / 2;
    expect(loss({ kind: 'bce' }, 'logits', [[0.8], [-1.5]], [1, 0])).toBeCloseTo(expected, 5);
    expect(loss({ kind: 'bce' }, 'sigmoid', [[p], [1 / (1 + Math.exp(1.5))]], [1, 0])).toBeCloseTo(expected, 5);
    expect(Number.isFinite(loss({ kind: 'bce' }, 'logits', [[500], [-500]], [0, 1]))).toBe(true);
  });

  it('averages squared error against the one-hot target', () => {
    expect(loss({ kind: 'mse' }, 'logits', [[1, 0.5]], [1])).toBeCloseTo((1 + 0.25) / 2, 6);
  });
});

describe('predictions', () => {
  it('takes the argmax, or the sign for one unit, and gives both classes\' probabilities', () => {
    const classes = tf.tidy(() => [...predictedClasses('logits', tf.tensor2d([[0.1, 2], [3, 1]])).dataSync()]);
    expect(classes).toEqual([1, 0]);
    const binary = tf.tidy(() => [...predictedClasses('sigmoid', tf.tensor2d([[0.7], [0.2]])).dataSync()]);
    expect(binary).toEqual([1, 0]);
    const p = tf.tidy(() => [...probabilities('logits', tf.tensor2d([[0]])).dataSync()]);
    expect(p).toEqual([0.5, 0.5]);
  });

  it('balanced class weights are n / (K·n_k)', () => {
    expect(balancedClassWeights([30, 10])).toEqual([40 / 60, 2]);
  });
});
