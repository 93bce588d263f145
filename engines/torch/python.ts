// Finding a Python that has torch: the torch engine, `export --format pytorch` checks and the ONNX
// import tests all run one. Found, not assumed: ARCHC_PYTHON, then the project's .venv (made by
// scripts/setup.sh), then python3 on PATH. A missing Python or torch is one message saying what to
// install, never a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../compiler/node-host.js';

export interface PythonFound {
  /** The interpreter to run. */
  readonly python: string;
  /** torch.__version__ as that interpreter reports it. */
  readonly torch: string;
}

export const INSTALL_TORCH =
  'install PyTorch for that Python (https://pytorch.org/get-started/locally/; CPU: pip install torch safetensors numpy), ' +
  'or point ARCHC_PYTHON at a Python that has it (a checkout: ./scripts/setup.sh makes .venv/)';

/** The candidates in the order they are tried. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.ARCHC_PYTHON) return [env.ARCHC_PYTHON];
  const venv = join(packageRoot, '.venv', 'bin', 'python');
  return [...(existsSync(venv) ? [venv] : []), 'python3', 'python'];
}

let cached: PythonFound | string | undefined;

/**
 * The first candidate that runs and imports torch, or a message saying what is missing. The probe
 * runs once per process (about a second: importing torch is slow).
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): PythonFound | string {
  if (cached !== undefined && env === process.env) return cached;
  const tried: string[] = [];
  let result: PythonFound | string | undefined;
  for (const python of pythonCandidates(env)) {
    const probe = spawnSync(python, ['-c', 'import torch, safetensors; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.error) {
      tried.push(`${python}: not found`);
      continue;
    }
    if (probe.status === 0) {
      result = { python, torch: probe.stdout.trim() };
      break;
    }
    const missing = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
    tried.push(`${python}: ${missing ? `has no module '${missing}'` : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`)}`);
  }
  result ??= `no Python with torch found (${tried.join('; ')}); ${INSTALL_TORCH}`;
  if (env === process.env) cached = result;
  return result;
}
