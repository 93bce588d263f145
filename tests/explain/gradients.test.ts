// Grad-CAM, saliency and integrated gradients on small models against values computed without
// tfjs's autograd: central finite differences of forward passes (tfjs cpu backend, float32), and
// Grad-CAM = CAM (Zhou et al. 2016) where a global average pool feeds the classifier directly.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IrGraph } from '../../compiler/ir.js';
import { initWeights } from '../../compiler/weights/init.js';
import { makeBaseline } from '../../runtime/explain/baselines.js';
import { buildExplainer, evaluate, forward, type Explainer } from '../../runtime/explain/gradients.js';
import { defaultCamLayer, findLayer } from '../../runtime/explain/layers.js';
import { channelsLast, gradCam, integratedGradients, saliency } from '../../runtime/explain/methods.js';
import { setBackend } from '../../runtime/index.js';
import { compileText } from '../helpers.js';

// Smooth activations (tanh), so that a central difference sees no kinks; a skip connection goes
// around the tapped layer t2, whose gradient must include both paths.
const smooth = `model smooth {
  input image: [3, 8, 8]
  a = image |> conv(4, 3, pad=1, name="c1") |> tanh(name="t1")
  b = a |> conv(4, 3, pad=1, name="c2") |> tanh(name="t2")
  output logits = (a + b) |> conv(6, 3, stride=2, pad=1, name="c3") |> tanh(name="t3") |> global_avgpool |> flatten |> dense(3, name="fc")
}
`;

// The CAM architecture: conv features, global average pool, one dense layer.
const cam = `model cam {
  input image: [3, 12, 12]
  x = image |> conv(5, 3, pad=1, name="c1") |> relu(name="r1")
  output logits = x |> global_avgpool |> flatten |> dense(4, name="fc")
}
`;

const graphOf = (text: string): IrGraph => {
  const r = compileText(text);
  if (!r.graph || !r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.graph;
};

/** A deterministic normalized NHWC image in about [-1, 1]. */
const imageOf = (e: Explainer): Float32Array => {
  const [h, w, c] = e.input;
  return Float32Array.from({ length: h * w * c }, (_, i) => Math.sin(1 + i * 0.731) * 0.9);
};

/** The class score for a batch of inputs (and tap perturbations), forward only. */
function scores(e: Explainer, x: Float32Array, n: number, k: number, deltas: Float32Array[] = []): Float32Array {
  const [h, w, c] = e.input;
  return tf.tidy(() => {
    const feeds = [tf.tensor4d(x, [n, h, w, c]), ...e.taps.map((t, i) => (deltas[i] ? tf.tensor(deltas[i]!, [n, ...t.tfjsShape]) : tf.zeros([n, ...t.tfjsShape])))];
    const outs = e.model.predict(feeds) as tf.Tensor | tf.Tensor[];
    const y = (Array.isArray(outs) ? outs[0]! : outs) as tf.Tensor2D;
    return tf.reshape(tf.slice(y, [0, k], [-1, 1]), [-1]).dataSync() as Float32Array;
  });
}

/** Central differences of the score along every coordinate of a vector of `size` values, in one batch. */
function centralDifferences(size: number, h: number, evaluateBatch: (perturbed: (j: number, i: number) => number, n: number) => Float32Array): Float32Array {
  // Rows 2i and 2i+1 move coordinate i by +h and −h.
  const s = evaluateBatch((j, i) => (i === j >> 1 ? (j % 2 === 0 ? h : -h) : 0), 2 * size);
  return Float32Array.from({ length: size }, (_, i) => (s[2 * i]! - s[2 * i + 1]!) / (2 * h));
}

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  await setBackend('cpu');
});

// Float32 central differences with h = 1e-2 on scores of size ~0.1: rounding error ~1e-7/h = 1e-5,
// truncation error ~h²·|f'''|, small for these weights. Measured: differences within 3e-5 of the
// largest gradient. 1e-3 of it is well above that and far below a wrong gradient (a missed skip
// path or a transposed layout changes entries by ~100%).
const H = 1e-2;
const TOLERANCE = 1e-3;

