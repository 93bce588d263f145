// One compile worker, fed the latest text of each document: changes that arrive while a compile
// runs are coalesced (only the newest text of a document is compiled next), which is the debounce.
// A compile that runs past the time limit is stopped by terminating the worker; a fresh one starts.
import { Worker } from 'node:worker_threads';
import type { CompileJob, CompileOutcome } from './compile-document.js';

export type QueueResult =
  | { kind: 'diagnostics'; diagnostics: CompileOutcome['diagnostics'] }
  | { kind: 'done'; outcome: CompileOutcome }
  | { kind: 'timeout'; ms: number };

interface Pending {
  readonly path: string;
  readonly overlays: () => Record<string, string>;
  readonly done: (r: QueueResult) => void;
}

export class CompileQueue {
  private worker?: Worker;
  private running?: { job: CompileJob; pending: Pending; timer?: NodeJS.Timeout };
  private readonly waiting = new Map<string, Pending>();
  private nextId = 1;

  constructor(
    private readonly workerUrl: URL,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Compiles `path` with the overlays read when the compile starts; a newer request replaces an
   * older waiting one. `done` hears the diagnostics, then the whole outcome (or a time-out).
   */
  request(path: string, overlays: () => Record<string, string>, done: (r: QueueResult) => void): void {
    this.waiting.set(path, { path, overlays, done });
    this.pump();
  }

  dispose(): void {
    if (this.running) clearTimeout(this.running.timer);
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private pump(): void {
    if (this.running) return;
    const next = this.waiting.values().next();
    if (next.done) return;
    const pending = next.value;
    this.waiting.delete(pending.path);
    const job: CompileJob = { id: this.nextId++, path: pending.path, overlays: pending.overlays() };
    // The clock starts when the worker starts the job (a fresh worker loads and warms up first).
    this.running = { job, pending };
    this.ensureWorker().postMessage(job);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl);
    worker.on('message', (m: CompileOutcome | { id: number; diagnostics: CompileOutcome['diagnostics'] } | { id: number; started: true }) => {
      if ('started' in m) {
        if (this.running?.job.id === m.id) this.running.timer = setTimeout(() => this.timedOut(), this.timeoutMs);
      } else if ('models' in m) this.finish(m);
      else if (this.running?.job.id === m.id) this.running.pending.done({ kind: 'diagnostics', diagnostics: m.diagnostics });
    });
    // A failed worker (out of memory, a bug) answers the request with no result and is replaced.
    worker.on('error', () => this.restart({ kind: 'done', outcome: { id: this.running?.job.id ?? 0, diagnostics: [], models: [] } }));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private finish(outcome: CompileOutcome): void {
    const running = this.running;
    if (!running || running.job.id !== outcome.id) return;
    clearTimeout(running.timer);
    this.running = undefined;
    running.pending.done({ kind: 'done', outcome });
    this.pump();
  }

  private timedOut(): void {
    this.restart({ kind: 'timeout', ms: this.timeoutMs });
  }

  private restart(result: QueueResult): void {
    const running = this.running;
    this.running = undefined;
    if (running) clearTimeout(running.timer);
    const old = this.worker;
    this.worker = undefined;
    void old?.terminate();
    running?.pending.done(result);
    this.pump();
  }
}
