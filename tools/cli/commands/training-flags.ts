// Flag helpers shared by train, eval and predict: checked numbers, the backend choice, and the
// one-line report of a data problem (message, then notes and a hint, like a diagnostic).
import type { QuantizationBytes } from '../../../runtime/persist/tfjs-quantize.js';
import type { Parsed } from '../args.js';
import { UsageError } from '../args.js';
import type { BackendName } from '../../../runtime/index.js';
import type { DataProblem } from '../../../runtime/data/dataset.js';

export interface NumberRule {
  readonly min?: number;
  /** The bound itself is refused (e.g. a learning rate must be > 0). */
  readonly exclusiveMin?: boolean;
  readonly max?: number;
  readonly integer?: boolean;
}

/** The flag's value as a number within the rule, or `fallback` when the flag is absent. */
export function numberFlag(parsed: Parsed, name: string, rule: NumberRule, fallback: number): number;
export function numberFlag(parsed: Parsed, name: string, rule: NumberRule): number | undefined;
export function numberFlag(parsed: Parsed, name: string, rule: NumberRule, fallback?: number): number | undefined {
  const raw = parsed.flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const bounds = [
    ...(rule.min !== undefined ? [`${rule.exclusiveMin ? '>' : '≥'} ${rule.min}`] : []),
    ...(rule.max !== undefined ? [`≤ ${rule.max}`] : []),
  ];
  const range = bounds.join(' and ');
  const kind = rule.integer ? 'a whole number' : 'a number';
  const ok =
    typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.exclusiveMin ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new UsageError(`--${name} needs ${kind}${range ? ` ${range}` : ''}, got '${String(raw)}'`);
  return value;
}

/** A string flag restricted to `choices`. */
export function choiceFlag<T extends string>(parsed: Parsed, name: string, choices: readonly T[], fallback: T): T;
export function choiceFlag<T extends string>(parsed: Parsed, name: string, choices: readonly T[]): T | undefined;
export function choiceFlag<T extends string>(parsed: Parsed, name: string, choices: readonly T[], fallback?: T): T | undefined {
  const raw = parsed.flags[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${String(raw)}'`);
  return raw as T;
}

export const backendFlagUsage = `      --backend NAME      auto (webgpu on a GPU, else wasm), webgpu, wasm or cpu (default auto)`;

export const ENGINE_CHOICES = ['tfjs', 'onnxruntime'] as const;
export const weightsFlagUsage = `      --weights FILE      use these weights (safetensors or ONNX, matched by name, strictly) instead of the folder's own`;

export const engineFlagUsage = `      --engine NAME       tfjs (default) or onnxruntime (onnxruntime-node on the CPU; faster in Node)`;

/**
 * TensorFlow.js's webgpu backend reads results back synchronously (dataSync, which training,
 * predict and eval use) through OffscreenCanvas, which Node does not have: there it runs only code
 * that reads asynchronously.
 */
const WEBGPU_IN_NODE = 'the webgpu backend does not run archc in Node: TensorFlow.js reads its results back through OffscreenCanvas, which Node lacks';

/** Switches tfjs to the --backend choice and prints which backend really runs; loads TensorFlow.js. */
export async function startBackend(parsed: Parsed, log: (line: string) => void): Promise<string> {
  const { BACKENDS, describeBackend, setBackend } = await import('../../../runtime/index.js');
  const requested = choiceFlag(parsed, 'backend', BACKENDS, 'auto' as BackendName);
  let report = await setBackend(requested);
  if (report.active === 'webgpu' && typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined') {
    if (requested === 'webgpu') throw new UsageError(`${WEBGPU_IN_NODE}; use --backend wasm (what auto picks here)`, false);
    report = await setBackend('wasm');
    log(`backend: ${describeBackend(report)} (${WEBGPU_IN_NODE.replace('the webgpu backend does not run', 'webgpu does not run')})`);
    return report.active;
  }
  log(`backend: ${describeBackend(report)}`);
  return report.active;
}

export function printProblem(command: string, problem: DataProblem, stream: NodeJS.WritableStream = process.stderr): void {
  const lines = [`archc ${command}: ${problem.message}`];
  for (const note of problem.notes ?? []) lines.push(`  note: ${note}`);
  if (problem.hint) lines.push(`  hint: ${problem.hint}`);
  stream.write(`${lines.join('\n')}\n`);
}

/** `--quantization-bytes 1|2`: tfjs weight quantization of a saved model.json (train, export --format tfjs). */
export function quantizationBytesFlag(parsed: Parsed): QuantizationBytes | undefined {
  const raw = parsed.flags['quantization-bytes'];
  if (raw === undefined) return undefined;
  if (raw !== '1' && raw !== '2') throw new UsageError(`--quantization-bytes must be 1 (uint8) or 2 (uint16), got '${String(raw)}'`);
  return Number(raw) as QuantizationBytes;
}
