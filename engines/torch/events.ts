// What the torch worker reports (JSON lines after "@archc " on its stdout) and how archc shows it:
// the same progress bar, epoch lines, metrics.json and curves.svg as the tfjs engine, checkpoints
// written in order, and one message naming the worker when a run fails.
import { ioReason, isFileError } from '../../runtime/persist/files.js';
import { ProgressBar, type StepStats } from '../../runtime/display/progress.js';
import { writeRunFiles, type Prepared, type SessionIo, type TrainRequest } from '../../runtime/train/session.js';
import type { DataProblem } from '../../runtime/data/dataset.js';
import { valSummary, type EpochRecord, type TrainOutcome } from '../../runtime/train/trainer.js';
import type { CheckpointEvent, CheckpointWriter } from './checkpoints.js';

export type WorkerEvent =
  | { event: 'start'; world: number; device: string; torch: string; backend: string | null; threads: number }
  | ({ event: 'step'; epoch: number; step: number; steps: number } & StepStats)
  | { event: 'epoch'; record: EpochRecord }
  | CheckpointEvent
  | { event: 'nan'; epoch: number; step: number; lr: number }
  | { event: 'done'; status: 'completed' | 'early-stopped'; bestEpoch: number }
  | { event: 'error'; rank: number; message: string; detail: string };

export interface WorkerError {
  readonly rank: number;
  readonly message: string;
  readonly detail: string;
}

export class Display {
  readonly errors: WorkerError[] = [];
  /** Called when archc cannot keep the run folder current: the workers should stop. */
  onFatal: () => void = () => {};
  private readonly history: EpochRecord[];
  private readonly model: string;
  private backend = 'torch';
  private bar: { epoch: number; bar: ProgressBar; stats: StepStats } | undefined;
  private end: TrainOutcome | undefined;
  private queue: Promise<void> = Promise.resolve();
  private failure: DataProblem | undefined;

  constructor(
    private readonly req: TrainRequest,
    p: Prepared,
    private readonly io: SessionIo,
    private readonly writer: CheckpointWriter,
  ) {
    this.history = [...(p.resumed?.state.history ?? [])];
    this.model = p.graph.model;
  }

  handle(e: WorkerEvent): void {
    switch (e.event) {
      case 'start': {
        const where = e.device === 'cpu' ? `CPU, ${e.threads} thread${e.threads === 1 ? '' : 's'}` : e.device;
        const ddp = e.world > 1 ? `; ${e.world} processes, DistributedDataParallel over ${e.backend}` : '';
        this.backend = `torch ${e.torch} (${e.device}${e.world > 1 ? `, ${e.world} processes` : ''})`;
        this.io.log(`engine: torch ${e.torch} on ${where}${ddp}`);
        return;
      }
      case 'step':
        return this.step(e);
      case 'epoch':
        return this.epoch(e.record);
      case 'checkpoint':
        return this.later(() => this.writer.commit(e, this.backend));
      case 'nan':
        this.end = { status: 'nan', history: this.history, epoch: e.epoch, step: e.step, lr: e.lr };
        return;
      case 'done':
        this.end = { status: e.status, history: this.history, bestEpoch: e.bestEpoch };
        return;
      case 'error':
        this.errors.push(e);
        return;
    }
  }

  private step(e: { epoch: number; step: number; steps: number } & StepStats): void {
    if (this.bar?.epoch !== e.epoch) {
      const label = `epoch ${String(e.epoch).padStart(String(this.req.epochs).length)}/${this.req.epochs}`;
      this.bar = { epoch: e.epoch, bar: new ProgressBar(this.io.progress ?? { write: () => true }, label, e.steps), stats: e };
    }
    this.bar.stats = e;
    this.bar.bar.update(e.step, e);
  }

  private epoch(record: EpochRecord): void {
    this.history.push(record);
    const val = valSummary(record);
    this.bar?.bar.finish(record, val);
    const history = [...this.history];
    this.later(() => writeRunFiles(this.req.out, this.model, this.backend, history));
  }

  /** Runs `write` after the writes before it; a failed write stops the run. */
  private later(write: () => Promise<void> | void): void {
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        await write();
      } catch (e) {
        const reason = isFileError(e) ? ioReason(e) : (e as Error).message;
        this.failure = { message: `cannot write to ${this.req.out}: ${reason}`, hint: 'files already there are whole: each is replaced in one step' };
        this.onFatal();
      }
    });
  }

  /** Waits for the pending writes; a failed one is the run's result. */
  async settled(): Promise<{ ok: true } | { ok: false; problem: DataProblem }> {
    await this.queue;
    return this.failure ? { ok: false, problem: this.failure } : { ok: true };
  }

  /** How the run ended, when the worker said so. */
  outcome(): TrainOutcome | undefined {
    if (this.end?.status === 'nan') return { ...this.end, lastCheckpoint: this.writer.lastEpoch };
    return this.end;
  }
}

/** One message for a run whose workers stopped without finishing, naming the worker. */
export function failureMessage(
  exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error },
  errors: readonly WorkerError[],
  stderr: readonly string[],
  nproc: number,
  kept: string,
): DataProblem {
  if (exit.error) return { message: `cannot start the torch worker: ${exit.error.message}` };
  const tail = stderr.filter((l) => l.trim()).slice(-3);
  // Under torchrun the first worker to fail is the root cause; the others then fail to talk to it.
  const root = nproc > 1 ? torchrunRootCause(stderr) : undefined;
  const error = errors.find((e) => e.rank === (root?.rank ?? e.rank));
  if (error) {
    // Where it happened: the last two frames of the worker's traceback.
    const notes = error.detail.split('\n').filter((l) => /^\s*File "/.test(l)).slice(-2).map((l) => l.trim());
    return { message: `the torch worker of rank ${error.rank} failed: ${error.message}`, notes, hint: kept };
  }
  if (root) return { message: `the torch worker of rank ${root.rank} ${root.how}; the other workers were stopped`, hint: kept };
  if (nproc <= 1 && exit.signal) return { message: `the torch worker (rank 0) was killed by ${exit.signal}`, hint: kept };
  const who = nproc <= 1 ? 'the torch worker (rank 0)' : 'the torch workers';
  return { message: `${who} stopped with exit status ${exit.code ?? exit.signal}`, notes: tail, hint: kept };
}

/**
 * The "Root Cause (first observed failure)" of torchrun's report: "rank : 1 (local_rank: 1)",
 * "exitcode : -9 (pid: 123)", "Signal 9 (SIGKILL) received by PID 123".
 */
export function torchrunRootCause(stderr: readonly string[]): { rank: number; how: string } | undefined {
  const text = stderr.join('\n');
  const at = text.lastIndexOf('Root Cause');
  if (at < 0) return undefined;
  const section = text.slice(at);
  const rank = /rank\s*:\s*(\d+)/.exec(section);
  if (!rank) return undefined;
  const signal = /Signal \d+ \((SIG[A-Z]+)\)/.exec(section)?.[1];
  const code = /exitcode\s*:\s*(-?\d+)/.exec(section)?.[1];
  const how = signal ? `was killed by ${signal}` : `stopped with exit status ${code ?? 'unknown'}`;
  return { rank: Number(rank[1]), how };
}
