// Benchmark section `train`: training throughput of the zoo's small CIFAR-10 network
// t11_cifar10_augmented (tutorial model T11, 545,098 parameters) at batch 64, through the same loop as
// `archc train` (batching, forward, backward, SGD with momentum). Target ≥ 1,200 images/s on wasm;
// PyTorch does 2,394 on the same 2-core machines. webgpu is measured too where a GPU adapter exists.
import * as tf from '@tensorflow/tfjs-core';
import { compile } from '../../../compiler/compile.js';
import { buildModel, describeBackend, setBackend } from '../../../runtime/index.js';
import { normalizePresets } from '../../../runtime/data/batch.js';
import { splitIndices, syntheticSet } from '../../../runtime/data/dataset.js';
import { optimizerDefaults } from '../../../runtime/train/optimizers.js';
import { train, type TrainConfig } from '../../../runtime/train/trainer.js';
import { locate, nodeHost } from '../../../compiler/node-host.js';
import type { BenchSection, Figure } from './section.js';

/** The project's target and PyTorch's figure on the same 2-core machines (images per second). */
export const TARGET = 1200;
export const PYTORCH = 2394;

export interface TrainBench {
  readonly backend: string;
  readonly batch: number;
  readonly steps: number;
  readonly imagesPerSecond: number;
  readonly msPerStep: number;
  /** The slowest kernels of one step, when profiled. */
  readonly kernels?: readonly { name: string; ms: number }[];
}

/** Times `steps` training steps of T11 after a one-epoch warm-up on the current backend. */
export async function benchT11(options: { batch: number; steps: number; profile?: boolean }): Promise<Omit<TrainBench, 'backend'>> {
  const compiled = compile(locate('t11_cifar10_augmented'), nodeHost);
  if (!compiled.ok || !compiled.graph) throw new Error('t11_cifar10_augmented does not compile');
  const built = buildModel(compiled.graph, { seed: 0 });
  if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
  const { batch, steps } = options;
  const set = syntheticSet({ classes: 10, samples: batch * steps, shape: { height: 32, width: 32, channels: 3 }, seed: 0 });
  const split = splitIndices(set, 0, 0);
  const config: TrainConfig = {
    epochs: 2,
    batchSize: batch,
    lr: 0.01,
    optimizer: { ...optimizerDefaults, kind: 'sgd', momentum: 0.9 },
    schedule: { kind: 'constant' },
    loss: { kind: 'ce', smoothing: 0 },
    output: 'logits',
    normalize: normalizePresets.symmetric,
    augment: {},
    seed: 0,
  };
  const outcome = await train(built.model, set, split, config);
  const timed = outcome.history.at(-1)!;
  let kernels: { name: string; ms: number }[] | undefined;
  if (options.profile) {
    const one = { ...set, count: batch };
    const info = await tf.profile(async () => {
      await train(built.model, one, { train: split.train.subarray(0, batch), val: split.val }, { ...config, epochs: 1 });
    });
    const totals = new Map<string, number>();
    // `<name>__op` entries are the ops wrapping the kernels; count kernels only.
    for (const k of info.kernels.filter((k) => !k.name.endsWith('__op'))) totals.set(k.name, (totals.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    kernels = [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, 10);
  }
  built.model.dispose();
  return { batch, steps, imagesPerSecond: timed.imagesPerSecond, msPerStep: (timed.seconds * 1000) / steps, ...(kernels && { kernels }) };
}

const steps = 20;

export const trainSection: BenchSection = {
  name: 'train',
  summary: 'T11 training throughput at batch 64 (archc train loop)',
  async run() {
    const figures: Figure[] = [];
    for (const backend of ['wasm', 'webgpu'] as const) {
      const report = await setBackend(backend);
      // webgpu only on a real GPU: a software adapter says nothing about GPU speed.
      if (report.fellBack || (backend === 'webgpu' && !report.adapter?.hardware)) continue;
      const r = await benchT11({ batch: 64, steps });
      figures.push({
        label: `T11 train, ${describeBackend(report)}, batch 64`,
        value: r.imagesPerSecond,
        unit: 'images/s',
        target: TARGET,
        lowerIsBetter: false,
        how: `${steps} steps after a ${steps}-step warm-up epoch; PyTorch ${PYTORCH.toLocaleString('en-US')}`,
      });
    }
    return figures;
  },
};
