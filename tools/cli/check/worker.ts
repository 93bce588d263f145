// A check worker thread: checks its slice of the targets and sends the outcomes back in order.
import { parentPort, workerData } from 'node:worker_threads';
import { checkOne, type CheckJob } from './run.js';

const job = workerData as CheckJob;
parentPort!.postMessage(job.targets.map((t) => checkOne(t, job)));
