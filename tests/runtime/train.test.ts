// Training on the wasm backend: one gradient step reaches every trainable weight with finite
// gradients. tfjs-wasm lacks Conv2DBackpropFilter and the depthwise gradients (runtime/wasm-kernels.ts
// adds them) and tfjs has none for dilated convolutions (they train through space-to-batch). The
// zoo is covered op variant by op variant: the cheapest models that together use every variant
// (conv rank, groups and dilation; pooling padding; each other op kind) found in the zoo, at a small
// input size. `node dist/tools/dev/check-tfjs-parity.js --train` steps every zoo model.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { compile } from '../../compiler/compile.js';
import type { IrGraph, IrNode } from '../../compiler/ir.js';
import { initWeights } from '../../compiler/weights/init.js';
import { setBackend } from '../../runtime/index.js';
import { nodeHost, zooModels } from '../../compiler/node-host.js';
import { compileText } from '../helpers.js';
import { build, compileSmall, inputsFor } from './harness.js';

beforeAll(async () => {
  expect((await setBackend('wasm')).active).toBe('wasm');
});

/** What distinguishes lowerings of one op: the variants a training step must be checked on. */
function variant(node: IrNode, graph: IrGraph): string {
  const a = node.attrs as { kernel?: number[]; groups?: number; dilation?: number[]; pads?: { begin: number[]; end: number[] }; ceil?: boolean; mode?: string };
  if (a.kernel && a.groups !== undefined) {
    const channels = graph.nodes[node.inputs[0]!]!.shape[0]!;
    const groups = a.groups === 1 ? 'dense' : a.groups === channels ? 'depthwise' : 'grouped';
    return `${node.op} ${a.kernel.length}-D ${groups}${a.dilation?.some((d) => d > 1) ? ' dilated' : ''}`;
  }
  if (a.kernel && a.pads) return `${node.op} ${a.kernel.length}-D${[...a.pads.begin, ...a.pads.end].some((p) => p > 0) ? ' padded' : ''}${a.ceil ? ' ceil' : ''}`;
  return a.mode ? `${node.op} ${a.mode}` : node.op;
}

/** Most multiply-accumulates a covering model may take at its small size (a training step each). */
const BUDGET = 2e9;

/**
 * Ops whose training step the small models at the end of this file check: the zoo models that use
 * them keep a large size (Swin-T and MaxViT-T their 224×224: a step costs minutes; SegNet about 15 s).
 */
const TRAINED_BELOW = ['gather', 'roll', 'compare', 'where', 'scalar', 'constant', 'param', 'max_unpool'];

/**
 * The cheapest zoo models that together use every variant in the zoo: by declared MACs, skipping
 * those that stay expensive at a small size (SSD300 keeps its 300×300) unless nothing else has the
 * variant.
 */
function cover(): [string, IrGraph, string[]][] {
  const models = zooModels().map(([name, path]) => {
    const result = compile(path, nodeHost);
    const graph = result.graph!;
    return { name, path, macs: result.report?.macs ?? Infinity, variants: new Set(graph.nodes.filter((n) => n.op !== 'input').map((n) => variant(n, graph))) };
  });
  const covered = new Set<string>(TRAINED_BELOW);
  const chosen: [string, IrGraph, string[]][] = [];
  const sorted = models.sort((a, b) => a.macs - b.macs);
  for (const pass of ['cheap', 'any'] as const) {
    for (const m of sorted) {
      const fresh = [...m.variants].filter((v) => !covered.has(v));
      if (fresh.length === 0) continue;
      const small = compileSmall(m.path);
      if (pass === 'cheap' && small.macs > BUDGET) continue;
      fresh.forEach((v) => covered.add(v));
      chosen.push([m.name, small.graph, fresh]);
    }
  }
  return chosen;
}

/** One step's gradients of mean(output²) summed over outputs, by trainable variable name. */
function gradients(graph: IrGraph): { loss: number; grads: Map<string, Float32Array>; frozen: string[] } {
  const { model, metadata } = build(graph, initWeights(graph, { seed: 2 }));
  const inputs = inputsFor(graph, 2);
  const feeds = metadata.inputs.map((io) => {
    const x = tf.tensor(inputs[io.name]!.data, inputs[io.name]!.dims);
    return io.layout === 'cl' ? tf.transpose(x, [0, ...io.shape.slice(1).map((_, i) => i + 2), 1]) : x;
  });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const outs = model.apply(feeds.length === 1 ? feeds[0]! : feeds, { training: true }) as tf.Tensor | tf.Tensor[];
    return tf.addN((Array.isArray(outs) ? outs : [outs]).map((o) => tf.mean(tf.square(o)))) as tf.Scalar;
  }, variables);
  const out = new Map([...Object.entries(grads)].map(([k, g]) => [k, g.dataSync() as Float32Array]));
  const loss = value.dataSync()[0]!;
  const frozen = model.nonTrainableWeights.map((w) => w.originalName);
  tf.dispose([value, ...Object.values(grads), ...feeds]);
  model.dispose();
  return { loss, grads: out, frozen };
}

