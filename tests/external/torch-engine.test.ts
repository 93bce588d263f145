// archc train --engine torch as a user runs it: bin/archc.js as a subprocess with real PyTorch, a
// small model on the tiny shapes dataset, one or two worker processes (DistributedDataParallel
// over gloo), and the run folder read back by eval, predict and export. Also the failures: no
// torch, a killed worker (its checkpoint is kept and resumes), Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/node-host.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import { findPython } from '../../engines/torch/python.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir, writeFile } from '../train/fixtures.js';

const root = tempDir('archc-torch-engine-');
const data = join(root, 'shapes');
const arch = join(root, 'small.arch');
const small = `model small(classes = 3) {
  input image: [3, 12, 12]
  x = image |> conv(4, 3, pad=1, bias=false, name="conv1") |> bn(name="bn1") |> relu |> maxpool(2)
  output logits = x |> flatten |> dense(classes, name="fc")
}
`;

// One thread per worker: these models are tiny, and CI's two cores are shared by other tests.
const env = { ...process.env, NO_COLOR: '1', OMP_NUM_THREADS: '1' };
const python = findPython();

interface Run {
  status: number | null;
  out: string;
  err: string;
}

function start(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { env: { ...env, ...extraEnv } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const done = new Promise<Run>((resolve) => child.on('close', (status) => resolve({ status, out, err })));
  return { child, done };
}

const archc = (args: readonly string[], extraEnv?: NodeJS.ProcessEnv) => start(args, extraEnv).done;
const trainArgs = (out: string, ...extra: string[]) =>
  ['train', arch, '--data', join(data, 'train'), '-o', out, '--engine', 'torch', '--epochs', '2', '-b', '8', ...extra];

beforeAll(() => {
  makeTinyDataset(data, { perClass: 12, testPerClass: 4, seed: 2 });
  writeFile(arch, small);
});

// Each run starts Python and imports torch (about 2 s a process on an idle machine, far more on a
// busy one), hence the generous timeouts.
describe.runIf(typeof python !== 'string')('archc train --engine torch', { timeout: 240_000 }, () => {
  const out = join(root, 'run');

  it('trains with PyTorch and writes the run folder the tfjs engine writes', async () => {
    const r = await archc(trainArgs(out, '--augment', 'flip,crop=1,rotate=10,brightness=0.1', '--optimizer', 'sgd', '--nesterov', '--schedule', 'cosine'));
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toContain('data: 36 images (circle 12, square 12, triangle 12), 1 unreadable skipped, resized to 12×12×3; 30 training, 6 validation');
    expect(r.out).toMatch(/engine: torch \S+ on CPU, 1 thread\n/);
    expect(r.out).toMatch(/epoch 2\/2 \[=+\] 4\/4 {2}loss \d\.\d{4} {2}acc \d\.\d{3} {2}\d+ img\/s {2}val_loss \d\.\d{4} {2}val_acc \d\.\d{3}/);
    expect(r.out).toContain('trained 2 epochs; saved the weights of epoch 2');
    expect(readdirSync(out).sort()).toEqual(['curves.svg', 'metrics.json', 'model.json', 'model.safetensors', 'optimizer.safetensors', 'training.json', 'weights.bin']);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2]);
    expect(metrics.history[1].lr).toBeCloseTo(0.005);
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(training).toMatchObject({ model: 'small', classes: ['circle', 'square', 'triangle'], epoch: 2, backend: expect.stringMatching(/^torch .* \(cpu\)$/) });
    const weights = readSafetensors(readFileSync(join(out, 'model.safetensors')));
    expect(weights.ok && [...weights.weights.keys()].sort()).toEqual(
      ['bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.weight', 'conv1.weight', 'fc.bias', 'fc.weight'],
    );
    // Batch norm's running statistics moved away from their initial values: they were trained.
    expect(weights.ok && Array.from(weights.weights.get('bn1.running_mean')!.data).some((v) => v !== 0)).toBe(true);
    const optimizer = readSafetensors(readFileSync(join(out, 'optimizer.safetensors')));
    expect(optimizer.ok && optimizer.metadata['step']).toBe('8');
    expect(optimizer.ok && optimizer.weights.has('conv1.weight/momentum')).toBe(true);
  });

  it('eval, predict and export read a torch-trained run as a tfjs one', async () => {
    const evaluated = await archc(['eval', out, '--data', join(data, 'test'), '--json']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({ count: 12 });
    const image = join(data, 'test', 'square', 'square-000.png');
    const predicted = await archc(['predict', out, image]);
    expect(predicted.status).toBe(0);
    expect(predicted.out).toMatch(/square-000\.png/);
    const onnx = join(root, 'small.onnx');
    const exported = await archc(['export', arch, '--weights', join(out, 'model.safetensors'), '-o', onnx]);
    expect(exported.status).toBe(0);
    expect(existsSync(onnx)).toBe(true);
  });

  it('trains with two processes (DistributedDataParallel over gloo)', async () => {
    const r = await archc(trainArgs(join(root, 'ddp'), '--nproc', '2'));
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/engine: torch \S+ on CPU, 1 thread; 2 processes, DistributedDataParallel over gloo/);
    expect(r.out).toContain('trained 2 epochs');
    const training = JSON.parse(readFileSync(join(root, 'ddp', 'training.json'), 'utf8'));
    expect(training.backend).toMatch(/\(cpu, 2 processes\)$/);
    expect(training.state.history).toHaveLength(2);
  });

  it('a killed worker stops the run with its rank; the last checkpoint is kept and resumes', async () => {
    const run = join(root, 'killed');
    const { child, done } = start(trainArgs(run, '--nproc', '2', '--epochs', '10000'));
    const rank1 = await waitFor(() => existsSync(join(run, 'training.json')) && workerOfRank(child.pid!, 1));
    process.kill(rank1, 'SIGKILL');
    const r = await done;
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^archc train: the torch worker of rank 1 was killed by SIGKILL; the other workers were stopped\n {2}hint: the checkpoint of epoch (\d+) in .* is kept; --resume .* continues\n$/);
    const kept = JSON.parse(readFileSync(join(run, 'training.json'), 'utf8'));
    expect(r.err).toContain(`the checkpoint of epoch ${kept.epoch} `);
    const weights = readSafetensors(readFileSync(join(run, 'model.safetensors')));
    expect(weights.ok).toBe(true);
    const resumed = await archc(trainArgs(run, '--resume', run, '--epochs', String(kept.epoch + 1)));
    expect(resumed.err).toBe('');
    expect(resumed.out).toContain(`resuming from ${run} after epoch ${kept.epoch}`);
    expect(resumed.out).toContain(`trained ${kept.epoch + 1} epochs`);
  });

  it('Ctrl-C stops cleanly and keeps the last checkpoint', async () => {
    const run = join(root, 'interrupted');
    const { child, done } = start(trainArgs(run, '--epochs', '10000'));
    await waitFor(() => existsSync(join(run, 'training.json')));
    child.kill('SIGINT');
    const r = await done;
    expect(r.status).toBe(130);
    expect(r.err).toMatch(/^archc train: interrupted; the checkpoint of epoch \d+ in .* is kept; --resume .* continues\n$/);
    expect(JSON.parse(readFileSync(join(run, 'training.json'), 'utf8')).epoch).toBeGreaterThan(0);
  });
});

