// Fuzz: thousands of seeded mutations of zoo files, each compiled through the real pipeline in worker
// threads (dist/, built by the global setup). No throw, no internal error, every diagnostic inside
// its file, and a watchdog that names the case if one stops making progress. Two modes: token
// mutations (mutate.ts) and structure-aware ones (structure.ts: deep nesting, long chains,
// thousands of repeated statements or declarations, lines spliced from another zoo file).
// Reproduce one case: FUZZ_SEED=<seed> and tools/dev/fuzz/check.ts caseText(seed, index, corpus(), mode).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { CaseResult, FuzzMode } from '../tools/dev/fuzz/check.js';
import { packageRoot } from '../compiler/node-host.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_240_611);
const CASES = Number(process.env['FUZZ_CASES'] ?? 2_000);
/** Structure cases are large (up to thousands of levels or statements): fewer of them. */
const STRUCTURE_CASES = Number(process.env['FUZZ_STRUCTURE_CASES'] ?? 60);
const WORKERS = Math.max(1, Math.min(2, availableParallelism()));
/** No progress for this long is a hang (a case normally takes milliseconds). */
const HANG_MS = 30_000;

interface Outcome {
  results: CaseResult[];
  hangs: string[];
}

function runWorker(indices: number[], mode: FuzzMode = 'token'): Promise<Outcome> {
  return new Promise((resolve) => {
    const results: CaseResult[] = [];
    const hangs: string[] = [];
    const worker = new Worker(join(packageRoot, 'dist', 'tools', 'dev', 'fuzz', 'worker.js'), { workerData: { seed: SEED, indices, mode } });
    let current = -1;
    let last = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - last < HANG_MS) return;
      hangs.push(`case ${current} (seed ${SEED}) made no progress for ${HANG_MS / 1000} s`);
      void worker.terminate();
    }, 1_000);
    worker.on('message', (m: { started?: number; done?: CaseResult }) => {
      last = Date.now();
      if (m.started !== undefined) current = m.started;
      if (m.done) results.push(m.done);
    });
    worker.on('error', (e) => hangs.push(`worker failed at case ${current}: ${e.stack ?? e}`));
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve({ results, hangs });
    });
  });
}

describe('fuzz', () => {
  it(`compiles ${CASES} seeded mutations of zoo files without a throw, an internal error or an unlocated diagnostic`, async () => {
    const slices = Array.from({ length: WORKERS }, (_, w) => Array.from({ length: CASES }, (_, i) => i).filter((i) => i % WORKERS === w));
    const outcomes = await Promise.all(slices.map((slice) => runWorker(slice, 'token')));
    const results = outcomes.flatMap((o) => o.results).sort((a, b) => a.index - b.index);
    const hangs = outcomes.flatMap((o) => o.hangs);
    const problems = results.flatMap((r) => r.problems.map((p) => `case ${r.index} (${r.kind} in ${r.target.slice(packageRoot.length + 1)}): ${p}`));
    expect(hangs).toEqual([]);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(results.length).toBe(CASES);
    // The mutations must reach past the parser often enough to test the later passes.
    const semantic = results.filter((r) => r.codes.length > 0 && !r.codes.some((c) => c.startsWith('E01')));
    expect(semantic.length).toBeGreaterThan(CASES / 10);
  }, 600_000);

  it(`compiles and formats ${STRUCTURE_CASES} structure-aware mutations (deep nesting, long chains, repeats, splices) within the same guarantees`, async () => {
    const slices = Array.from({ length: WORKERS }, (_, w) => Array.from({ length: STRUCTURE_CASES }, (_, i) => i).filter((i) => i % WORKERS === w));
    const outcomes = await Promise.all(slices.map((slice) => runWorker(slice, 'structure')));
    const results = outcomes.flatMap((o) => o.results);
    const problems = results.flatMap((r) => r.problems.map((p) => `structure case ${r.index} (${r.kind} in ${r.target.slice(packageRoot.length + 1)}): ${p}`));
    expect(outcomes.flatMap((o) => o.hangs)).toEqual([]);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(results.length).toBe(STRUCTURE_CASES);
    // Some cases pass the nesting limits and some stay within them.
    expect(results.some((r) => r.codes.includes('E0104'))).toBe(true);
    expect(results.some((r) => /^(nest|loops) \d{3,}/.test(r.kind) && !r.codes.includes('E0104'))).toBe(true);
  }, 600_000);
});
