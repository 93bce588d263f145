// Reporting syntax errors in, and formatting, deeply nested files on a thread with a large stack
// (Node only). Valid files are parsed on any stack (direct-parser.ts), but chevrotain, which
// reports every syntax error of a file with recovery, spends ~6 KB of JavaScript stack per bracket
// level, so V8's default ~1 MB stack holds only ~170 nested parentheses; the formatter is run there
// too, for margin. A worker thread's stack size is set when it starts (`stackSizeMb` sets both the
// thread's stack and V8's limit), so files nested deeper than MAX_BRACKETS_FOR_ERROR_RECOVERY are
// handled there, synchronously: the caller waits on a shared flag and takes the result from a
// message port. Registered by node-host.ts; browsers report the first syntax error of such a file
// alone (depth-limits.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { setLargeStackRunner } from './depth-limits.js';
import type { SourceFile } from './source.js';

/** Ample for the deepest nesting allowed (2,000 brackets of nested `if`s: ~25 MB). */
const STACK_MB = 256;
/** Starting the thread and the parser takes ~0.3 s; beyond this something is wrong with the machine. */
const TIMEOUT_MS = 30_000;
const WORKER = new URL('./large-stack-worker.js', import.meta.url);

export function runOnLargeStack(job: 'parse' | 'format', source: SourceFile): unknown {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, {
    workerData: { job, path: source.path, text: source.text, port: port2, done },
    transferList: [port2],
    resourceLimits: { stackSizeMb: STACK_MB },
  });
  worker.unref();
  try {
    Atomics.wait(done, 0, 0, TIMEOUT_MS);
    const reply = receiveMessageOnPort(port1)?.message as { json?: string } | undefined;
    return reply?.json === undefined ? undefined : restoreNumbers(JSON.parse(reply.json));
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** JSON writes Infinity as null: number literals get their value back from their text. */
function restoreNumbers<T>(result: T): T {
  const stack: unknown[] = [result];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    const node = value as { kind?: string; raw?: string; value?: number };
    if (node.kind === 'number' && typeof node.raw === 'string') node.value = Number(node.raw.replace(/_/g, ''));
    for (const child of Object.values(value)) if (typeof child === 'object') stack.push(child);
  }
  return result;
}

// Run from TypeScript sources (the unit tests) there is no compiled worker: the default limits apply.
if (existsSync(fileURLToPath(WORKER))) setLargeStackRunner(runOnLargeStack);