describe.runIf(typeof python !== 'string')('the torch engine\'s augmentations', () => {
  it('equal runtime/data/augment.ts\'s warp (flip, rotation, shift, reflected borders) on whole batches', () => {
    const script = join(packageRoot, 'tests', 'python', 'check_torch_augment.py');
    const run = spawnSync((python as { python: string }).python, [script, join(packageRoot, 'engines', 'torch')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const diff = JSON.parse(run.stdout) as { shift_and_flip: number; warp: number };
    expect(diff.shift_and_flip).toBe(0);
    expect(diff.warp).toBeLessThan(1e-5);
  });
});

describe('archc train --engine torch without torch', () => {
  it('says what to install', async () => {
    const r = await archc(trainArgs(join(root, 'none')), { ARCHC_PYTHON: '/usr/bin/python3' });
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^archc train: --engine torch: no Python with torch found \(\/usr\/bin\/python3: has no module 'torch'\); install PyTorch/);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(existsSync(join(root, 'none'))).toBe(false);
  });

  it('refuses torch-only flags for the tfjs engine and --backend for torch', async () => {
    const a = await archc(['train', arch, '--data', 'synthetic', '-o', join(root, 'x'), '--nproc', '2']);
    expect(a.status).toBe(2);
    expect(a.err).toContain('--nproc belongs to --engine torch');
    const b = await archc(trainArgs(join(root, 'x'), '--backend', 'wasm'));
    expect(b.status).toBe(2);
    expect(b.err).toContain('--engine torch takes --device auto, cpu or cuda');
  });
});

/** Polls `check` until it returns a truthy value. */
async function waitFor<T>(check: () => T | false | undefined): Promise<T> {
  for (;;) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid of the worker of `rank` among the descendants of `pid` (Linux /proc). */
function workerOfRank(pid: number, rank: number): number | undefined {
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const queue = children(pid);
  while (queue.length) {
    const p = queue.shift()!;
    queue.push(...children(p));
    try {
      const environ = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
      const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmdline.includes('worker.py') && environ.includes(`RANK=${rank}`)) return p;
    } catch {
      // The process ended meanwhile.
    }
  }
  return undefined;
}
