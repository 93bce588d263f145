// The heavy engines are optional peer dependencies: `npm install archc` brings the compiler alone
// (check, summary, fmt, list, ops, export), and each engine is installed when a command needs it.
// A missing one is one message with the line that installs it, taken from package.json's
// peerDependencies so the versions are written once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../compiler/node-host.js';

export interface OptionalEngine {
  /** What it is, for the message. */
  readonly name: string;
  /** What needs it. */
  readonly neededBy: string;
  /** The npm packages to install together. */
  readonly packages: readonly string[];
  /** Environment for the install line (onnxruntime-node downloads CUDA files on Linux unless told not to). */
  readonly env?: string;
}

export const ENGINES: Readonly<Record<'tfjs' | 'onnxruntime' | 'webgpu', OptionalEngine>> = {
  tfjs: {
    name: 'TensorFlow.js',
    neededBy: 'train, eval, predict, explain, features and the archc/runtime module',
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
  },
  onnxruntime: {
    name: 'onnxruntime-node',
    neededBy: '--engine onnxruntime and export --quantize',
    packages: ['onnxruntime-node'],
    // Its install script fetches CUDA libraries from NuGet on Linux x64; the CPU build is in the package.
    env: 'ONNXRUNTIME_NODE_INSTALL=skip',
  },
  webgpu: {
    name: 'WebGPU for Node (Dawn)',
    neededBy: '--backend webgpu',
    packages: ['webgpu', '@tensorflow/tfjs-backend-webgpu'],
  },
};

let peers: Record<string, string> | undefined;

/** The install line of an engine, with the version ranges archc is tested with. */
export function installLine(engine: OptionalEngine): string {
  peers ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> }).peerDependencies ?? {};
  const specs = engine.packages.map((p) => (peers![p] ? `${p}@${peers![p]}` : p));
  return `${engine.env ? `${engine.env} ` : ''}npm install ${specs.join(' ')}`;
}

/** The package a failed import could not find, when the failure is exactly that. */
function missingPackage(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string } | undefined;
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return undefined;
  return /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec(e.message ?? '')?.[1];
}

/**
 * When `error` is an optional engine's package missing, the message that says which engine and how
 * to install it; otherwise undefined (the error is something else and keeps its own message).
 */
export function missingEngineMessage(error: unknown): string | undefined {
  const pkg = missingPackage(error);
  if (!pkg) return undefined;
  const engine = Object.values(ENGINES).find((e) => e.packages.includes(pkg));
  if (!engine) return undefined;
  return `${engine.name} is not installed (cannot find ${pkg}); it is needed for ${engine.neededBy}. Install it with:\n  ${installLine(engine)}`;
}