describe.each(cover())('%s', (_name, graph, variants) => {
  it(`trains on wasm (${variants.join(', ')})`, () => {
    const { loss, grads } = gradients(graph);
    expect(Number.isFinite(loss)).toBe(true);
    expect(grads.size).toBeGreaterThan(0);
    expect([...grads].filter(([, g]) => g.some((v) => !Number.isFinite(v))).map(([k]) => k)).toEqual([]);
    expect([...grads.values()].some((g) => g.some((v) => v !== 0))).toBe(true);
  }, 300_000);
});

describe('free tensors', () => {
  it('a param trains and a buffer does not', () => {
    const graph = compileText('model t {\n  input x: [3, 4, 4]\n  s = param([3, 1, 1], init="ones", name="scale")\n  output y = (x * s + buffer([4], init="ones", name="shift")) |> flatten |> dense(2)\n}').graph!;
    const { grads, frozen } = gradients(graph);
    expect([...grads.keys()].filter((k) => !k.startsWith('dense1/')).map((k) => [k, grads.get(k)!.some((v) => v !== 0)])).toEqual([['scale/value', true]]);
    expect(frozen).toEqual(['shift/value']);
  });
});

describe('ops no zoo model uses yet', () => {
  it("gather's gradient (a product with the one-hot matrix) equals tfjs's own on cpu", async () => {
    const { ArchcGather } = await import('../../runtime/layers/indexing.js');
    const x = tf.tensor3d(Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 3]);
    const probe = tf.tensor3d(Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.cos(i)), [2, 4, 3]);
    const layer = new ArchcGather({ axis: 1, indices: [4, 0, 0, 2] });
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, probe)))(x);
    await tf.setBackend('cpu');
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, [4, 0, 0, 2], 1), probe)))(x);
    const [a, b] = [Array.from(ours.dataSync()), Array.from(theirs.dataSync())];
    await tf.setBackend('wasm');
    expect(a.map((v, i) => Math.abs(v - b[i]!)).every((d) => d < 1e-6)).toBe(true);
    expect(a.some((v) => v !== 0)).toBe(true);
  });

  it('group_norm, instance_norm, scalar arithmetic, div, gather, roll and a backward slice train on wasm', () => {
    const graph = compileText('model t {\n  input x: [4, 5, 5]\n  y = x |> conv(6, 3, pad=1) |> group_norm(3) |> instance_norm(affine=true) |> gather([5, 0, 2], axis=0) |> roll(2, axis=1) |> slice(-1, -6, axis=2, step=-2)\n  output z = (1 - y * 0.5) / (y |> sigmoid) |> flatten |> dense(2)\n}').graph!;
    const { loss, grads } = gradients(graph);
    expect(Number.isFinite(loss)).toBe(true);
    // tfjs numbers variable names that an earlier model in this process already used (kernel_1).
    const names = [...grads.keys()].map((k) => k.replace(/_\d+$/, '')).sort();
    expect(names).toEqual(['conv1/bias', 'conv1/kernel', 'dense1/bias', 'dense1/kernel', 'group_norm1/beta', 'group_norm1/gamma', 'instance_norm1/beta', 'instance_norm1/gamma']);
    expect([...grads].filter(([, g]) => !g.every(Number.isFinite) || g.every((v) => v === 0)).map(([k]) => k)).toEqual([]);
  });
});

describe('masks', () => {
  it('where trains both branches on wasm; comparisons and constants pass no gradient (and do not fail)', () => {
    const graph = compileText('model t {\n  input x: [3, 5, 5]\n  a = x |> conv(4, 3, pad=1)\n  b = x |> conv(4, 1)\n  m = (a > b) + ((a |> reduce_mean(axis=0)) > 0)\n  output z = where(m, a, b * 0.5) + m * constant([1, 2, 3, 4], shape=[4, 1, 1]) |> flatten |> dense(2)\n}').graph!;
    const { loss, grads } = gradients(graph);
    expect(Number.isFinite(loss)).toBe(true);
    const names = [...grads.keys()].map((k) => k.replace(/_\d+$/, '')).sort();
    expect(names).toEqual(['conv1/bias', 'conv1/kernel', 'conv2/bias', 'conv2/kernel', 'dense1/bias', 'dense1/kernel']);
    expect([...grads].filter(([, g]) => !g.every(Number.isFinite) || g.every((v) => v === 0)).map(([k]) => k)).toEqual([]);
  });
});

