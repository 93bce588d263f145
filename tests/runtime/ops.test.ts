// Every op's tfjs lowering against onnxruntime-node on small inputs, with the attributes that
// change the lowering (asymmetric pads, ceil mode, groups, dilation, layouts...), on the wasm
// and cpu backends, with seeded weights (compiler/weights/init.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initWeights } from '../../compiler/weights/init.js';
import { setBackend } from '../../runtime/index.js';
import { compileText, net } from '../helpers.js';
import { build, difference, inputsFor, onnxOutputs, predictNchw } from './harness.js';

beforeAll(async () => {
  await setBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

/** [input shape, op pipeline]. */
const cases: [string, string][] = [
  // convolution
  ['[3, 9, 9]', 'conv(4, 3, pad=1)'],
  ['[3, 10, 9]', 'conv(4, 3, stride=2, pad="same")'],
  ['[3, 11, 11]', 'conv(5, 3, stride=2, pad=[0, 1, 2, 1])'],
  ['[4, 12, 12]', 'conv(6, 3, groups=2, pad=1)'],
  ['[4, 12, 12]', 'conv(8, 3, dilation=2, pad=2)'],
  ['[4, 13, 13]', 'conv(4, 3, stride=2, dilation=2, pad=1, groups=4)'],
  ['[4, 9, 9]', 'conv(4, 5, dilation=4, pad=8)'],
  ['[3, 20]', 'conv(4, 5, stride=2, pad=2)'],
  ['[2, 5, 6, 6]', 'conv(3, [3, 3, 3], pad=1, stride=[2, 1, 1])'],
  ['[2, 5, 6, 6]', 'conv(3, [3, 1, 3], dilation=[2, 1, 1], pad=[2, 0, 1])'],
  ['[6, 9, 9]', 'dwconv(3, pad=1)'],
  ['[3, 9, 9]', 'dwconv(3, stride=2, pad=1, multiplier=2)'],
  ['[4, 16]', 'dwconv(3, pad=1)'],
  ['[4, 5, 5]', 'conv_transpose(3, 3, stride=2, pad=1, output_padding=1)'],
  ['[4, 5, 5]', 'conv_transpose(6, 4, stride=2, pad=1, groups=2)'],
  ['[4, 5, 5]', 'conv_transpose(2, 3, dilation=2)'],
  ['[4, 7]', 'conv_transpose(2, 3, stride=2)'],
  // pooling
  ['[3, 9, 9]', 'maxpool(3, stride=2, pad=1)'],
  ['[3, 10, 10]', 'maxpool(3, stride=2, ceil=true)'],
  ['[3, 9, 9]', 'maxpool(2, pad="same")'],
  ['[3, 9, 9]', 'avgpool(3, stride=2, pad=1)'],
  ['[3, 9, 9]', 'avgpool(3, stride=2, pad=1, count_pad=false)'],
  ['[3, 10, 10]', 'avgpool(3, stride=2, pad=1, ceil=true)'],
  ['[3, 9, 9]', 'avgpool(2, pad="same")'],
  ['[3, 12]', 'maxpool(3, stride=2, pad=1)'],
  ['[2, 4, 6, 6]', 'maxpool([2, 2, 2])'],
  ['[2, 4, 6, 6]', 'avgpool([1, 3, 3], stride=[1, 2, 2], pad=[0, 1, 1])'],
  ['[3, 7, 7]', 'global_avgpool'],
  ['[3, 7, 5]', 'global_maxpool'],
  ['[3, 10, 10]', 'adaptive_avgpool(5)'],
  ['[3, 10, 7]', 'adaptive_avgpool([3, 4])'],
  ['[3, 11, 11]', 'adaptive_maxpool(4)'],
  // normalization and activations
  ['[4, 6, 6]', 'bn |> relu'],
  ['[4, 6, 6]', 'lrn(3)'],
  ['[6, 5, 5]', 'lrn(4, alpha=0.01, beta=0.5, k=2.0)'],
  ['[5, 8]', 'layer_norm'],
  ['[6, 5, 5]', 'group_norm(3)'],
  ['[4, 7]', 'group_norm(2, affine=false, epsilon=0.001)'],
  ['[4, 5, 5]', 'instance_norm |> conv(2, 1)'],
  ['[3, 5, 5]', 'rescale(0.00392156862745098) |> normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])'],
  ['[3, 5, 5]', 'rescale([2, 3, 4], offset=1) |> conv(2, 1)'],
  ['[6]', 'normalize(mean=1, std=2)'],
  ['[4, 5, 5]', 'conv(6, 1) |> layer_norm(axis=0, epsilon=0.000001)'],
  ['[4, 5, 6]', 'layer_norm(axis=[1, 2])'],
  ['[4, 5, 6]', 'layer_norm(axis=[0, 2])'],
  ['[4, 5, 5]', 'prelu'],
  ['[4, 5, 5]', 'prelu(shared=true)'],
  ['[4, 5, 5]', 'softmax(axis=0)'],
  ['[6, 8]', 'softmax'],
  ['[4, 5, 5]', 'l2norm(axis=0)'],
  ['[3, 6, 6]', 'relu6 |> leaky_relu(0.2) |> elu(0.5) |> selu'],
  ['[3, 6, 6]', 'gelu |> silu |> swish |> sigmoid |> tanh |> identity'],
  ['[3, 6, 6]', 'hardswish |> hardsigmoid'],
  // resizing and padding
  ['[3, 5, 5]', 'upsample(2)'],
  ['[3, 5, 5]', 'upsample(1.5)'],
  ['[3, 5, 7]', 'upsample(2, mode="bilinear")'],
  ['[3, 5, 7]', 'upsample(2, mode="bilinear", align_corners=true)'],
  ['[3, 5, 5]', 'upsample(size=[7, 9], mode="bilinear")'],
  ['[3, 6, 6]', 'pad([1, 2, 0, 3])'],
  ['[3, 6, 6]', 'pad(2, mode="reflect")'],
  ['[3, 6, 6]', 'pad([2, 1], mode="edge")'],
  // tensor plumbing and layouts
  ['[8, 4, 4]', 'channel_shuffle(2)'],
  ['[8, 6, 6]', 'slice(1, 7, axis=0, step=2)'],
  ['[8, 6, 6]', 'slice(1, 6, axis=2, step=2)'],
  ['[8, 6, 6]', 'slice(-1, -9, axis=0, step=-3)'],
  ['[8, 6, 7]', 'slice(5, 0, axis=2, step=-2)'],
  ['[8, 6, 6]', 'gather([3, 0, 0, -2], axis=0)'],
  ['[8, 6, 6]', 'gather([5, 1], axis=1)'],
  ['[6, 8]', 'gather([7, 0, 1], axis=1)'],
  ['[6, 8]', 'gather([5, 0, 5, 1], stored=true) |> dense(3)'],
  ['[6, 8]', 'gather([5, 0, 5, 1], stored=true, stored_shape=[2, 2], axis=0)'],
  ['[4, 6, 7]', 'roll(-3, axis=1) |> roll(2, axis=2)'],
  ['[6, 8]', 'roll(1, axis=0)'],
  ['[4, 3, 3]', 'flatten |> dense(10)'],
  ['[4, 3, 3]', 'flatten |> relu |> dropout(0.3) |> dense(5)'],
  ['[4, 3, 3]', 'flatten |> bn |> dense(5)'],
  ['[4, 3, 3]', 'flatten |> softmax'],
  ['[4, 6]', 'conv(3, 3) |> flatten |> dense(4)'],
  ['[4, 3, 3]', 'reshape([4, 9]) |> transpose([1, 0]) |> dense(5)'],
  ['[6, 8]', 'dense(5) |> gelu |> dense(3)'],
  ['[4, 5, 6]', 'conv(3, 1) |> dense(5, bias=false) |> relu'],
  ['[6, 8]', 'class_token |> pos_embed |> layer_norm'],
  ['[4, 5, 5]', 'reduce_mean(axis=0)'],
  ['[4, 5, 5]', 'reduce_max(axis=[1, 2], keepdims=false) |> dense(3)'],
  ['[4, 5, 5]', 'reduce_sum(axis=0, keepdims=false)'],
];

/** Models with several inputs or merges: [name, source]. */
const graphs: [string, string][] = [
  ['add, mul and sub broadcast over channels', 'model t {\n input x: [4, 5, 5]\n s = x |> global_avgpool |> sigmoid\n output y = (x * s) - x + x\n}'],
  ['sub broadcasts a lower-rank operand', 'model t {\n input x: [4, 5, 5]\n input b: [5]\n output y = x - b\n}'],
  ['concat on channels and on width', 'model t {\n input x: [4, 5, 5]\n a = x |> conv(2, 1)\n output y = concat([x, a]) |> concat([x |> conv(6, 1)], axis=2)\n}'],
  ['matmul of token sequences', 'model t {\n input x: [6, 8]\n q = x |> dense(8)\n k = x |> dense(8) |> transpose([1, 0])\n output y = matmul(q, k, scale=0.25) |> softmax |> matmul(x)\n}'],
  ['param and buffer broadcast over the batch', 'model t {\n input x: [4, 5, 5]\n s = param([4, 1, 1], init="normal", value=1)\n output y = (x * s + buffer([5], init="constant", value=0.5)) |> conv(2, 1)\n}'],
  ['tensor–scalar arithmetic, also on a flattened map', 'model t {\n input x: [4, 3, 3]\n a = (1 - x * 0.5) / 3 + 2 / (x |> sigmoid) - -x\n output y = (a |> flatten) * 2 + 1 |> dense(3)\n}'],
  // relu makes ties (all-zero windows): the first maximum in row-major order wins, as in ONNX
  ['max_unpool at the argmax of a relu map, odd sizes', 'model t {\n input x: [3, 9, 11]\n r = x |> relu\n output y = r |> maxpool(2) |> conv(3, 1) |> max_unpool(r, 2)\n}'],
  ['max_unpool with a 3×2 window', 'model t {\n input x: [2, 6, 8]\n output y = x |> maxpool([3, 2]) |> tanh |> max_unpool(x, [3, 2])\n}'],
  ['comparisons as masks, with numbers and broadcasting', 'model t {\n input x: [4, 5, 5]\n m = (x > 0) + (0.5 >= x) * 2 + (x != (x |> relu)) + (x < (x |> reduce_mean(axis=0))) - (x == (x |> relu))\n output y = m + ((x |> flatten) > 0.1 |> reshape([4, 5, 5]))\n}'],
  ['where with broadcasting, also on a flattened map', 'model t {\n input x: [4, 5, 5]\n a = where(x > 0, x, x * 0.1) + where(x |> reduce_max(axis=0), full([1], 2), x)\n f = x |> flatten\n output y = where(f <= 0.2, f, f * -3) |> dense(3)\n output z = a |> conv(2, 1)\n}'],
  ['div broadcasts over channels', 'model t {\n input x: [4, 5, 5]\n output y = x / (x |> global_avgpool |> sigmoid)\n}'],
  ['constants broadcast over the batch', 'model t {\n input x: [4, 5, 5]\n a = x * constant([1, -2, 3, 0.5], shape=[4, 1, 1]) + arange(5) + full([5, 5], -1)\n output y = a * ones(5) + zeros([4, 1, 1]) |> conv(2, 1)\n}'],
  ['two inputs and two outputs', 'model t {\n input a: [3, 8, 8]\n input b: [3, 8, 8]\n output s = a + b\n output p = (a |> conv(4, 3, pad=1)) * (b |> conv(4, 3, pad=1)) |> flatten |> dense(2)\n}'],
];

async function checkAgainstOnnx(source: string): Promise<void> {
  const compiled = compileText(source);
  expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const graph = compiled.graph!;
  const weights = initWeights(graph, { seed: 3 });
  const inputs = inputsFor(graph, 2, 5);
  const reference = await onnxOutputs(graph, weights, inputs);
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const { model, metadata } = build(graph, weights);
    const outputs = await predictNchw(model, metadata, inputs);
    model.dispose();
    for (const o of graph.outputs) {
      expect(outputs[o.name]!.dims, `${o.name} on ${backend}`).toEqual(reference[o.name]!.dims);
      const { max, scale } = difference(outputs[o.name]!, reference[o.name]!);
      expect(max, `${o.name} on ${backend}`).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
    }
  }
}

describe('each op equals onnxruntime on wasm and cpu', () => {
  it.each(cases)('%s |> %s', async (shape, body) => {
    await checkAgainstOnnx(net(shape, `x |> ${body}`));
  });
  it.each(graphs)('%s', async (_name, source) => {
    await checkAgainstOnnx(source);
  });
});
