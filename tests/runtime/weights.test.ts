// IR weights in and out of the tfjs model (every layout change undone exactly), the flatten→dense
// reorder checked against the IR's C, H, W order, and a model.json round trip of custom layers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initWeights } from '../../compiler/weights/init.js';
import type { WeightTensor } from '../../compiler/weights/tensor.js';
import { buildModel, loadWeights, metadataOf, saveWeights, setBackend } from '../../runtime/index.js';
import { compileText, net } from '../helpers.js';
import { build, inputsFor, predictNchw } from './harness.js';

beforeAll(async () => {
  await setBackend('wasm');
});

const mixed = `model mixed {
  input x: [4, 12, 12]
  input t: [5, 6]
  a = x |> conv(8, 3, pad=[0, 1, 1, 2], groups=2) |> bn |> prelu
  b = a |> dwconv(3, pad=1, multiplier=2) |> conv_transpose(4, 3, stride=2, pad=1) |> lrn(3)
  c = b |> conv(6, 3, dilation=2, stride=2) |> conv(3, [1, 3])
  output image = c |> flatten |> dense(7)
  output tokens = t |> class_token |> pos_embed |> layer_norm |> dense(4)
}`;

describe('IR weights', () => {
  it('come back bit for bit after loading (every permutation is undone)', () => {
    const graph = compileText(mixed).graph!;
    const weights = initWeights(graph, { seed: 11 });
    const { model } = build(graph, weights);
    const saved = saveWeights(model);
    expect([...saved.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [name, w] of weights) {
      expect(saved.get(name)!.shape, name).toEqual(w.shape);
      expect(Buffer.from(saved.get(name)!.data.buffer).equals(Buffer.from(w.data.buffer)), name).toBe(true);
    }
    model.dispose();
  });

  it('are refused, with a located diagnostic, when one is missing or mis-shaped', () => {
    const graph = compileText(net('[3, 8, 8]', 'x |> conv(4, 3) |> flatten |> dense(2)')).graph!;
    const weights = new Map(initWeights(graph));
    weights.delete('dense1.bias');
    weights.set('conv1.weight', { shape: [4, 3, 2, 2], data: new Float32Array(48) });
    const built = buildModel(graph, { weights, origin: 'w.safetensors' });
    expect(built.ok).toBe(false);
    expect(built.diagnostics.map((d) => d.code).sort()).toEqual(['E0702', 'E0704']);
    expect(built.diagnostics.every((d) => d.span.start.line > 0)).toBe(true);
  });

  it('loadWeights reports problems and changes nothing', () => {
    const graph = compileText(net('[3, 8, 8]', 'x |> conv(4, 3)')).graph!;
    const { model } = build(graph, initWeights(graph, { seed: 1 }));
    const before = saveWeights(model);
    const problems = loadWeights(model, new Map([['conv1.weight', { shape: [4, 3, 3, 3], data: new Float32Array(108) }]]));
    expect(problems).toEqual(['conv1.bias: missing']);
    expect(saveWeights(model).get('conv1.weight')!.data).toEqual(before.get('conv1.weight')!.data);
  });
});

describe('flatten then dense', () => {
  it('computes the IR function: dense over the C, H, W flattening', async () => {
    // An identity dense layer shows the order of the features it receives.
    const graph = compileText(net('[3, 2, 4]', 'x |> flatten |> dense(24, bias=false)')).graph!;
    const eye = new Float32Array(24 * 24);
    for (let i = 0; i < 24; i++) eye[i * 24 + i] = 1;
    const weights = new Map<string, WeightTensor>([['dense1.weight', { shape: [24, 24], data: eye }]]);
    const { model, metadata } = build(graph, weights);
    expect(metadata.inputs[0]!.tfjsShape).toEqual([2, 4, 3]);
    const inputs = inputsFor(graph, 2);
    const out = await predictNchw(model, metadata, inputs);
    expect([...out['y']!.data]).toEqual([...inputs['x']!.data]);
  });

  it('keeps [T, D] token tensors in their order (no channels-last transpose)', () => {
    const graph = compileText(net('[5, 6]', 'x |> dense(3)')).graph!;
    const { metadata } = build(graph);
    expect(metadata.inputs[0]).toMatchObject({ layout: 'plain', tfjsShape: [5, 6] });
    expect(metadata.outputs[0]).toMatchObject({ layout: 'plain', tfjsShape: [5, 3] });
  });

  it('gives images NHWC inputs and outputs', () => {
    const graph = compileText(net('[3, 8, 10]', 'x |> conv(4, 3, pad=1)')).graph!;
    const { metadata } = build(graph);
    expect(metadata.inputs[0]).toMatchObject({ layout: 'cl', shape: [3, 8, 10], tfjsShape: [8, 10, 3] });
    expect(metadata.outputs[0]).toMatchObject({ layout: 'cl', shape: [4, 8, 10], tfjsShape: [8, 10, 4] });
  });
});

describe('model.json', () => {
  it('round-trips custom layers and archc metadata through tf.loadLayersModel', async () => {
    const graph = compileText(mixed).graph!;
    const weights = initWeights(graph, { seed: 5 });
    const { model, metadata } = build(graph, weights);
    const classes = new Set(model.layers.map((l) => l.getClassName()));
    for (const custom of ['ArchcConv', 'ArchcConvTranspose', 'ArchcLrn', 'ArchcClassToken', 'ArchcPosEmbed']) expect(classes).toContain(custom);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(metadataOf(reloaded)).toEqual(metadata);
    const inputs = inputsFor(graph, 2);
    const before = await predictNchw(model, metadata, inputs);
    const after = await predictNchw(reloaded, metadataOf(reloaded)!, inputs);
    for (const o of metadata.outputs) expect(after[o.name]!.data).toEqual(before[o.name]!.data);
    const resaved = saveWeights(reloaded);
    for (const [name, w] of weights) expect(resaved.get(name)!.data, name).toEqual(w.data);
  });
});
