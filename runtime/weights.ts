// IR weights (safetensors / ONNX initializer names and layouts, see compiler/weights) in and out of
// a lowered tfjs model, through the bindings recorded in its metadata: reshape to the binding's
// view, permute (OIHW → HWIO, flatten order), reshape to the variable; saving runs it backwards.
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { sameShape, type WeightTensor, type Weights } from '../compiler/weights/tensor.js';
import { metadataOf, type BoundWeight } from './metadata.js';

/**
 * Writes `weights` into the model. Returns the problems (missing weights, wrong shapes) and
 * changes nothing when there is one; extra weights are ignored (the caller checks files first with
 * compiler/weights/check.ts, which reports them).
 */
export function loadWeights(model: LayersModel, weights: Weights): string[] {
  const bound = boundWeights(model);
  const problems: string[] = [];
  for (const b of bound) {
    const w = weights.get(b.name);
    if (!w) problems.push(`${b.name}: missing`);
    else if (!sameShape(w.shape, b.shape)) problems.push(`${b.name}: shape [${w.shape.join(', ')}], the model needs [${b.shape.join(', ')}]`);
  }
  if (problems.length) return problems;
  for (const b of bound) {
    const variable = variableOf(model, b);
    const w = weights.get(b.name)!;
    tf.tidy(() => {
      variable.write(toTfjs(tf.tensor(w.data, [...w.shape], 'float32'), b, variable.shape as number[]));
    });
  }
  return [];
}

/** The model's weights in IR names and layouts (copies). */
export function saveWeights(model: LayersModel): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  for (const b of boundWeights(model)) {
    const variable = variableOf(model, b);
    const data = tf.tidy(() => fromTfjs(variable.read(), b).dataSync() as Float32Array);
    out.set(b.name, { shape: [...b.shape], data: Float32Array.from(data) });
  }
  return out;
}

function boundWeights(model: LayersModel): readonly BoundWeight[] {
  const meta = metadataOf(model);
  if (!meta) throw new Error(`model '${model.name}' was not built by archc (its metadata has no archc weight bindings)`);
  return meta.weights;
}

function variableOf(model: LayersModel, b: BoundWeight): LayerVariable {
  const variable = model.getLayer(b.layer).weights[b.index];
  if (!variable) throw new Error(`layer ${b.layer} has no weight #${b.index} for ${b.name}`);
  return variable;
}

/** IR layout → variable layout. */
export function toTfjs(t: tf.Tensor, b: BoundWeight, variableShape: number[]): tf.Tensor {
  const viewed = tf.reshape(t, [...(b.view ?? b.shape)]);
  const permuted = b.permute ? tf.transpose(viewed, [...b.permute]) : viewed;
  return tf.reshape(permuted, variableShape);
}

/** Variable layout → IR layout. */
export function fromTfjs(t: tf.Tensor, b: BoundWeight): tf.Tensor {
  const view = [...(b.view ?? b.shape)];
  if (!b.permute) return tf.reshape(t, [...b.shape]);
  const permutedShape = b.permute.map((axis) => view[axis]!);
  const inverse = b.permute.map((_, i) => b.permute!.indexOf(i));
  return tf.reshape(tf.transpose(tf.reshape(t, permutedShape), inverse), [...b.shape]);
}
