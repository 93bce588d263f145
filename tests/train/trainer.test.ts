// The training loop on the cpu backend with small real tfjs-layers models: learning, early
// stopping with the best weights restored, a NaN stop, and resuming where a run stopped.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitIndices, syntheticSet } from '../../runtime/data/dataset.js';
import { optimizerDefaults } from '../../runtime/train/optimizers.js';
import { evaluateLoss, train, type TrainConfig, type TrainState } from '../../runtime/train/trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = { height: 8, width: 8, channels: 3 } as const;
const set = syntheticSet({ classes: 3, samples: 120, shape, seed: 3 });
const split = splitIndices(set, 0.25, 3);

function dense(seed = 1): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [8, 8, 3] }),
      tfl.layers.dense({ name: 'hidden', units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ name: 'fc', units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

const base: TrainConfig = {
  epochs: 6,
  batchSize: 16,
  lr: 0.05,
  optimizer: { ...optimizerDefaults, kind: 'sgd', momentum: 0.9 },
  schedule: { kind: 'constant' },
  loss: { kind: 'ce', smoothing: 0 },
  output: 'logits',
  normalize: { mean: [0.5], std: [0.5] },
  augment: {},
  seed: 1,
};

describe('train', () => {
  it('learns the synthetic classes, reporting and checkpointing every epoch, without leaking tensors', async () => {
    const model = dense();
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const checkpoints: number[] = [];
    const out = await train(model, set, split, { ...base, augment: { flip: true, noise: 0.02 } }, {
      onEpoch: (r) => void epochs.push(r.epoch),
      onCheckpoint: (s) => void checkpoints.push(s.epoch),
    });
    expect(out.status).toBe('completed');
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(checkpoints).toEqual([1, 2, 3, 4, 5, 6]);
    const last = out.history.at(-1)!;
    expect(last.valAccuracy).toBeGreaterThan(0.9);
    expect(last.loss).toBeLessThan(out.history[0]!.loss);
    expect(last.imagesPerSecond).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a conv net with Adam, a cosine schedule and label smoothing', async () => {
    const model = tfl.sequential({
      layers: [
        // Seeded starting weights: the accuracy bar below must not depend on the draw.
        tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 11 }) }),
      ],
    });
    const out = await train(model, set, split, {
      ...base,
      epochs: 4,
      lr: 0.01,
      optimizer: { ...optimizerDefaults, kind: 'adam' },
      schedule: { kind: 'cosine', epochs: 4, minLr: 0 },
      loss: { kind: 'ce', smoothing: 0.1 },
    });
    expect(out.history.map((h) => h.lr)).toEqual([0.01, 0.01 * (1 + Math.cos(Math.PI / 4)) / 2, 0.005, 0.01 * (1 + Math.cos((3 * Math.PI) / 4)) / 2]);
    expect(out.history.at(-1)!.valAccuracy).toBeGreaterThan(0.8);
  });

  it('stops early and restores the weights of the best epoch', async () => {
    // Two epochs of descent, then the rate turns negative (ascent), so validation loss gets worse.
    const model = dense();
    const saved: number[] = [];
    const out = await train(model, set, split, { ...base, epochs: 10, patience: 2, schedule: { kind: 'step', every: 2, gamma: -1 } }, {
      onCheckpoint: (s) => void saved.push(s.epoch),
    });
    expect(out.status).toBe('early-stopped');
    expect(out.status === 'early-stopped' && out.bestEpoch).toBe(2);
    expect(out.history).toHaveLength(4);
    expect(saved).toEqual([1, 2]);
    const now = evaluateLoss(model, set, split.val, base);
    expect(now.loss).toBeCloseTo(out.history[1]!.valLoss!, 5);
  });

  it('stops on a NaN loss, naming the epoch and the last checkpoint', async () => {
    const model = dense();
    const saved: number[] = [];
    const out = await train(model, set, split, { ...base, loss: { kind: 'mse', smoothing: 0 }, schedule: { kind: 'step', every: 1, gamma: 1e6 } }, {
      onCheckpoint: (s) => void saved.push(s.epoch),
    });
    expect(out.status).toBe('nan');
    if (out.status !== 'nan') return;
    expect(out.epoch).toBe(2);
    expect(out.lastCheckpoint).toBe(1);
    expect(saved).toEqual([1]);
    expect(out.history).toHaveLength(1);
  });

  it('resumes: 2 epochs, then 2 more from the checkpoint, equals 4 epochs in one go', async () => {
    const config = { ...base, epochs: 4, augment: { flip: true, crop: 1 } };
    const straight = dense(5);
    await train(straight, set, split, config);

    const first = dense(5);
    let state: TrainState | undefined;
    let weights: tf.Tensor[] = [];
    await train(first, set, split, { ...config, epochs: 2 }, {
      onCheckpoint: (s, opt) => {
        const { step, slots } = opt.state();
        const saved = new Map([...slots].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]));
        state = { ...s, history: [...s.history], optimizer: { step, slots: saved } };
        tf.dispose(weights);
        weights = first.weights.map((w) => tf.clone(w.read()));
      },
    });
    const second = dense(99);
    second.setWeights(weights);
    const out = await train(second, set, split, config, {}, state);
    expect(out.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    const a = straight.getWeights().map((t) => [...t.dataSync()]);
    const b = second.getWeights().map((t) => [...t.dataSync()]);
    a.forEach((values, i) => values.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, 5)));
  });
});
