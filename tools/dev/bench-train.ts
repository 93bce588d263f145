// T11 training throughput per backend, with an optional per-kernel profile: the detailed companion
// of the `train` section of `npm run bench` (tools/dev/bench/train.ts), for finding what is slow.
// usage: node dist/tools/dev/bench-train.js [--backend wasm,cpu] [--steps N] [--batch N] [--profile] [--json]
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { describeBackend, setBackend, type BackendName } from '../../runtime/index.js';
import { parseArgs, UsageError } from '../cli/args.js';
import { benchT11, PYTORCH, TARGET, type TrainBench } from './bench/train.js';

export function formatTrainBench(results: readonly TrainBench[], heading = true): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const title = `T11 training (545,098 params, 32×32×3, SGD momentum), images per second; target ≥ ${n(TARGET)}, PyTorch ${n(PYTORCH)}`;
  const lines = heading ? [title] : [];
  for (const r of results) {
    const verdict = r.imagesPerSecond >= TARGET ? 'meets the target' : `${((100 * r.imagesPerSecond) / TARGET).toFixed(0)}% of the target`;
    const speed = `${n(r.imagesPerSecond).padStart(6)} images/s  (${r.msPerStep.toFixed(1)} ms/step, ${verdict})`;
    lines.push(`  ${r.backend.padEnd(8)} batch ${r.batch}: ${speed}`);
    for (const k of r.kernels ?? []) lines.push(`      ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    backend: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    profile: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const backends = ((parsed.flags['backend'] as string | undefined) ?? 'wasm').split(',') as BackendName[];
  const steps = Number(parsed.flags['steps'] ?? 20);
  const batch = Number(parsed.flags['batch'] ?? 64);
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(batch) || batch < 1) {
    throw new UsageError('--steps and --batch need whole numbers ≥ 1');
  }
  const results: TrainBench[] = [];
  for (const name of backends) {
    const report = await setBackend(name);
    if (report.fellBack) {
      process.stderr.write(`bench-train: skipping ${name}: ${describeBackend(report)}\n`);
      continue;
    }
    const measured = await benchT11({ batch, steps, profile: parsed.flags['profile'] === true });
    const result: TrainBench = { backend: describeBackend(report), ...measured };
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
