// Training throughput of the seed's CIFAR-10 network T11 (zoo t11_cifar10_augmented, 545,098
// parameters) at batch 64, through the same loop as `archc train` (batching, forward, backward,
// SGD with momentum), on each backend asked for. A benchmark, not a test: figures vary by machine.
// usage: node dist/tools/bench-train.js [--backend wasm,cpu] [--steps N] [--batch N] [--profile] [--json]
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { compile } from '../compiler/compile.js';
import { buildModel, describeBackend, setBackend, type BackendName } from '../runtime/index.js';
import { splitIndices, syntheticSet } from '../runtime/train/dataset.js';
import { normalizePresets } from '../runtime/train/batch.js';
import { optimizerDefaults } from '../runtime/train/optimizers.js';
import { train, type TrainConfig } from '../runtime/train/trainer.js';
import { parseArgs, UsageError } from './args.js';
import { locate, nodeHost } from './node-host.js';

/** The target and PyTorch's figure on the same 2-core machines (images per second). */
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

export function formatTrainBench(results: readonly TrainBench[], heading = true): string {
  const lines = heading ? [`T11 training (545,098 params, 32×32×3, SGD momentum), images per second; target ≥ ${TARGET.toLocaleString('en-US')}, PyTorch ${PYTORCH.toLocaleString('en-US')}`] : [];
  for (const r of results) {
    const verdict = r.imagesPerSecond >= TARGET ? 'meets the target' : `${((100 * r.imagesPerSecond) / TARGET).toFixed(0)}% of the target`;
    lines.push(`  ${r.backend.padEnd(8)} batch ${r.batch}: ${Math.round(r.imagesPerSecond).toLocaleString('en-US').padStart(6)} images/s  (${r.msPerStep.toFixed(1)} ms/step, ${verdict})`);
    for (const k of r.kernels ?? []) lines.push(`      ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv, { backend: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, profile: { type: 'boolean' }, json: { type: 'boolean' } });
  const backends = ((parsed.flags['backend'] as string | undefined) ?? 'wasm').split(',') as BackendName[];
  const steps = Number(parsed.flags['steps'] ?? 20);
  const batch = Number(parsed.flags['batch'] ?? 64);
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(batch) || batch < 1) throw new UsageError('--steps and --batch need whole numbers ≥ 1');
  const results: TrainBench[] = [];
  for (const name of backends) {
    const report = await setBackend(name);
    if (report.fellBack) {
      process.stderr.write(`bench-train: skipping ${name}: ${describeBackend(report)}\n`);
      continue;
    }
    const result: TrainBench = { backend: describeBackend(report), ...(await benchT11({ batch, steps, profile: parsed.flags['profile'] === true })) };
    results.push(result);
    // Each backend's line as soon as it is measured: a slow backend should not hide the others.
    if (!parsed.flags['json']) process.stdout.write(formatTrainBench([result], results.length === 1));
  }
  if (parsed.flags['json']) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`bench-train: ${e instanceof UsageError ? e.message : (e as Error).stack}\n`);
      process.exitCode = 2;
    },
  );
}