describe('gather with stored indices', () => {
  it("trains the table it reads (Swin's relative-position bias) on wasm; its index buffer is not trained", () => {
    const graph = compileText('model t {\n  input x: [4, 6]\n  b = param([5, 6], init="normal", value=1, name="table") |> gather([4, 0, 0, 2], stored=true, name="index")\n  output z = x + b |> flatten |> dense(2)\n}').graph!;
    const { grads, frozen } = gradients(graph);
    expect(grads.get([...grads.keys()].find((k) => k.startsWith('table/'))!)!.some((v) => v !== 0)).toBe(true);
    expect(frozen).toEqual(['index/index']);
  });
});

describe('max_unpool', () => {
  it("trains on wasm: the values' branch gets its gradient at the argmax positions", () => {
    const graph = compileText('model t {\n  input x: [3, 6, 7]\n  r = x |> conv(4, 3, pad=1) |> relu\n  y = r |> maxpool(2) |> conv(4, 1) |> max_unpool(r, 2)\n  output z = y |> flatten |> dense(2)\n}').graph!;
    const { loss, grads } = gradients(graph);
    expect(Number.isFinite(loss)).toBe(true);
    const names = [...grads.keys()].map((k) => k.replace(/_\d+$/, '')).sort();
    expect(names).toEqual(['conv1/bias', 'conv1/kernel', 'conv2/bias', 'conv2/kernel', 'dense1/bias', 'dense1/kernel']);
    expect([...grads].filter(([, g]) => !g.every(Number.isFinite) || g.every((v) => v === 0)).map(([k]) => k)).toEqual([]);
  });

  it("its gradient equals a scatter's written with tfjs's own ops on cpu", async () => {
    const { ArchcMaxUnpool } = await import('../../runtime/layers/unpool.js');
    const like = tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 3 }, (_, i) => Math.round(3 * Math.sin(i))), [2, 5, 4, 3]);
    const y = tf.tensor4d(Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => Math.cos(i)), [2, 2, 2, 3]);
    const probe = tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 3 }, (_, i) => Math.sin(2 * i + 1)), [2, 5, 4, 3]);
    const layer = new ArchcMaxUnpool({ kernel: [2, 2] });
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply([t, like]) as tf.Tensor, probe)))(y);
    // The reference: d/dy of sum(probe · unpool(y)) is probe read at each window's first maximum.
    const l = like.arraySync() as number[][][][];
    const p = probe.arraySync() as number[][][][];
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++)
          for (let c = 0; c < 3; c++) {
            let best = [2 * i, 2 * j];
            for (const [a, b] of [[2 * i, 2 * j], [2 * i, 2 * j + 1], [2 * i + 1, 2 * j], [2 * i + 1, 2 * j + 1]] as const) {
              if (l[n]![a]![b]![c]! > l[n]![best[0]!]![best[1]!]![c]!) best = [a, b];
            }
            expected.push(p[n]![best[0]!]![best[1]!]![c]!);
          }
    const got = Array.from(ours.dataSync());
    expect(got.map((v, i) => Math.abs(v - expected[i]!)).every((d) => d < 1e-6)).toBe(true);
  });
});

describe('frozen blocks', () => {
  it('are not trainable in tfjs', () => {
    const graph = compileText('model t {\n  input x: [3, 8, 8]\n  frozen { y = x |> conv(4, 3) |> bn }\n  output z = y |> relu |> flatten |> dense(2)\n}').graph!;
    const { grads, frozen } = gradients(graph);
    expect([...grads.keys()].every((k) => k.startsWith('dense1/'))).toBe(true);
    expect(frozen.filter((k) => k.startsWith('conv1/') || k.startsWith('bn1/')).length).toBe(6);
  });

  it('normalize with their moving statistics and leave them alone while the rest trains (Keras)', () => {
    const source = (frozen: boolean) => `model t {\n  input x: [3, 6, 6]\n  ${frozen ? 'frozen { ' : ''}y = x |> conv(4, 3) |> bn${frozen ? ' }' : ''}\n  output z = y |> relu |> flatten |> dense(2)\n}`;
    const run = (frozen: boolean) => {
      const graph = compileText(source(frozen)).graph!;
      const { model } = build(graph, initWeights(graph, { seed: 2 }));
      const bn = model.layers.find((l) => l.name === 'bn1')!;
      const stats = () => bn.getWeights().slice(2).map((w) => Array.from(w.dataSync()));
      const before = stats();
      const x = tf.add(tf.mul(tf.randomNormal([4, 6, 6, 3], 0, 1, 'float32', 7), 3), 5);
      const [training, inference] = [true, false].map((t) => Array.from((model.apply(x, { training: t }) as tf.Tensor).dataSync()));
      const after = stats();
      model.dispose();
      return { statsKept: JSON.stringify(before) === JSON.stringify(after), sameAsInference: JSON.stringify(training) === JSON.stringify(inference) };
    };
    expect(run(true)).toEqual({ statsKept: true, sameAsInference: true });
    // The same layer, trainable, normalizes by the batch and updates its statistics.
    expect(run(false)).toEqual({ statsKept: false, sameAsInference: false });
  });
});
