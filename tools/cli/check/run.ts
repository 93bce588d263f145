// Checking many targets: each compiles to text (or JSON) on its own, so a long list is split over
// worker threads (tools/cli/check/worker.ts) and printed in the order given. A few targets stay in-process.
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CompileOptions } from '../../../compiler/compile.js';
import { diagnosticsJson } from '../json.js';
import { displayPath } from '../../../compiler/node-host.js';
import { compileTarget, diagnosticsText, isIoFailure } from '../commands/common.js';

export interface CheckOutcome {
  /** What `check` prints to stderr for this target (empty when it is clean). */
  readonly text: string;
  /** The diagnostics as `check --json` prints them. */
  readonly json: ReturnType<typeof diagnosticsJson>;
  /** 0 clean (warnings allowed), 1 errors, 2 unreadable. */
  readonly status: number;
}

export interface CheckJob {
  readonly targets: readonly string[];
  readonly options: CompileOptions;
  readonly json: boolean;
  readonly color: boolean;
}

/** Below this many targets a worker's start-up costs more than it saves. */
const PARALLEL_FROM = 8;

export function checkOne(target: string, job: Omit<CheckJob, 'targets'>): CheckOutcome {
  const result = compileTarget(target, job.options);
  return {
    text: job.json ? '' : diagnosticsText(result, job.color) + sizesLine(result),
    json: job.json ? diagnosticsJson(result.diagnostics) : [],
    status: isIoFailure(result) ? 2 : result.ok ? 0 : 1,
  };
}

/**
 * `jobs`: threads to use. By default one per idle CPU, at most 4: a worker repeats the start-up work
 * (~0.5 s of CPU for the zoo), which pays only when a core is free to run it.
 */
export async function checkAll(job: CheckJob, jobs?: number): Promise<CheckOutcome[]> {
  const idle = Math.max(1, Math.floor(availableParallelism() - loadavg()[0]));
  const lanes = Math.min(jobs ?? Math.min(idle, 4), Math.floor(job.targets.length / (PARALLEL_FROM / 2)));
  if (lanes < 2) return job.targets.map((t) => checkOne(t, job));
  // Interleaved slices balance big and small models; lane 0 runs here while the workers run.
  const slices = Array.from({ length: lanes }, (_, lane) => job.targets.map((t, i) => [i, t] as const).filter(([i]) => i % lanes === lane));
  const workers = slices.slice(1).map((slice) => runWorker({ ...job, targets: slice.map(([, t]) => t) }));
  const here = slices[0]!.map(([, t]) => checkOne(t, job));
  const there = await Promise.all(workers);
  const out: CheckOutcome[] = new Array(job.targets.length);
  slices.forEach((slice, lane) => slice.forEach(([i], k) => (out[i] = (lane === 0 ? here : there[lane - 1]!)[k]!)));
  return out;
}

function runWorker(job: CheckJob): Promise<CheckOutcome[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`check worker exited with ${code}`)));
  });
}

/**
 * A model with size variables that are not valid for every size says for which: `x.arch: valid for
 * H, W ≥ 32`; so does each block checked on its own (nothing calls it): `x.arch: block up: valid for ...`.
 */
function sizesLine(result: ReturnType<typeof compileTarget>): string {
  const model = result.sizes && result.sizes.conditions.length > 0 ? `${displayPath(result.graph!.file)}: ${result.sizes.validity}\n` : '';
  const file = result.graph?.file ?? [...result.sources.keys()][0];
  const blocks = (result.loneBlocks ?? []).filter((b) => b.validity && b.validity !== 'valid for every size');
  return model + blocks.map((b) => `${file ? displayPath(file) : ''}: block ${b.block}: ${b.validity}\n`).join('');
}
