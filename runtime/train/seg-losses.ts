// Segmentation losses on per-pixel scores [batch, height, width, K] (tfjs's NHWC) and masks of
// class indices [batch, height, width], where IGNORE marks pixels no loss counts:
// - ce: per-pixel cross-entropy, PyTorch's F.cross_entropy(weight=w, ignore_index=i): the
//   weighted mean Σ w[yᵢ]·lᵢ / Σ w[yᵢ] over the labelled pixels;
// - dice: 1 - mean over the classes present in the batch's masks of the soft Dice coefficient
//   2·Σ p·t / (Σ p + Σ t) (Milletari et al. 2016, V-Net), probabilities summed over the batch;
// - dice-ce: their sum (MONAI's DiceCELoss with both weights 1).
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE } from '../data/masks.js';
import type { OutputKind } from './losses.js';
import type { SegLossSpec } from './seg-loss-spec.js';

export { isSegLoss, segLossKinds, type SegLossKind, type SegLossSpec } from './seg-loss-spec.js';

const epsilon = 1e-7;

/** The batch loss of `outputs` (the first is the main one) against `masks`. */
export function segLoss(spec: SegLossSpec, output: OutputKind, outputs: readonly tf.Tensor[], masks: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    let total = oneLoss(spec, output, outputs[0]!, masks);
    for (const aux of outputs.slice(1)) total = tf.add(total, tf.mul(oneLoss(spec, output, aux, masks), spec.auxWeight));
    return total as tf.Scalar;
  });
}

function oneLoss(spec: SegLossSpec, output: OutputKind, y: tf.Tensor, masks: tf.Tensor): tf.Scalar {
  const k = y.shape[y.shape.length - 1]!;
  const scores = tf.reshape(y, [-1, k]);
  const { valid, truth } = flatTargets(masks, k);
  const ce = () => {
    const logProbs = output === 'softmax' ? tf.log(tf.clipByValue(scores, epsilon, 1)) : tf.logSoftmax(scores);
    const perPixel = tf.neg(tf.sum(tf.mul(truth, logProbs), 1));
    const w = spec.classWeights ? tf.sum(tf.mul(truth, tf.tensor1d(spec.classWeights as number[])), 1) : valid;
    return tf.div(tf.sum(tf.mul(perPixel, w)), tf.maximum(tf.sum(w), epsilon));
  };
  const dice = () => {
    const p = tf.mul(output === 'softmax' ? scores : tf.softmax(scores), tf.reshape(valid, [-1, 1]));
    const intersection = tf.sum(tf.mul(p, truth), 0);
    const sums = tf.add(tf.sum(p, 0), tf.sum(truth, 0));
    const present = tf.cast(tf.greater(tf.sum(truth, 0), 0), 'float32');
    const coefficient = tf.div(tf.mul(intersection, 2), tf.maximum(sums, epsilon));
    return tf.sub(1, tf.div(tf.sum(tf.mul(coefficient, present)), tf.maximum(tf.sum(present), 1)));
  };
  switch (spec.kind) {
    case 'ce':
      return ce() as tf.Scalar;
    case 'dice':
      return dice() as tf.Scalar;
    case 'dice-ce':
      return tf.add(ce(), dice()) as tf.Scalar;
  }
}

/** Masks as one-hot rows [pixels, K] (all zero where ignored) and the labelled-pixel indicator. */
function flatTargets(masks: tf.Tensor, k: number): { valid: tf.Tensor1D; truth: tf.Tensor2D } {
  const flat = tf.reshape(tf.cast(masks, 'int32'), [-1]);
  const valid = tf.cast(tf.notEqual(flat, IGNORE), 'float32') as tf.Tensor1D;
  // oneHot gives an all-zero row for an index outside [0, K), which IGNORE is. (Made as int32 and
  // cast: tfjs-backend-wasm 4.22 writes integer bits into a float32 oneHot.)
  const truth = tf.cast(tf.oneHot(flat, k), 'float32') as tf.Tensor2D;
  return { valid, truth };
}

/** The predicted class of every pixel: argmax over the last (class) axis. */
export function predictedPixels(y: tf.Tensor): tf.Tensor {
  return tf.argMax(y, y.shape.length - 1);
}

/** [correct labelled pixels, labelled pixels] as a float32 pair. */
export function pixelHits(y: tf.Tensor, masks: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const m = tf.cast(masks, 'int32');
    const valid = tf.notEqual(m, IGNORE);
    const correct = tf.logicalAnd(valid, tf.equal(tf.cast(predictedPixels(y), 'int32'), m));
    return tf.stack([tf.sum(tf.cast(correct, 'float32')), tf.sum(tf.cast(valid, 'float32'))]) as tf.Tensor1D;
  });
}

/** confusion[true][predicted] over the labelled pixels, as a [K, K] float32 tensor. */
export function pixelConfusion(y: tf.Tensor, masks: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const k = y.shape[y.shape.length - 1]!;
    const { truth } = flatTargets(masks, k);
    const predicted = tf.cast(tf.oneHot(tf.reshape(tf.cast(predictedPixels(y), 'int32'), [-1]), k), 'float32');
    return tf.matMul(truth, predicted, true, false) as tf.Tensor2D;
  });
}
