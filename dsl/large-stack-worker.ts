// The thread large-stack.ts starts: parses or formats one file on a large stack and replies once.
import { workerData, type MessagePort } from 'node:worker_threads';
import { format } from './format.js';
import { parse } from './parser.js';
import { SourceFile } from './source.js';

const { job, path, text, port, done } = workerData as { job: 'parse' | 'format'; path: string; text: string; port: MessagePort; done: Int32Array };
try {
  const source = new SourceFile(path, text);
  const result = job === 'parse' ? parse(source, { onLargeStack: true }) : format(source, { onLargeStack: true });
  // As JSON: structured clone reads a deep tree back recursively, on the caller's small stack;
  // JSON.parse does not recurse.
  port.postMessage({ json: JSON.stringify(result) });
} catch {
  port.postMessage({}); // the caller reports the nesting limit
} finally {
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
