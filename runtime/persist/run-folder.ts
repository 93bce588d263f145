// A trained-model folder opened without TensorFlow.js: the model recompiled from the source that
// training.json records, with its trained IR-named weights (model.safetensors). `archc export
// <run-folder>` and the onnxruntime engine start from here.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileResult } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { nodeHost } from '../../compiler/node-host.js';
import { readPiece } from './checkpoint-manifest.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { files, readTrainingInfo, type Loaded, type TrainingInfo } from './training-info.js';

export interface RunFolder {
  readonly info: TrainingInfo;
  readonly compiled: CompileResult;
  readonly graph: IrGraph;
  readonly weights: Weights;
}

/** Whether `path` is a folder written by `archc train` (it holds training.json). */
export function isRunFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, files.training));
  } catch {
    return false;
  }
}

export function openRunFolder(dir: string): Loaded<RunFolder> {
  const info = readTrainingInfo(dir);
  if (!info.ok) return info;
  const { source } = info.value;
  const compiled = compile(source.file, nodeHost, {
    ...(source.model && { model: source.model }),
    params: source.params as Record<string, number | string | boolean>,
    inputs: source.inputs as Record<string, number[]>,
  });
  if (!compiled.graph || !compiled.ok) {
    const why = compiled.diagnostics.find((d) => d.severity === 'error')?.message ?? 'it does not compile';
    return { ok: false, message: `the model's source ${source.file} no longer compiles as it was trained: ${why}`, hint: 'restore the .arch file the model was trained from' };
  }
  const path = join(dir, files.safetensors);
  const file = readPiece(dir, info.value, files.safetensors);
  if (!file.ok) return file;
  const read = readSafetensors(file.value);
  if (!read.ok) return { ok: false, io: true, message: `${path}: ${read.error}` };
  return { ok: true, value: { info: info.value, compiled, graph: compiled.graph, weights: read.weights } };
}
