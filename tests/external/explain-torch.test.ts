// archc's Grad-CAM, saliency and integrated gradients against the same computed by torch autograd
// (tests/python/explain_check.py, float64) on the PyTorch module `archc export --format pytorch`
// writes, loaded with the same weights: a small network with a residual connection, and ResNet-18
// at Grad-CAM's usual layer (the last block of layer4). The image goes through archc's own
// preprocessing (the CLI's), and torch's side reads the same PNG: the inputs must agree too.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { locate, nodeHost, packageRoot } from '../../compiler/node-host.js';
import { initWeights } from '../../compiler/weights/init.js';
import { safetensorsChunks } from '../../compiler/weights/safetensors.js';
import type { Weights } from '../../compiler/weights/tensor.js';
import { findPython } from '../../engines/torch/python.js';
import { makeBaseline } from '../../runtime/explain/baselines.js';
import { buildExplainer } from '../../runtime/explain/gradients.js';
import { findLayer } from '../../runtime/explain/layers.js';
import { gradCam, integratedGradients, saliency } from '../../runtime/explain/methods.js';
import { setBackend } from '../../runtime/index.js';
import { writeFileAtomic } from '../../runtime/persist/files.js';
import { modelInput, readImages } from '../../tools/cli/commands/explain-target.js';
import { pngBytes, tempDir, writeFile } from '../train/fixtures.js';
import { archcInProcess } from '../archc-in-process.js';

const dir = tempDir('archc-explain-torch-');
const small = `model residual(classes = 3) {
  input image: [3, 16, 16]
  a = image |> conv(6, 3, pad=1, name="stem") |> bn(name="bn") |> relu
  b = a |> conv(6, 3, pad=1, name="c2") |> relu
  output logits = (a + b) |> maxpool(2) |> conv(8, 3, pad=1, name="c3") |> relu |> global_avgpool |> flatten |> dense(classes, name="fc")
}
`;
const symmetric = { mean: [0.5], std: [0.5] };

interface TorchAnswer {
  x: number[];
  scores: number[];
  score: number;
  gradient: number[];
  saliency: number[];
  gradcam: Record<string, { map: number[]; shape: number[]; weights: number[] }>;
  ig?: { attributions: number[]; difference: number };
}

