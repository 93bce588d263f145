// What the training loop needs to know about the task, so one loop (runtime/train/trainer.ts)
// trains both: how to make a batch and its targets, the loss, and what "correct" counts —
// images for classification, labelled pixels for segmentation (plus a pixel confusion matrix,
// for the validation mIoU).
import * as tf from '@tensorflow/tfjs-core';
import type { Augment } from '../data/augment.js';
import { makeBatch, type Normalize } from '../data/batch.js';
import type { ImageSet } from '../data/dataset.js';
import { isSegmentationSet } from '../data/masks.js';
import type { Rng } from '../data/rng.js';
import { makeSegBatch } from '../data/seg-batch.js';
import { computeLoss, predictedClasses, type LossSpec, type OutputKind } from './losses.js';
import { isSegLoss, pixelConfusion, pixelHits, segLoss, type SegLossSpec } from './seg-losses.js';

export type TaskKind = 'classification' | 'segmentation';

export interface TaskBatch {
  /** Normalized NHWC floats. */
  readonly x: Float32Array;
  /** The labels [n] or masks [n, height, width] as a tensor (the caller disposes it). */
  targets(): tf.Tensor;
}

export interface TrainTask {
  readonly kind: TaskKind;
  batch(indices: ArrayLike<number>, from: number, to: number, augment?: Augment, rng?: Rng): TaskBatch;
  /** The loss of every score output the model has (the first is the main one). */
  loss(outputs: readonly tf.Tensor[], targets: tf.Tensor): tf.Scalar;
  /** [correct, counted] on the main output: images, or labelled pixels. */
  hits(y: tf.Tensor, targets: tf.Tensor): tf.Tensor1D;
  /** The [K, K] pixel confusion matrix on the main output (segmentation only). */
  confusion?(y: tf.Tensor, targets: tf.Tensor): tf.Tensor2D;
}

export interface TaskSettings {
  readonly loss: LossSpec | SegLossSpec;
  readonly output: OutputKind;
  readonly normalize: Normalize;
}

export function makeTask(set: ImageSet, settings: TaskSettings): TrainTask {
  const { height, width } = set.shape;
  const { normalize, output, loss } = settings;
  if (isSegmentationSet(set)) {
    if (!isSegLoss(loss)) throw new Error('a segmentation set needs a segmentation loss');
    return {
      kind: 'segmentation',
      batch(indices, from, to, augment, rng) {
        const b = makeSegBatch(set, indices, from, to, { normalize, augment, rng });
        return { x: b.x, targets: () => tf.tensor3d(b.masks, [to - from, height, width], 'int32') };
      },
      loss: (outputs, masks) => segLoss(loss, output, outputs, masks),
      hits: pixelHits,
      confusion: pixelConfusion,
    };
  }
  if (isSegLoss(loss)) throw new Error('a classification set needs a classification loss');
  return {
    kind: 'classification',
    batch(indices, from, to, augment, rng) {
      const b = makeBatch(set, indices, from, to, { normalize, augment, rng });
      return { x: b.x, targets: () => tf.tensor1d(b.labels, 'int32') };
    },
    loss: (outputs, labels) => computeLoss(loss, output, outputs[0] as tf.Tensor2D, labels as tf.Tensor1D),
    hits: (y, labels) =>
      tf.tidy(() => tf.stack([tf.sum(tf.cast(tf.equal(predictedClasses(output, y as tf.Tensor2D), labels), 'float32')), tf.scalar(labels.shape[0]!)]) as tf.Tensor1D),
  };
}

/** The model's outputs as a list (a model with an auxiliary head returns several). */
export const asList = (y: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(y) ? y : [y]);
