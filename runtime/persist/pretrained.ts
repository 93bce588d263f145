// Starting weights for transfer learning: `--weights` names a .safetensors or .onnx file (or a
// trained-model folder) whose tensors are matched to the model by IR name. Tensors that are
// missing or have another shape (a new head for other classes) keep their seeded initial values.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IrGraph } from '../../compiler/ir.js';
import { weightsFromOnnx } from '../../compiler/weights/from-onnx.js';
import { initWeights } from '../../compiler/weights/init.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import { sameShape, type WeightTensor } from '../../compiler/weights/tensor.js';
import { files } from './checkpoint.js';
import type { DataProblem } from '../data/dataset.js';

export type Pretrained =
  | {
      readonly ok: true;
      readonly weights: Map<string, WeightTensor>;
      /** How many tensors came from the file, and the names that kept their initial values. */
      readonly loaded: number;
      readonly fresh: readonly string[];
      readonly file: string;
    }
  | { readonly ok: false; readonly problem: DataProblem };

export function pretrainedWeights(graph: IrGraph, path: string, seed: number): Pretrained {
  const file = isFolder(path) ? join(path, files.safetensors) : path;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return { ok: false, problem: { message: `cannot read the weights ${file}: ${reason}` } };
  }
  const read = file.endsWith('.onnx') ? weightsFromOnnx(bytes) : readSafetensors(bytes);
  if (!read.ok) return { ok: false, problem: { message: `${file}: ${read.error}` } };
  const weights = initWeights(graph, { seed });
  const fresh: string[] = [];
  let loaded = 0;
  for (const [name, init] of weights) {
    const given = read.weights.get(name);
    if (given && sameShape(given.shape, init.shape)) {
      weights.set(name, given);
      loaded++;
    } else fresh.push(name);
  }
  if (loaded === 0) {
    const sample = [...read.weights.keys()].slice(0, 3).join(', ');
    const notes = [`the file has ${sample}${read.weights.size > 3 ? ', ...' : ''}`];
    const hint = 'tensors are matched by name (<layer>.<weight>) and shape';
    return { ok: false, problem: { message: `none of the tensors in ${file} fit ${graph.model}`, notes, hint } };
  }
  return { ok: true, weights, loaded, fresh, file };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
