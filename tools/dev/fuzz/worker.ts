// A fuzz worker thread: runs the cases it is given and reports each one before and after, so the
// parent can name the case that hangs.
import { parentPort, workerData } from 'node:worker_threads';
import { corpus, runCase, type FuzzMode } from './check.js';

const { seed, indices, mode } = workerData as { seed: number; indices: number[]; mode?: FuzzMode };
const targets = corpus();
for (const index of indices) {
  parentPort!.postMessage({ started: index });
  parentPort!.postMessage({ done: runCase(seed, index, targets, mode) });
}
