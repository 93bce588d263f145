// `archc train --engine torch`: the same checks, data, settings and run folder as the tfjs engine,
// with the steps run by PyTorch. Node prepares a job folder (engines/torch/job.ts), starts the
// worker (engines/torch/worker.py; under torchrun for several processes), draws the progress from
// the JSON lines it prints, and turns each checkpoint it announces into the run folder's files
// (model.json + weights.bin for tfjs, model.safetensors, optimizer.safetensors, training.json
// last, metrics.json, curves.svg), so eval, predict, export and --resume work as after tfjs.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../compiler/node-host.js';
import { setBackend } from '../../runtime/index.js';
import { ioReason, isFileError, makeFolders } from '../../runtime/persist/files.js';
import { prepare, type Prepared, type SessionIo, type TrainRequest } from '../../runtime/train/session.js';
import type { DataProblem } from '../../runtime/data/dataset.js';
import type { TrainOutcome } from '../../runtime/train/trainer.js';
import { CheckpointWriter } from './checkpoints.js';
import { Display, failureMessage, type WorkerEvent } from './events.js';
import { writeJob, type TorchOptions } from './job.js';
import { torchModule } from './module.js';
import { findPython } from './python.js';

export type TorchResult =
  | { readonly ok: true; readonly outcome: TrainOutcome }
  | { readonly ok: false; readonly problem: DataProblem; readonly interrupted?: boolean };

export async function runTorchSession(req: TrainRequest, options: TorchOptions, io: SessionIo): Promise<TorchResult> {
  const python = findPython();
  if (typeof python === 'string') return { ok: false, problem: { message: `--engine torch: ${python}` } };
  // tfjs only writes the run folder's model.json + weights.bin here (wasm: the cpu backend greets
  // Node users with a banner).
  await setBackend('wasm');
  const prepared = prepare(req, io);
  if (!prepared.ok) return prepared;
  const module = torchModule(prepared.graph);
  if (!module.ok) return { ok: false, problem: { message: `--engine torch: ${module.message}` } };
  try {
    makeFolders(req.out);
  } catch (e) {
    if (!isFileError(e)) throw e;
    return { ok: false, problem: { message: `cannot write to ${req.out}: ${ioReason(e)}` } };
  }
  if (prepared.resumed) io.log(`resuming from ${req.resume} after epoch ${prepared.resumed.state.epoch}`);
  const folder = writeJob(req, prepared, module.module, options);
  try {
    return await runWorkers(python.python, folder, req, prepared, options, io);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Starts the worker(s), follows their events until they exit, and reads the outcome. */
async function runWorkers(
  python: string,
  folder: string,
  req: TrainRequest,
  p: Prepared,
  options: TorchOptions,
  io: SessionIo,
): Promise<TorchResult> {
  const worker = join(packageRoot, 'engines', 'torch', 'worker.py');
  const distributed = options.nproc > 1 || options.torchrun !== undefined;
  const args = distributed
    ? ['-m', 'torch.distributed.run', ...(options.torchrun ?? ['--standalone']), `--nproc-per-node=${options.nproc}`, worker, folder]
    : [worker, folder];
  const env: NodeJS.ProcessEnv = { ...process.env, ARCHC_DRIVER_PID: String(process.pid), PYTHONDONTWRITEBYTECODE: '1' };
  // torchrun would set one thread per process; share this machine's cores between the processes.
  if (distributed && !env.OMP_NUM_THREADS) env.OMP_NUM_THREADS = String(Math.max(1, Math.floor(availableParallelism() / options.nproc)));
  const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const writer = new CheckpointWriter(req, p);
  const display = new Display(req, p, io, writer);
  display.onFatal = () => void child.kill('SIGTERM');
  const stderr: string[] = [];
  let interrupted = false;
  const stop = (signal: NodeJS.Signals) => {
    interrupted = true;
    // A terminal's Ctrl-C reaches the workers too; a signal sent to archc alone is passed on.
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (process.env.ARCHC_TORCH_DEBUG) process.stderr.write(`${line}\n`);
    if (stderr.length > 400) stderr.shift();
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const at = line.indexOf('@archc ');
    if (at < 0) return;
    try {
      display.handle(JSON.parse(line.slice(at + 7)) as WorkerEvent);
    } catch {
      // A line cut short by a dying worker: the exit status tells the story.
    }
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  const written = await display.settled();
  if (!written.ok) return written;
  const outcome = display.outcome();
  if (outcome && exit.code === 0) return { ok: true, outcome };
  const kept = writer.lastEpoch
    ? `the checkpoint of epoch ${writer.lastEpoch} in ${req.out} is kept; --resume ${req.out} continues`
    : 'no checkpoint was written yet';
  if (interrupted) return { ok: false, interrupted: true, problem: { message: `interrupted; ${kept}` } };
  return { ok: false, problem: failureMessage(exit, display.errors, stderr, options.nproc, kept) };
}
