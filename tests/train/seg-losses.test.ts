// Segmentation losses and pixel counts on the cpu backend against values worked out by hand: a
// 1×2×2 batch with two classes whose fourth pixel is unlabelled (mask value IGNORE).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { IGNORE } from '../../runtime/data/masks.js';
import { pixelConfusion, pixelHits, segLoss, type SegLossSpec } from '../../runtime/train/seg-losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Pixel scores (NHWC, K = 2) and their true classes; pixel 3 is ignored.
const scores = [[2, 0], [0, 1], [0, 3], [1, 1]];
const truth = [0, 1, 1, IGNORE];
const softplus = (v: number) => Math.log(1 + Math.exp(v));
// -log softmax of the true class for two classes is softplus(other - true).
const ce = [softplus(0 - 2), softplus(0 - 1), softplus(0 - 3)];

function loss(spec: Partial<SegLossSpec>, outputs = [scores], output: 'logits' | 'softmax' = 'logits'): number {
  return tf.tidy(() => {
    const ys = outputs.map((o) => tf.tensor4d(o.flat(), [1, 2, 2, 2]));
    const masks = tf.tensor3d(truth, [1, 2, 2], 'int32');
    const full: SegLossSpec = { kind: 'ce', task: 'segmentation', ignoreIndex: 255, auxWeight: 0.5, ...spec };
    return segLoss(full, output, ys, masks).dataSync()[0]!;
  });
}

describe('segmentation losses', () => {
  it('cross-entropy is the mean over labelled pixels only', () => {
    expect(loss({ kind: 'ce' })).toBeCloseTo((ce[0]! + ce[1]! + ce[2]!) / 3, 5);
  });

  it('class weights give the weighted mean Σ w[y]·l / Σ w[y] (PyTorch)', () => {
    expect(loss({ kind: 'ce', classWeights: [3, 1] })).toBeCloseTo((3 * ce[0]! + ce[1]! + ce[2]!) / 5, 5);
  });

  it('reads probabilities when the model ends in softmax', () => {
    const probs = scores.map(([a, b]) => [Math.exp(a!) / (Math.exp(a!) + Math.exp(b!)), Math.exp(b!) / (Math.exp(a!) + Math.exp(b!))]);
    expect(loss({ kind: 'ce' }, [probs], 'softmax')).toBeCloseTo((ce[0]! + ce[1]! + ce[2]!) / 3, 5);
  });

  it('dice is 1 - the mean soft Dice of the classes present', () => {
    const p1 = scores.map(([a, b]) => 1 / (1 + Math.exp(a! - b!)));
    const p0 = p1.map((p) => 1 - p);
    // Labelled pixels 0..2: class 0 is true at pixel 0, class 1 at pixels 1 and 2.
    const dice0 = (2 * p0[0]!) / (p0[0]! + p0[1]! + p0[2]! + 1);
    const dice1 = (2 * (p1[1]! + p1[2]!)) / (p1[0]! + p1[1]! + p1[2]! + 2);
    expect(loss({ kind: 'dice' })).toBeCloseTo(1 - (dice0 + dice1) / 2, 5);
    expect(loss({ kind: 'dice-ce' })).toBeCloseTo(1 - (dice0 + dice1) / 2 + (ce[0]! + ce[1]! + ce[2]!) / 3, 5);
  });

  it('a perfect prediction has a Dice loss near 0 and an auxiliary output adds half its loss', () => {
    const perfect = [[20, -20], [-20, 20], [-20, 20], [0, 0]];
    expect(loss({ kind: 'dice' }, [perfect])).toBeCloseTo(0, 5);
    expect(loss({ kind: 'ce' }, [perfect, scores])).toBeCloseTo(0.5 * (ce[0]! + ce[1]! + ce[2]!) / 3, 5);
  });

  it('counts correct labelled pixels and the confusion matrix', () => {
    // Predictions: pixel 0 → 0, 1 → 1, 2 → 1, 3 (ignored) → 0.
    const wrongFirst = [[0, 2], [0, 1], [0, 3], [1, 1]];
    const y = tf.tensor4d(wrongFirst.flat(), [1, 2, 2, 2]);
    const m = tf.tensor3d(truth, [1, 2, 2], 'int32');
    expect(Array.from(pixelHits(y, m).dataSync())).toEqual([2, 3]);
    expect(pixelConfusion(y, m).arraySync()).toEqual([[0, 1], [0, 2]]);
  });
});
