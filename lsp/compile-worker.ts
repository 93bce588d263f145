// The compile worker thread: compiles every model of a document (open documents overlay the file
// system) and sends back what the editor features need. It runs apart from the server so that a
// document that makes compilation slow can be stopped (the worker is terminated) without
// stopping the server. The loader's parse cache lives here, across requests.
import { parentPort } from 'node:worker_threads';
import { compileDocument, type CompileJob } from './compile-document.js';

parentPort!.on('message', (job: CompileJob) => {
  parentPort!.postMessage(compileDocument(job));
});