describe('gradients against finite differences', () => {
  const graph = graphOf(smooth);
  const weights = initWeights(graph, { seed: 3 });

  it('saliency: ∂score/∂input equals central differences of the score, every pixel and channel', () => {
    const e = buildExplainer(graph, weights, [], 'logits');
    if (!e.ok) throw new Error(e.message);
    const x = imageOf(e.value);
    for (const k of [0, 2]) {
      const s = saliency(e.value, x, k);
      const fd = centralDifferences(x.length, H, (d, n) => {
        const batch = new Float32Array(n * x.length);
        for (let j = 0; j < n; j++) for (let i = 0; i < x.length; i++) batch[j * x.length + i] = x[i]! + d(j, i);
        return scores(e.value, batch, n, k);
      });
      expect(maxAbs(fd)).toBeGreaterThan(1e-3);
      expect(maxDiff(s.gradient, fd)).toBeLessThan(TOLERANCE * maxAbs(fd));
      // The map is the largest |gradient| over the channels of each pixel.
      const [, , c] = e.value.input;
      expect(s.map.values[5]).toBeCloseTo(Math.max(...[0, 1, 2].slice(0, c).map((ch) => Math.abs(fd[5 * c + ch]!))), 3);
    }
  });

  it("Grad-CAM: the layer's gradient (through the skip connection too) and the map from it", () => {
    const t2 = findLayer(graph, 't2');
    if (!t2.ok) throw new Error(t2.message);
    const e = buildExplainer(graph, weights, [t2.value], 'logits');
    if (!e.ok) throw new Error(e.message);
    const x = imageOf(e.value);
    const k = 1;
    const tap = e.value.taps[0]!;
    const size = tap.tfjsShape.reduce((a, b) => a * b, 1);
    const fd = centralDifferences(size, H, (d, n) => {
      const batch = new Float32Array(n * x.length);
      for (let j = 0; j < n; j++) batch.set(x, j * x.length);
      const delta = new Float32Array(n * size);
      for (let j = 0; j < n; j++) for (let i = 0; i < size; i++) delta[j * size + i] = d(j, i);
      return scores(e.value, batch, n, k, [delta]);
    });
    const ev = evaluate(e.value, x, 1, k);
    expect(maxAbs(fd)).toBeGreaterThan(1e-4);
    expect(maxDiff(ev.taps[0]!.gradient, fd)).toBeLessThan(TOLERANCE * maxAbs(fd));

    // Grad-CAM from the finite-difference gradient and the forward value, by the paper's formulas.
    const a = channelsLast(tap, forward(e.value, x, 1).taps[0]!);
    const g = channelsLast(tap, fd);
    const positions = a.height * a.width;
    const alpha = Array.from({ length: a.channels }, (_, ch) => {
      let sum = 0;
      for (let i = 0; i < positions; i++) sum += g.data[i * a.channels + ch]!;
      return sum / positions;
    });
    const expected = Array.from({ length: positions }, (_, i) => Math.max(0, alpha.reduce((s, w, ch) => s + w * a.data[i * a.channels + ch]!, 0)));
    const got = gradCam(e.value, x, k);
    expect([got.map.height, got.map.width]).toEqual([8, 8]);
    expect(maxAbs(expected)).toBeGreaterThan(0);
    expect(maxDiff(got.map.values, expected)).toBeLessThan(TOLERANCE * maxAbs(expected));
  });
});

describe('Grad-CAM after global average pooling is CAM', () => {
  it('map = ReLU(Σ_k w[c,k]·A_k) / (H·W) with the dense weights w, at the default layer', () => {
    const graph = graphOf(cam);
    const weights = initWeights(graph, { seed: 7 });
    const output = graph.nodes[graph.outputs[0]!.node]!;
    const layer = defaultCamLayer(graph, output);
    expect(layer.ok && layer.value.name).toBe('r1');
    if (!layer.ok) return;
    const e = buildExplainer(graph, weights, [layer.value], 'logits');
    if (!e.ok) throw new Error(e.message);
    const x = imageOf(e.value);
    const a = channelsLast(e.value.taps[0]!, forward(e.value, x, 1).taps[0]!);
    const w = weights.get('fc.weight')!; // [classes, features], PyTorch's layout
    for (let k = 0; k < 4; k++) {
      const expected = Array.from({ length: 144 }, (_, i) => {
        let sum = 0;
        for (let ch = 0; ch < 5; ch++) sum += w.data[k * 5 + ch]! * a.data[i * 5 + ch]!;
        return Math.max(0, sum / 144);
      });
      const got = gradCam(e.value, x, k).map.values;
      expect(maxAbs(expected)).toBeGreaterThan(0);
      expect(maxDiff(got, expected)).toBeLessThan(1e-5 * Math.max(1, maxAbs(expected)) + 1e-7);
    }
  });
});

describe('integrated gradients', () => {
  const graph = graphOf(smooth);
  const weights = initWeights(graph, { seed: 3 });

  it('completeness: the attributions sum to score(x) − score(baseline), closer with more steps', () => {
    const e = buildExplainer(graph, weights, [], 'logits');
    if (!e.ok) throw new Error(e.message);
    const x = imageOf(e.value);
    const pixels = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37) % 256);
    const normalize = { mean: [0.5], std: [0.5] };
    for (const kind of ['zero', 'mean', 'blurred'] as const) {
      const baseline = makeBaseline(kind, pixels, 8, 8, 3, normalize);
      const errors = [4, 64].map((steps) => {
        const ig = integratedGradients(e.value, x, baseline, 0, steps, 8);
        const difference = ig.score - ig.baselineScore;
        expect(Math.abs(difference)).toBeGreaterThan(1e-3);
        return Math.abs(ig.attributions.reduce((s, v) => s + v, 0) - difference) / Math.abs(difference);
      });
      expect(errors[1]).toBeLessThan(1e-3); // measured: 6e-5 or less with 64 steps
      expect(errors[1]).toBeLessThanOrEqual(errors[0]!);
    }
  });

  it('the zero baseline is a black image fed through the normalization; mean is the mean colour', () => {
    const pixels = Uint8Array.from([0, 255, 51, 255, 255, 51]);
    expect(Array.from(makeBaseline('zero', pixels, 1, 2, 3, { mean: [0.5], std: [0.5] }))).toEqual([-1, -1, -1, -1, -1, -1]);
    const mean = makeBaseline('mean', pixels, 1, 2, 3, { mean: [0], std: [1] });
    expect(Array.from(mean).map((v) => +v.toFixed(4))).toEqual([0.5, 1, 0.2, 0.5, 1, 0.2]);
  });
});
