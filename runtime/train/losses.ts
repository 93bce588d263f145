// Training losses on a [batch, outputs] model output and integer labels: cross-entropy with label
// smoothing and class weights, binary cross-entropy, mean squared error. Each knows whether the
// model ends in logits or in probabilities (a softmax or sigmoid output node) and stays stable.
import * as tf from '@tensorflow/tfjs-core';

export type LossKind = 'ce' | 'bce' | 'mse';

export const lossKinds: readonly LossKind[] = ['ce', 'bce', 'mse'];

export interface LossSpec {
  readonly kind: LossKind;
  /** ε of label smoothing: targets become (1 - ε)·onehot + ε/K (ε/2 for binary). */
  readonly smoothing: number;
  /** One weight per class; the loss is Σ wᵢ·lᵢ / Σ wᵢ (PyTorch's weighted mean). */
  readonly classWeights?: readonly number[];
}

/** What the model's last node produces. */
export type OutputKind = 'logits' | 'softmax' | 'sigmoid';

const epsilon = 1e-7;

/**
 * The batch loss. With one output unit the labels are the 0/1 targets themselves (binary
 * classification); with K units they are class indices, compared with their one-hot vectors.
 */
export function computeLoss(spec: LossSpec, output: OutputKind, y: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const units = y.shape[1];
    const targets = units === 1 ? tf.reshape(tf.cast(labels, 'float32'), [-1, 1]) : tf.oneHot(labels, units);
    const perSample = perSampleLoss(spec, output, y, tf.cast(targets, 'float32'), units);
    if (!spec.classWeights) return tf.mean(perSample);
    const weights = tf.gather(tf.tensor1d(spec.classWeights as number[]), labels);
    return tf.div(tf.sum(tf.mul(perSample, weights)), tf.maximum(tf.sum(weights), epsilon));
  });
}

function perSampleLoss(spec: LossSpec, output: OutputKind, y: tf.Tensor2D, targets: tf.Tensor, units: number): tf.Tensor {
  switch (spec.kind) {
    case 'ce': {
      const t = smooth(targets, spec.smoothing, units);
      const logProbs = output === 'softmax' ? tf.log(tf.clipByValue(y, epsilon, 1)) : tf.logSoftmax(y);
      return tf.neg(tf.sum(tf.mul(t, logProbs), 1));
    }
    case 'bce': {
      const t = smooth(targets, spec.smoothing, 2);
      if (output === 'logits') {
        // max(z, 0) - z·t + log(1 + e^-|z|): no overflow for large |z|.
        return tf.mean(tf.add(tf.sub(tf.relu(y), tf.mul(y, t)), tf.log1p(tf.exp(tf.neg(tf.abs(y))))), 1);
      }
      const p = tf.clipByValue(y, epsilon, 1 - epsilon);
      const positive = tf.mul(t, tf.log(p));
      const negative = tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)));
      return tf.neg(tf.mean(tf.add(positive, negative), 1));
    }
    case 'mse':
      return tf.mean(tf.square(tf.sub(y, targets)), 1);
  }
}

function smooth(targets: tf.Tensor, e: number, k: number): tf.Tensor {
  return e > 0 ? tf.add(tf.mul(targets, 1 - e), e / k) : targets;
}

/** Predicted classes: argmax over K units; for one unit, logit > 0 or probability > 0.5. */
export function predictedClasses(output: OutputKind, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    if (y.shape[1] !== 1) return tf.argMax(y, 1) as tf.Tensor1D;
    return tf.cast(tf.greater(tf.reshape(y, [-1]), output === 'logits' ? 0 : 0.5), 'int32') as tf.Tensor1D;
  });
}

/** Class probabilities from the model output; one unit gives both classes, [P(0), P(1)]. */
export function probabilities(output: OutputKind, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    if (y.shape[1] === 1) {
      const p = output === 'logits' ? tf.sigmoid(y) : y;
      return tf.concat([tf.sub(1, p), p], 1) as tf.Tensor2D;
    }
    return output === 'logits' ? tf.softmax(y) : y;
  });
}

/** scikit-learn's compute_class_weight('balanced'): n / (K · n_k). */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (c ? n / (counts.length * c) : 0));
}
