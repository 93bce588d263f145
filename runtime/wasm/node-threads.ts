// The wasm backend in Node: its .wasm files, and its threads. tfjs-backend-wasm ships a threaded SIMD build but never uses it in
// Node (tfjs issue #3830): it loads the pthread workers from blob: URLs, which Node's worker_threads
// refuse, and XNNPACK's thread pool is capped at half of os.cpus() (it assumes two hyperthreads per
// core), so 1 on a 2-core machine. Here the worker script is written to a file once; while the
// backend starts, blob URLs are answered with its path and the core count is reported whole; then
// the workers are unref'd so that they never keep a finished process alive. Convolutions and matrix
// products run about 2x faster on 2 cores. ARCHC_WASM_THREADS=1 turns it off; a threaded start that
// fails falls back to one thread, and says why.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ioReason, writeFileAtomic } from '../persist/files.js';

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** In the worker script: loading the main script from a URL or Blob (it is always our file here). */
const LOAD_MAIN_SCRIPT =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/**
 * Points the wasm backend at its .wasm files and makes it start threaded. Returns the note that
 * says, once it runs, on how many threads XNNPACK works, and why on one when threading failed.
 */
export function prepareNodeWasm(wasm: WasmModule): () => string {
  wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  const describe = () => {
    const n = activeThreads(wasm);
    return `wasm: XNNPACK on ${n} thread${n === 1 ? '' : 's'}`;
  };
  const wanted = wantedThreads();
  if (wanted <= 1) return describe;
  const installed = installThreads(wasm, wanted);
  if ('reason' in installed) return () => `${describe()} (${installed.reason})`;
  return () => {
    const failure = installed.failure();
    return failure ? `${describe()} (the threaded build failed to start: ${failure})` : describe();
  };
}

/** The threads asked for: ARCHC_WASM_THREADS, else one per core (XNNPACK's pool holds at most 8). */
function wantedThreads(): number {
  const asked = Number(process.env['ARCHC_WASM_THREADS']);
  const threads = Number.isInteger(asked) && asked > 0 ? asked : os.availableParallelism();
  return Math.min(threads, 8);
}

/**
 * Makes the wasm backend start threaded, whoever starts it (archc, or tfjs falling back to it when
 * another backend fails): its registered factory is wrapped. Returns why it stays on one thread,
 * if it does: a tfjs version whose worker script differs from the one this was written for.
 */
function installThreads(wasm: WasmModule, threads: number): { readonly failure: () => string | undefined } | { readonly reason: string } {
  const require = createRequire(import.meta.url);
  const folder = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
  const mainScript = join(folder, 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(join(folder, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // As tfjs does before making its blob: the script's "\n" escapes must stay escapes.
  const original = wasmWorkerContents.replace(/\n/g, '\\n');
  const registered = (tf.engine() as unknown as { registryFactory?: Record<string, { factory: () => unknown }> }).registryFactory?.['wasm'];
  if (!original.includes(LOAD_MAIN_SCRIPT) || !existsSync(mainScript) || !registered) return { reason: 'this tfjs-backend-wasm differs from the one archc knows' };
  const script = original.replace(LOAD_MAIN_SCRIPT, `importScripts(${JSON.stringify(mainScript)});`);
  let workerPath: string;
  try {
    workerPath = workerScript(script);
  } catch (e) {
    return { reason: `cannot write its worker script to ${os.tmpdir()}: ${ioReason(e)}` };
  }

  const factory = registered.factory as () => Promise<tf.KernelBackend>;
  let failure: string | undefined;
  registered.factory = async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    try {
      const backend = await startThreaded(factory, workerPath);
      failure = undefined;
      return backend;
    } catch (e) {
      failure = (e as Error)?.message ?? String(e);
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setThreadsCount(1);
      return factory();
    }
  };
  return { failure: () => failure };
}

/**
 * The worker script as a file, written once per user and version. The temp folder is shared: a
 * file found there is used only when this user owns it and it holds exactly this script (another
 * user's file could hold anything, and its owner could change it later); else a private folder.
 */
export function workerScript(script: string): string {
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const { uid } = os.userInfo();
  const shared = join(os.tmpdir(), `archc-tfjs-wasm-worker-${hash}-${uid}.cjs`);
  const found = statSync(shared, { throwIfNoEntry: false });
  if (!found) {
    writeFileAtomic(shared, script);
    return shared;
  }
  if (found.isFile() && found.uid === uid && readFileSync(shared, 'utf8') === script) return shared;
  const own = join(mkdtempSync(join(os.tmpdir(), 'archc-')), 'worker.cjs');
  writeFileAtomic(own, script);
  return own;
}

/** Runs tfjs's factory with the threaded build's needs answered, then lets its workers idle. */
async function startThreaded(factory: () => Promise<tf.KernelBackend>, workerPath: string): Promise<tf.KernelBackend> {
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  const cores = cpus();
  // The module starts asynchronously on workers that hold no reference on the event loop.
  const keepAlive = setInterval(() => {}, 1000);
  URL.createObjectURL = () => workerPath;
  os.cpus = () => [...cores, ...cores];
  try {
    const backend = await factory();
    const pthreads = (backend as unknown as { wasm?: { PThread?: { unusedWorkers: unknown[]; runningWorkers: unknown[] } } }).wasm?.PThread;
    // Idle workers must not keep a finished process alive.
    for (const worker of [...(pthreads?.unusedWorkers ?? []), ...(pthreads?.runningWorkers ?? [])]) (worker as { unref(): void }).unref();
    return backend;
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    clearInterval(keepAlive);
  }
}

/** XNNPACK's thread count in the running wasm backend (1 when single-threaded). */
function activeThreads(wasm: WasmModule): number {
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}
