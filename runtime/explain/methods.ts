// The three attribution methods, on one image at a time (batch of one, except the integrated
// gradients path, which runs in batches):
// - Grad-CAM (Selvaraju et al. 2017, arXiv:1610.02391): weights α_c = mean over positions of
//   ∂score/∂A_c, map = ReLU(Σ_c α_c A_c) at the layer's resolution.
// - Saliency (Simonyan et al. 2013, arXiv:1312.6034): max over channels of |∂score/∂x|.
// - Integrated gradients (Sundararajan et al. 2017, arXiv:1703.01365): (x − x′) ⊙ the average
//   gradient along the straight path from the baseline x′ to x (trapezoid rule over `steps`
//   intervals); the attributions sum to score(x) − score(x′) up to the rule's error (completeness).
// Gradients are taken with respect to the model's input as it is fed (normalized pixels).
import type { Tap } from '../build.js';
import { evaluate, type Explainer } from './gradients.js';

/** A single-channel map, row-major. */
export interface HeatMap {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

export interface Explanation {
  readonly map: HeatMap;
  /** The class score at the image, and the class probabilities. */
  readonly score: number;
  readonly probabilities: Float32Array;
}

/** A tapped value of one sample as [H, W, C] (channels-last), whatever layout tfjs held it in. */
export function channelsLast(tap: Tap, value: Float32Array): { height: number; width: number; channels: number; data: Float32Array } {
  const [c, h, w] = tap.node.shape as [number, number, number];
  if (tap.layout === 'cl') return { height: h, width: w, channels: c, data: value };
  const data = new Float32Array(value.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) data[i * c + ch] = value[ch * h * w + i]!;
  return { height: h, width: w, channels: c, data };
}

/** Grad-CAM of class k at the explainer's single tap, for one normalized NHWC image. */
export function gradCam(e: Explainer, x: Float32Array, k: number): Explanation & { readonly weights: Float32Array } {
  const ev = evaluate(e, x, 1, k);
  const tap = e.taps[0]!;
  const a = channelsLast(tap, ev.taps[0]!.value);
  const g = channelsLast(tap, ev.taps[0]!.gradient);
  const positions = a.height * a.width;
  const weights = new Float32Array(a.channels);
  for (let i = 0; i < positions; i++) for (let ch = 0; ch < a.channels; ch++) weights[ch]! += g.data[i * a.channels + ch]! / positions;
  const values = new Float32Array(positions);
  for (let i = 0; i < positions; i++) {
    let sum = 0;
    for (let ch = 0; ch < a.channels; ch++) sum += weights[ch]! * a.data[i * a.channels + ch]!;
    values[i] = Math.max(0, sum);
  }
  return { map: { width: a.width, height: a.height, values }, weights, score: ev.scores[0]!, probabilities: ev.probabilities };
}

/** Saliency of class k: the largest |gradient| over the channels of each pixel. */
export function saliency(e: Explainer, x: Float32Array, k: number): Explanation & { readonly gradient: Float32Array } {
  const ev = evaluate(e, x, 1, k);
  const [h, w, c] = e.input;
  const values = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let m = 0;
    for (let ch = 0; ch < c; ch++) m = Math.max(m, Math.abs(ev.inputGradient[i * c + ch]!));
    values[i] = m;
  }
  return { map: { width: w, height: h, values }, gradient: ev.inputGradient, score: ev.scores[0]!, probabilities: ev.probabilities };
}

export interface IntegratedGradients extends Explanation {
  /** Per input value (NHWC), summing to about score − baselineScore. */
  readonly attributions: Float32Array;
  readonly baselineScore: number;
}

/**
 * Integrated gradients of class k from `baseline` (both normalized NHWC), with `steps` intervals;
 * the map is |Σ_channels attribution| per pixel. `batch` path points run at once.
 */
export function integratedGradients(e: Explainer, x: Float32Array, baseline: Float32Array, k: number, steps: number, batch = 16): IntegratedGradients {
  const size = x.length;
  const average = new Float64Array(size);
  let score = NaN;
  let baselineScore = NaN;
  let probabilities = new Float32Array(0);
  for (let from = 0; from <= steps; from += batch) {
    const to = Math.min(steps, from + batch - 1);
    const n = to - from + 1;
    const points = new Float32Array(n * size);
    for (let j = 0; j < n; j++) {
      const t = (from + j) / steps;
      for (let i = 0; i < size; i++) points[j * size + i] = baseline[i]! + t * (x[i]! - baseline[i]!);
    }
    const ev = evaluate(e, points, n, k);
    for (let j = 0; j < n; j++) {
      const step = from + j;
      const weight = (step === 0 || step === steps ? 0.5 : 1) / steps;
      for (let i = 0; i < size; i++) average[i]! += weight * ev.inputGradient[j * size + i]!;
      if (step === 0) baselineScore = ev.scores[j]!;
      if (step === steps) {
        score = ev.scores[j]!;
        probabilities = ev.probabilities.slice(j * (ev.probabilities.length / n), (j + 1) * (ev.probabilities.length / n));
      }
    }
  }
  const attributions = new Float32Array(size);
  for (let i = 0; i < size; i++) attributions[i] = (x[i]! - baseline[i]!) * average[i]!;
  const [h, w, c] = e.input;
  const values = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let sum = 0;
    for (let ch = 0; ch < c; ch++) sum += attributions[i * c + ch]!;
    values[i] = Math.abs(sum);
  }
  return { map: { width: w, height: h, values }, attributions, score, baselineScore, probabilities };
}