function torch(request: object): TorchAnswer {
  const found = findPython();
  if (typeof found === 'string') throw new Error(found);
  const file = join(dir, `request-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(request));
  const r = spawnSync(found.python, [join(packageRoot, 'tests', 'python', 'explain_check.py'), file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as TorchAnswer;
}

const archc = archcInProcess;
afterEach(() => vi.restoreAllMocks());

/** NHWC (tfjs) → NCHW (PyTorch) for one sample. */
function nchw(data: ArrayLike<number>, c: number, h: number, w: number): number[] {
  const out = new Array<number>(c * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = data[(y * w + x) * c + ch]!;
  return out;
}

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
/**
 * Float32 (tfjs) against float64 (torch): within 1e-4 of the largest value (measured: 3e-7 or less
 * on the small network, 1.4e-6 on ResNet-18).
 */
const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  expect(got.length).toBe(want.length);
  expect(maxAbs(want)).toBeGreaterThan(0);
  expect(maxDiff(got, want)).toBeLessThanOrEqual(1e-4 * maxAbs(want));
};

/** The graph, a PyTorch module written by the CLI, and seeded weights as safetensors. */
async function prepare(name: string, target: string, extra: string[] = []): Promise<{ graph: IrGraph; weights: Weights; module: string; file: string }> {
  const module = join(dir, `${name}.py`);
  const r = await archc('export', target, '--format', 'pytorch', '-o', module, ...extra);
  expect(r.status, r.err).toBe(0);
  const sets = Object.fromEntries(extra.filter((_, i) => extra[i - 1] === '--set').map((kv) => kv.split('=')).map(([k, v]) => [k!, Number(v)]));
  const inputs = Object.fromEntries(extra.filter((_, i) => extra[i - 1] === '--input').map((kv) => kv.split('=')).map(([k, v]) => [k!, v!.split('x').map(Number)]));
  const graph = compile(locate(target), nodeHost, { params: sets, inputs }).graph!;
  const weights = initWeights(graph, { seed: 5 });
  // Batch-norm statistics away from 0 and 1, so that inference-mode batch norm is really tested.
  for (const [key, w] of weights) {
    if (key.endsWith('running_mean')) w.data.forEach((_, i) => (w.data[i] = 0.1 * Math.sin(i + 1)));
    if (key.endsWith('running_var')) w.data.forEach((_, i) => (w.data[i] = 1 + 0.5 * Math.cos(i)));
  }
  const file = join(dir, `${name}.safetensors`);
  writeFileAtomic(file, safetensorsChunks(weights, {}));
  return { graph, weights, module, file };
}

const className = (module: string): string => /^class (\w+)\(nn\.Module\):\n {4}"""\w+, from /m.exec(readFileSync(module, 'utf8'))![1]!;

beforeAll(async () => {
  await setBackend('cpu');
});

describe('archc explain against torch autograd', () => {
  it('a residual network: input, scores, saliency, Grad-CAM at three layers, integrated gradients', async () => {
    const arch = join(dir, 'residual.arch');
    writeFile(arch, small);
    const { graph, weights, module, file } = await prepare('residual', arch);
    const png = join(dir, 'pattern.png');
    writeFile(png, pngBytes(16, 16, (x, y) => [(x * 16 + y * 3) % 256, (y * 15) % 256, ((x ^ y) * 17) % 256]));
    const images = readImages([png], { channels: 3, height: 16, width: 16 });
    if (!images.ok) throw new Error(images.message);
    const x = modelInput(images.value[0]!, symmetric);
    const layers = ['stem', 'c2', 'c3'];
    const taps = layers.map((n) => {
      const f = findLayer(graph, n);
      if (!f.ok) throw new Error(f.message);
      return f.value;
    });
    const explainers = taps.map((t) => buildExplainer(graph, weights, [t], 'logits')).map((e) => (e.ok ? e.value : assert(e.message)));
    const plain = buildExplainer(graph, weights, [], 'logits');
    if (!plain.ok) throw new Error(plain.message);
    const k = 2;
    const baseline = makeBaseline('blurred', images.value[0]!.model.data, 16, 16, 3, symmetric);
    const want = torch({ module, class: className(module), weights: file, shape: [3, 16, 16], image: png, ...symmetric, k, layers, baseline: nchw(baseline, 3, 16, 16), steps: 24 });

    close(nchw(x, 3, 16, 16), want.x);
    const s = saliency(plain.value, x, k);
    expect(s.score).toBeCloseTo(want.score, 5);
    close(nchw(s.gradient, 3, 16, 16), want.gradient);
    close(s.map.values, want.saliency);
    layers.forEach((layer, i) => {
      const cam = gradCam(explainers[i]!, x, k);
      expect([cam.map.height, cam.map.width]).toEqual(want.gradcam[layer]!.shape);
      close(cam.weights, want.gradcam[layer]!.weights);
      close(cam.map.values, want.gradcam[layer]!.map);
    });
    const ig = integratedGradients(plain.value, x, baseline, k, 24);
    close(nchw(ig.attributions, 3, 16, 16), want.ig!.attributions);
    expect(ig.score - ig.baselineScore).toBeCloseTo(want.ig!.difference, 5);

    // The CLI prints the same score for the image (its top class here is what torch's argmax says).
    const top = want.scores.indexOf(Math.max(...want.scores));
    const r = await archc('explain', arch, png, '--weights', file, '-o', join(dir, 'out'), '--backend', 'cpu', '--json');
    expect(r.status, r.err).toBe(0);
    const [printed] = JSON.parse(r.out);
    expect(printed.class).toBe(top);
    expect(printed.score).toBeCloseTo(want.scores[top]!, 4);
  }, 120_000);

  it('ResNet-18 (reduced to 96×96): Grad-CAM at layer4, the last block, as PyTorch tools take it', async () => {
    // tfjs's cpu backend takes minutes for ResNet-18's backward pass; wasm takes about a second.
    await setBackend('wasm');
    const { graph, weights, module, file } = await prepare('resnet18', 'resnet18', ['--set', 'classes=10', '--input', 'image=3x96x96']);
    const layer = findLayer(graph, 'layer4.1');
    if (!layer.ok) throw new Error(layer.message);
    expect(layer.value.name).toBe('layer4.1.relu2');
    const e = buildExplainer(graph, weights, [layer.value], 'logits');
    if (!e.ok) throw new Error(e.message);
    const x = Float32Array.from({ length: 96 * 96 * 3 }, (_, i) => Math.sin(i * 0.377) * 1.5);
    const want = torch({ module, class: className(module), weights: file, shape: [3, 96, 96], x: nchw(x, 3, 96, 96), k: 4, layers: ['layer4.1'] });
    const cam = gradCam(e.value, x, 4);
    expect(cam.score).toBeCloseTo(want.score, 3);
    close(cam.weights, want.gradcam['layer4.1']!.weights);
    close(cam.map.values, want.gradcam['layer4.1']!.map);
  }, 180_000);
});

function assert(message: string): never {
  throw new Error(message);
}
