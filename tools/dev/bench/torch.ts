// Benchmark section `torch`: T11 training (zoo t11_cifar10_augmented, 545,098 parameters) at
// batch 64 through `archc train --engine torch`, beside the same network written by hand in
// PyTorch (tools/dev/bench/t11_pytorch.py) on the same machine, alternating twice; the best of
// each counts. Target: the engine at ≥ 0.9× the hand-written loop's images per second. Both
// figures are the second epoch's (the first warms up), training steps only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../compiler/compile.js';
import { locate, nodeHost, packageRoot } from '../../../compiler/node-host.js';
import { runTorchSession } from '../../../engines/torch/engine.js';
import { findPython } from '../../../engines/torch/python.js';
import { normalizePresets } from '../../../runtime/data/batch.js';
import { optimizerDefaults } from '../../../runtime/train/optimizers.js';
import type { TrainRequest } from '../../../runtime/train/session.js';
import type { BenchSection, Figure } from './section.js';

const batch = 64;
const steps = 60;
const rounds = 2;

/** Images per second of the second epoch of `archc train t11 --engine torch` on synthetic images. */
async function engineRate(): Promise<number> {
  const compiled = compile(locate('t11_cifar10_augmented'), nodeHost);
  if (!compiled.ok || !compiled.graph) throw new Error('t11_cifar10_augmented does not compile');
  const out = mkdtempSync(join(tmpdir(), 'archc-bench-torch-'));
  const request: TrainRequest = {
    graph: compiled.graph,
    source: { file: compiled.graph.file, params: {}, inputs: {} },
    data: { kind: 'synthetic', samples: batch * steps },
    out,
    epochs: 2,
    batchSize: batch,
    valFraction: 0,
    lr: 0.01,
    optimizer: { ...optimizerDefaults, kind: 'sgd', momentum: 0.9 },
    schedule: { kind: 'constant' },
    smoothing: 0,
    augment: {},
    normalize: normalizePresets.symmetric,
    freeze: [],
    seed: 0,
    backend: 'torch',
    force: true,
  };
  try {
    const result = await runTorchSession(request, { nproc: 1, device: 'auto' }, { log: () => {} });
    if (!result.ok) throw new Error(result.problem.message);
    return result.outcome.history.at(-1)!.imagesPerSecond;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function referenceRate(python: string): number {
  const script = join(packageRoot, 'tools', 'dev', 'bench', 't11_pytorch.py');
  const run = spawnSync(python, [script, '--batch', String(batch), '--steps', String(steps)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`t11_pytorch.py failed: ${run.stderr.trim().split('\n').pop()}`);
  return (JSON.parse(run.stdout) as { imagesPerSecond: number }).imagesPerSecond;
}

export const torchSection: BenchSection = {
  name: 'torch',
  summary: 'T11 training at batch 64: --engine torch beside the same network by hand in PyTorch',
  async run() {
    const python = findPython();
    if (typeof python === 'string') {
      process.stderr.write(`bench torch: skipped: ${python}\n`);
      return [];
    }
    const engine: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < rounds; i++) {
      reference.push(referenceRate(python.python));
      engine.push(await engineRate());
    }
    const best = (xs: number[]) => Math.max(...xs);
    const how = `best of ${rounds} alternating runs, epoch 2 of ${steps} steps; torch ${python.torch}`;
    const figures: Figure[] = [
      { label: 'T11 train, PyTorch by hand, batch 64', value: best(reference), unit: 'images/s', lowerIsBetter: false, how },
      { label: 'T11 train, archc --engine torch, batch 64', value: best(engine), unit: 'images/s', target: Math.round(0.9 * best(reference)), lowerIsBetter: false, how },
      { label: 'T11 train, --engine torch / by hand', value: best(engine) / best(reference), unit: '×', target: 0.9, lowerIsBetter: false, how },
    ];
    return figures;
  },
};
