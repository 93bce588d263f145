// The compile worker thread: compiles every model of a document (open documents overlay the file
// system) and sends back what the editor features need. It runs apart from the server so that a
// document that makes compilation slow can be stopped (the worker is terminated) without
// stopping the server. The loader's parse cache lives here, across requests.
import { parentPort } from 'node:worker_threads';
import { compileDocument, type CompileJob } from './compile-document.js';

// Two messages: the diagnostics first (small, and sent before the size analysis runs, so the
// editor shows them without waiting for symbolic shapes or for the graph to be copied across
// threads), then the whole outcome for hover and inlay hints.
// The time limit counts from the job's start: warm the parser up first (its construction takes
// ~0.2 s), and say when each job starts.
compileDocument({ id: 0, path: '/warm-up.arch', overlays: { '/warm-up.arch': 'model m {\n  input x: [1, 1, 1]\n  output y = x |> relu\n}\n' } });

parentPort!.on('message', (job: CompileJob) => {
  parentPort!.postMessage({ id: job.id, started: true });
  const outcome = compileDocument(job, (diagnostics) => parentPort!.postMessage({ id: job.id, diagnostics }));
  parentPort!.postMessage(outcome);
});
