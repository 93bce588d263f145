// Choosing the tfjs backend: webgpu, wasm or cpu, and `auto` (webgpu on a hardware GPU adapter,
// else wasm). Reports the backend that is actually active: tfjs falls back to another backend
// quietly when one fails to initialise, and archc says so instead.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerWasmKernels } from './wasm/index.js';
import { inNode } from './platform.js';
import { probeWebGpu, type GpuAdapterReport } from './webgpu.js';

export type BackendName = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export interface BackendReport {
  readonly requested: BackendName;
  /** The backend tfjs runs on now (`tf.getBackend()`). */
  readonly active: string;
  /** True when tfjs ended up on another backend than the one chosen. */
  readonly fellBack: boolean;
  /** The WebGPU adapter found, when one was looked for. */
  readonly adapter?: GpuAdapterReport;
  /** Why this backend: what was found and what was tried. */
  readonly notes: readonly string[];
}

/** Switches tfjs to `name` and reports what it really runs on. */
export async function setBackend(name: BackendName): Promise<BackendReport> {
  const notes: string[] = [];
  let adapter: GpuAdapterReport | undefined;
  let chosen: Exclude<BackendName, 'auto'> = name === 'auto' ? 'wasm' : name;
  if (name === 'auto' || name === 'webgpu') {
    adapter = await probeWebGpu({ hardwareOnly: name === 'auto' });
    notes.push(adapter.note);
    if (name === 'auto') {
      chosen = adapter.available && adapter.hardware ? 'webgpu' : 'wasm';
      notes.push(chosen === 'webgpu' ? 'auto: a hardware GPU adapter is present, using webgpu' : 'auto: no hardware GPU adapter, using wasm');
    }
  }
  let wasm: PreparedWasm | undefined;
  try {
    if (chosen === 'wasm') wasm = await prepareWasm();
    if (chosen === 'webgpu' && adapter?.available) await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    notes.push(`${chosen} failed to load: ${(e as Error).message}`);
  }
  const { active, fellBack, note } = await activate(chosen);
  if (note) notes.push(note);
  if (active === 'wasm' && wasm?.describe) notes.push(wasm.describe());
  return { requested: name, active, fellBack, ...(adapter ? { adapter } : {}), notes };
}

/**
 * Switches tfjs to a registered backend and checks where it really is: tf.setBackend answers
 * false (or throws) when the backend fails to start, and tfjs keeps running on another one.
 */
export async function activate(name: string): Promise<{ active: string; fellBack: boolean; note?: string }> {
  let ok = false;
  let why = 'it is not registered';
  try {
    if (tf.findBackendFactory(name) !== null) {
      ok = await tf.setBackend(name);
      why = 'it failed to start';
    }
  } catch (e) {
    why = `it failed to start: ${(e as Error).message}`;
  }
  await tf.ready();
  const active = tf.getBackend();
  if (ok && active === name) return { active, fellBack: false };
  return { active, fellBack: true, note: `${name} is not available (${why}); tfjs is running on ${active}` };
}

/** The one-line summary for CLI output: `wasm`, `webgpu (adapter)`, or `cpu (fell back: why)`. */
export function describeBackend(report: BackendReport): string {
  if (!report.fellBack) return report.adapter && report.active === 'webgpu' ? `webgpu (${report.adapter.description})` : report.active;
  return `${report.active} (fell back from ${report.requested}: ${report.notes.at(-1)})`;
}

interface PreparedWasm {
  /** A note on the threads in use, once started (Node). */
  readonly describe?: () => string;
}

let wasmReady: Promise<PreparedWasm> | undefined;

/**
 * Loads the wasm backend and adds archc's kernels. In Node: points it at its .wasm files and sets
 * up its threaded build (runtime/wasm/node-threads.ts), which tfjs leaves off there.
 */
function prepareWasm(): Promise<PreparedWasm> {
  wasmReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    registerWasmKernels();
    if (!inNode) return {};
    const { prepareNodeWasm } = await import('./wasm/node-threads.js');
    return { describe: prepareNodeWasm(wasm) };
  })();
  return wasmReady;
}
