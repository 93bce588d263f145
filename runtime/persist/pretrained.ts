// Starting weights for fine-tuning: `--weights` names a .safetensors or .onnx file (or a
// trained-model folder) whose tensors are matched to the model strictly, by name and shape
// (compiler/weights/match.ts). Only the tensors that --init-missing globs name start afresh.
import { existsSync, statSync } from 'node:fs';
import { MAX_WEIGHTS_BYTES, readRegularFile } from '../../compiler/node-host.js';
import { join } from 'node:path';
import type { IrGraph } from '../../compiler/ir.js';
import { weightsFromOnnx } from '../../compiler/weights/from-onnx.js';
import { initWeights } from '../../compiler/weights/init.js';
import { matchWeights } from '../../compiler/weights/match.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import type { WeightTensor } from '../../compiler/weights/tensor.js';
import { files, readTrainingInfo, type TrainingInfo } from './training-info.js';
import { readPiece } from './checkpoint-manifest.js';
import type { DataProblem } from '../data/dataset.js';

export type Pretrained =
  | {
      readonly ok: true;
      readonly weights: Map<string, WeightTensor>;
      /** How many tensors came from the file, and the names that --init-missing started afresh. */
      readonly loaded: number;
      readonly fresh: readonly string[];
      readonly file: string;
    }
  | { readonly ok: false; readonly problem: DataProblem };

/** `initMissing`: globs of weight names to initialize afresh (seeded by `seed`) instead of loading. */
export function pretrainedWeights(graph: IrGraph, path: string, seed: number, initMissing: readonly string[] = []): Pretrained {
  const folder = isFolder(path);
  const file = folder ? join(path, files.safetensors) : path;
  const loaded = folder ? runFolderWeights(path) : readRegularFile(file, MAX_WEIGHTS_BYTES);
  if ('error' in loaded) return { ok: false, problem: { message: `cannot read the weights ${file}: ${loaded.error}`, io: true } };
  if ('problem' in loaded) return { ok: false, problem: loaded.problem };
  const bytes = loaded.bytes;
  const read = file.endsWith('.onnx') ? weightsFromOnnx(bytes) : readSafetensors(bytes);
  if (!read.ok) return { ok: false, problem: { message: `${file}: ${read.error}` } };
  const matched = matchWeights(graph, read.weights, initWeights(graph, { seed }), file, initMissing);
  if (!matched.ok) return { ok: false, problem: matched.problem };
  return { ok: true, weights: matched.weights, loaded: matched.loaded, fresh: matched.fresh, file };
}

/** A trained-model folder's model.safetensors, checked against its training.json (readPiece). */
function runFolderWeights(dir: string): { bytes: Buffer } | { problem: DataProblem } {
  let info: TrainingInfo | undefined;
  if (existsSync(join(dir, files.training))) {
    const read = readTrainingInfo(dir);
    if (!read.ok) return { problem: { message: read.message, ...(read.hint && { hint: read.hint }), io: true } };
    info = read.value;
  }
  const piece = readPiece(dir, info, files.safetensors);
  if (!piece.ok) return { problem: { message: piece.message, ...(piece.hint && { hint: piece.hint }), io: true } };
  return { bytes: piece.value };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
