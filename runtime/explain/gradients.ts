// The tfjs side of looking inside a network: the model built with taps on chosen layers
// (runtime/build.ts, Tap), a class score, and its gradients with respect to the input and to each
// tapped layer's output, from one backward pass (tf.valueAndGrads). Tensors come back as plain
// arrays in the model's layout: images NHWC, tapped maps as runtime/build.ts's Tap says.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { IrGraph, IrNode } from '../../compiler/ir.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { buildModel, type Tap } from '../index.js';
import { probabilities, type OutputKind } from '../train/losses.js';
import type { Found } from './layers.js';

export interface Explainer {
  readonly model: tfl.LayersModel;
  /** The image input as tfjs takes it, [H, W, C]. */
  readonly input: readonly [number, number, number];
  readonly taps: readonly Tap[];
  readonly output: OutputKind;
  /** Units of the class output; one unit means two classes (sigmoid or its logit). */
  readonly units: number;
}

export function buildExplainer(graph: IrGraph, weights: Weights | undefined, taps: readonly IrNode[], output: OutputKind, origin?: string): Found<Explainer> {
  const built = buildModel(graph, { weights, origin, taps: taps.map((n) => n.id) });
  if (!built.ok) return { ok: false, message: built.diagnostics.map((d) => d.message).join('; ') };
  const io = built.metadata.inputs[0]!;
  const out = built.metadata.outputs[0]!;
  return { ok: true, value: { model: built.model, input: io.tfjsShape as [number, number, number], taps: built.taps ?? [], output, units: out.shape[0]! } };
}

/**
 * The score of class k that the methods differentiate: the output unit itself (a logit, or a
 * probability when the model ends in softmax); with one unit, class 1 is the unit and class 0 its
 * opposite (−logit, or 1 − p).
 */
function classScore(e: Explainer, y: tf.Tensor, k: number): tf.Tensor1D {
  const y2 = y as tf.Tensor2D;
  if (e.units !== 1) return tf.reshape(tf.slice(y2, [0, k], [-1, 1]), [-1]);
  const unit = tf.reshape(y2, [-1]) as tf.Tensor1D;
  if (k === 1) return unit;
  return e.output === 'logits' ? tf.neg(unit) : tf.sub(1, unit);
}

export interface Evaluation {
  /** Per sample: the class score and the class probabilities (row-major; one output unit gives two columns). */
  readonly scores: Float32Array;
  readonly probabilities: Float32Array;
  /** d score / d input, NHWC like the input. */
  readonly inputGradient: Float32Array;
  /** Per tap: its value and d score / d value, in the tap's layout. */
  readonly taps: readonly { readonly value: Float32Array; readonly gradient: Float32Array }[];
}

/** Scores of class k for a batch of n normalized NHWC images, with their gradients. */
export function evaluate(e: Explainer, x: Float32Array, n: number, k: number): Evaluation {
  const [h, w, c] = e.input;
  const kept: tf.Tensor[] = [];
  const result = tf.tidy(() => {
    const input = tf.tensor4d(x, [n, h, w, c]);
    const deltas = e.taps.map((t) => tf.zeros([n, ...t.tfjsShape]));
    const f = (...args: tf.Tensor[]): tf.Scalar => {
      const outs = e.model.apply(args, { training: false }) as tf.Tensor | tf.Tensor[];
      const list = Array.isArray(outs) ? outs : [outs];
      const y = list[0]!;
      const scores = classScore(e, y, k);
      kept.push(tf.keep(scores.clone()), tf.keep(probabilities(e.output, y as tf.Tensor2D)));
      for (const t of list.slice(list.length - e.taps.length)) kept.push(tf.keep(t.clone()));
      return tf.sum(scores);
    };
    const { grads } = tf.valueAndGrads(f)([input, ...deltas]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
  const [scores, probs, ...values] = kept.map((t) => t.dataSync() as Float32Array);
  tf.dispose(kept);
  return {
    scores: scores!,
    probabilities: probs!,
    inputGradient: result[0]!,
    taps: e.taps.map((_, i) => ({ value: values[i]!, gradient: result[i + 1]! })),
  };
}

/** The outputs alone (no gradients): class probabilities and the tapped values, for n images. */
export function forward(e: Explainer, x: Float32Array, n: number): { probabilities: Float32Array; taps: Float32Array[] } {
  const [h, w, c] = e.input;
  return tf.tidy(() => {
    const input = tf.tensor4d(x, [n, h, w, c]);
    const deltas = e.taps.map((t) => tf.zeros([n, ...t.tfjsShape]));
    const outs = e.model.apply([input, ...deltas], { training: false }) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(outs) ? outs : [outs];
    return {
      probabilities: probabilities(e.output, list[0] as tf.Tensor2D).dataSync() as Float32Array,
      taps: list.slice(list.length - e.taps.length).map((t) => t.dataSync() as Float32Array),
    };
  });
}
