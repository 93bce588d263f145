// Every registered op exports, in its variants and at every input rank it takes: onnxruntime runs
// the file at batch 1 and 2 with the compiler's shapes (intermediates included), and python3-onnx
// accepts it, at the lowest and the default opset. The table must name every op of the registry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPSET, SUPPORTED_OPSETS } from '../../compiler/lower-onnx/lower.js';
import { ops } from '../../compiler/ops/registry.js';
import { initWeights } from '../../compiler/weights/init.js';
import { intermediateMismatches, outputMismatches } from '../../tools/dev/onnx-check.js';
import { compileText, net } from '../helpers.js';
import { bytesOf, lower, OnnxChecker } from './harness.js';

const image = '[4, 9, 10]';
const cases: [op: string, input: string, body: string][] = [
  ['conv', '[4, 11]', 'x |> conv(6, 3, stride=2, pad="same")'],
  ['conv', image, 'x |> conv(6, [3, 2], stride=[2, 1], pad=[1, 0, 2, 1], dilation=[2, 1], groups=2, bias=false)'],
  ['conv', '[2, 5, 6, 7]', 'x |> conv(4, 3, pad="full")'],
  ['dwconv', image, 'x |> dwconv(3, stride=2, pad="same", multiplier=2)'],
  ['conv_transpose', image, 'x |> conv_transpose(2, 3, stride=2, pad=1, output_padding=1, groups=2)'],
  ['conv_transpose', '[4, 7]', 'x |> conv_transpose(3, 4, stride=2, pad="same")'],
  ['conv_transpose', '[2, 3, 4, 5]', 'x |> conv_transpose(2, 2, stride=2)'],
  ['bn', '[6]', 'x |> bn'],
  ['bn', image, 'x |> bn(epsilon=0.001)'],
  ['maxpool', image, 'x |> maxpool(3, stride=2, pad=1, ceil=true)'],
  ['maxpool', '[2, 5, 6, 7]', 'x |> maxpool(2)'],
  ['max_unpool', image, 'x |> maxpool(2) |> sigmoid |> max_unpool(x, 2)'],
  ['max_unpool', '[3, 8, 9]', 'x |> maxpool([2, 3]) |> max_unpool(x |> relu, [2, 3])'],
  ['avgpool', image, 'x |> avgpool(3, stride=2, pad=1, ceil=true)'],
  ['avgpool', image, 'x |> avgpool(2, stride=2, pad="same")'],
  ['avgpool', '[3, 10]', 'x |> avgpool(4, stride=3, ceil=true, count_pad=false)'],
  ['global_avgpool', image, 'x |> global_avgpool'],
  ['global_maxpool', '[3, 10]', 'x |> global_maxpool'],
  ['adaptive_avgpool', image, 'x |> adaptive_avgpool([4, 3])'],
  ['adaptive_avgpool', '[2, 5, 6, 7]', 'x |> adaptive_avgpool([2, 4, 3])'],
  ['adaptive_maxpool', image, 'x |> adaptive_maxpool([12, 5])'],
  ['adaptive_maxpool', '[3, 10]', 'x |> adaptive_maxpool(4)'],
  ['dense', '[12]', 'x |> dense(5)'],
  ['dense', '[7, 12]', 'x |> dense(5, bias=false)'],
  ['dense', image, 'x |> dense(5)'],
  ['flatten', image, 'x |> flatten'],
  ['dropout', image, 'x |> dropout(0.3)'],
  ['add', image, 'x + (x |> global_avgpool)'],
  ['sub', image, 'x - (x |> conv(4, 1))'],
  ['mul', image, 'x * (x |> flatten |> slice(0, 10))'],
  ['concat', image, 'concat(x, x |> conv(2, 1), axis=0)'],
  ['concat', image, 'concat(x, x, axis=-1)'],
  ['layer_norm', '[7, 12]', 'x |> layer_norm(epsilon=0.000001)'],
  ['layer_norm', image, 'x |> layer_norm(axis=0)'],
  ['layer_norm', image, 'x |> layer_norm(axis=[1, 2])'],
  ['layer_norm', image, 'x |> layer_norm(axis=[0, 2])'],
  ['group_norm', image, 'x |> group_norm(2)'],
  ['group_norm', '[4, 10]', 'x |> group_norm(4, affine=false)'],
  ['instance_norm', image, 'x |> instance_norm(affine=true)'],
  ['lrn', image, 'x |> lrn(size=3)'],
  ['lrn', image, 'x |> lrn(size=4)'],
  ['lrn', '[4, 10]', 'x |> lrn(size=3)'],
  ['prelu', image, 'x |> prelu'],
  ['prelu', '[12]', 'x |> prelu(shared=true)'],
  ['softmax', image, 'x |> softmax(axis=0)'],
  ['l2norm', '[7, 12]', 'x |> l2norm'],
  ['upsample', image, 'x |> upsample(2)'],
  ['upsample', image, 'x |> upsample([1.5, 2], mode="bilinear")'],
  ['upsample', image, 'x |> upsample(size=[13, 7], mode="bilinear", align_corners=true)'],
  ['upsample', '[3, 10]', 'x |> upsample(3)'],
  ['upsample', '[2, 3, 4, 5]', 'x |> upsample(2, mode="bilinear")'],
  ['pad', image, 'x |> pad([1, 2, 0, 3])'],
  ['pad', image, 'x |> pad(2, mode="reflect")'],
  ['pad', '[3, 10]', 'x |> pad(1, mode="edge")'],
  ['channel_shuffle', image, 'x |> channel_shuffle(2)'],
  ['slice', image, 'x |> slice(1, -1, axis=1, step=2)'],
  ['slice', image, 'x |> slice(-1, -11, axis=2, step=-3)'],
  ['gather', image, 'x |> gather([3, 0, 0, -2], axis=0)'],
  ['gather', '[7, 12]', 'x |> gather([11, 1], axis=1)'],
  ['gather', '[7, 12]', 'x |> gather([6, 0, 6, 2], stored=true, name="index")'],
  ['gather', '[7, 12]', 'x |> gather([6, 0, 6, 2], stored=true, stored_shape=[2, 2])'],
  ['roll', image, 'x |> roll(-3, axis=1)'],
  ['roll', '[7, 12]', 'x |> roll(2, axis=0)'],
  ['matmul', '[7, 12]', 'matmul(x, x |> transpose([1, 0]), scale=0.25)'],
  ['matmul', '[2, 7, 12]', 'matmul(x, x |> slice(0, 1) |> reshape([12, 7]))'],
  ['matmul', '[12]', 'matmul(x, x |> reshape([12, 1]))'],
  ['reshape', image, 'x |> reshape([-1, 10])'],
  ['transpose', image, 'x |> transpose([2, 0, 1])'],
  ['class_token', '[7, 12]', 'x |> class_token'],
  ['pos_embed', '[7, 12]', 'x |> pos_embed'],
  ['reduce_mean', image, 'x |> reduce_mean([1, 2])'],
  ['reduce_max', image, 'x |> reduce_max(0, keepdims=false)'],
  ['reduce_sum', image, 'x |> reduce_sum(-1)'],
  ['scalar', image, '(1 - x * 0.5) / 3 + 2 / (x |> sigmoid) - -x'],
  ['div', image, 'x / (x |> global_avgpool |> sigmoid)'],
  ['compare', image, '(x > 0) + (0.5 >= x) + (x != (x |> relu)) + (x < (x |> reduce_mean(0))) - (x == x) * 2 + (x |> compare(op="le", value=0))'],
  ['compare', '[7, 12]', '(x >= (x |> slice(0, 1, axis=1))) * (x |> reduce_sum(0))'],
  ['where', image, 'where(x > 0, x, x * 0.1) + where(x |> reduce_max(1), full([1], 2), x)'],
  ['where', '[7, 12]', 'where(x <= 0.5, x |> slice(0, 1), ones(12))'],
  ['normalize', image, 'x |> normalize(mean=[0.1, 0.2, 0.3, 0.4], std=0.5)'],
  ['normalize', '[12]', 'x |> normalize'],
  ['rescale', image, 'x |> rescale([1, 2, 3, 4], offset=-1)'],
  ['rescale', '[7, 12]', 'x |> rescale(0.00392156862745098)'],
  ['zeros', image, 'x + zeros([4, 1, 1])'],
  ['ones', image, 'x * ones(10)'],
  ['full', image, 'x + full([9, 10], -100)'],
  ['arange', image, 'x * arange(10)'],
  ['constant', image, 'x * constant([1, 2, 3, 4], shape=[4, 1, 1])'],
  ['param', image, 'x * param([4, 1, 1], init="normal", value=0.5)'],
  ['buffer', image, 'x + buffer([9, 10], init="constant", value=2)'],
  ...(['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'swish', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'identity'] as const).map(
    (a): [string, string, string] => [a, image, `x |> ${a}`],
  ),
];

describe('the op table', () => {
  it('exercises every registered op', () => {
    const covered = new Set(cases.map(([op]) => op));
    expect(Object.keys(ops).filter((k) => !covered.has(k))).toEqual([]);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'archc-onnx-ops-'));
const checker = new OnnxChecker();
afterAll(() => {
  checker.close();
  rmSync(dir, { recursive: true, force: true });
});

let count = 0;
describe.each([SUPPORTED_OPSETS.min, DEFAULT_OPSET])('opset %i', (opset) => {
  it.each(cases)('%s on %s: %s', async (op, input, body) => {
    const r = compileText(net(input, body));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.graph!.nodes.some((n) => n.op === op)).toBe(true);
    const graph = r.graph!;
    const model = lower(graph, initWeights(graph, { seed: 2 }), opset);
    const bytes = bytesOf(model);
    const file = join(dir, `case${count++}.onnx`);
    writeFileSync(file, bytes);
    const checked = checker.check(file);
    expect(await outputMismatches(bytes, graph)).toEqual([]);
    expect(await intermediateMismatches(model, graph)).toEqual([]);
    expect(await checked).toBe('ok');
  });
});
