// The ONNX lowerings compute what the DSL means: small models with hand-set weights run in
// onnxruntime against hand-computed arrays, including the teaching texts' worked examples (C1, C3,
// C7, C8; see tests/ops/worked-examples.test.ts) and the cases where frameworks disagree (TF "same" padding, ceil mode, the average
// pool's divisor, nearest and bilinear resizing, even-sized LRN, non-divisible adaptive pooling).
import { describe, expect, it } from 'vitest';
import { initWeights } from '../../compiler/weights/init.js';
import { compileText, net } from '../helpers.js';
import { bytesOf, lower, run } from './harness.js';

/** Exports `text` with the named weights set to these values (others seeded), runs it at batch 1. */
async function evaluate(text: string, input: number[], set: Record<string, number[]> = {}, opset?: number): Promise<number[]> {
  const r = compileText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const graph = r.graph!;
  const weights = initWeights(graph, { seed: 1 });
  for (const [name, values] of Object.entries(set)) {
    const w = weights.get(name);
    if (!w) throw new Error(`no weight ${name}; the model has ${[...weights.keys()].join(', ')}`);
    expect(values.length).toBe(w.data.length);
    w.data.set(values);
  }
  const x = graph.inputs[0]!;
  const dims = [1, ...graph.nodes[x.node]!.shape];
  const out = await run(bytesOf(lower(graph, weights, opset)), { name: x.name, dims, data: input });
  expect(out.dims).toEqual([1, ...graph.nodes[graph.outputs[0]!.node]!.shape]);
  return out.data;
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `element ${i}: ${actual.join(', ')}`).toBeCloseTo(expected[i]!, digits));
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe("convolution and pooling arithmetic (the teaching texts' worked examples)", () => {
  it('C1: 3×3 cross-correlation, stride 1, no padding', async () => {
    const I = [1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 1, 0, 1];
    const K = [1, 0, -1, 1, 0, -1, 1, 0, -1];
    expectClose(await evaluate(net('[1, 4, 4]', 'x |> conv(1, 3, bias=false)'), I, { 'conv1.weight': K }), [-2, -2, 2, -4]);
  });

  it('C3: padding 1 gives the cross-correlation, not the true convolution', async () => {
    const X = [1, 3, 2, 4, 5, 6, 1, 3, 1, 2, 0, 2, 3, 4, 3, 2];
    const W = [1, 0, 3, 1, 2, 1, 0, 1, 1];
    const expected = [16, 16, 15, 13, 28, 27, 28, 11, 29, 20, 24, 7, 16, 15, 20, 7];
    expectClose(await evaluate(net('[1, 4, 4]', 'x |> conv(1, 3, pad=1, bias=false)'), X, { 'conv1.weight': W }), expected);
  });

  it('C7: 2×2 max and average pooling, stride 2', async () => {
    expectClose(await evaluate(net('[1, 4, 4]', 'x |> maxpool(2)'), range(16)), [6, 8, 14, 16]);
    expectClose(await evaluate(net('[1, 4, 4]', 'x |> avgpool(2)'), range(16)), [3.5, 5.5, 11.5, 13.5]);
  });

  it('C8: 2×2 max pooling, stride 2', async () => {
    const X = [1, 3, 2, 4, 0, 2, 1, 3, 5, 1, 2, 6, 3, 0, 0, 1];
    expectClose(await evaluate(net('[1, 4, 4]', 'x |> maxpool(2)'), X), [3, 4, 5, 6]);
  });

  it('TF-style "same" with stride 2 pads 0 before and 1 after', async () => {
    // Windows rows/cols 0-2 and 2-3 (+1 zero row/col): PyTorch's symmetric pad 1 would give other sums.
    const out = await evaluate(net('[1, 4, 4]', 'x |> conv(1, 3, stride=2, pad="same", bias=false)'), range(16), { 'conv1.weight': Array(9).fill(1) });
    expectClose(out, [54, 45, 72, 54]);
  });

  it('groups and dilation', async () => {
    // Two groups of one channel each; dilation 2 reads columns 0, 2, 4.
    const out = await evaluate(net('[2, 1, 5]', 'x |> conv(2, [1, 3], dilation=[1, 2], groups=2, bias=false)'), [...range(5), ...range(5, 10)], {
      'conv1.weight': [1, 1, 1, 1, -1, 1],
    });
    expectClose(out, [1 + 3 + 5, 10 - 12 + 14]);
  });

  it('ceil mode keeps a last partial window (PyTorch rule)', async () => {
    expectClose(await evaluate(net('[1, 6]', 'x |> maxpool(3, stride=2, ceil=true)'), range(6)), [3, 5, 6]);
  });

  it("average pool divisors: padding counted, the overflow of ceil mode not (PyTorch's count_include_pad)", async () => {
    // Windows start at −1, 1, 3, 5; the last covers input 5 (= 6) and one zero of padding.
    expectClose(await evaluate(net('[1, 6]', 'x |> avgpool(3, stride=2, pad=1, ceil=true)'), range(6)), [1, 3, 5, 3]);
    expectClose(await evaluate(net('[1, 6]', 'x |> avgpool(3, stride=2, pad=1, ceil=true, count_pad=false)'), range(6)), [1.5, 3, 5, 6]);
    expectClose(await evaluate(net('[1, 5]', 'x |> avgpool(2, ceil=true)'), range(5)), [1.5, 3.5, 5]);
  });

  it('batch norm in inference form uses the running statistics', async () => {
    const set = { 'bn1.weight': [2, 3], 'bn1.bias': [1, 1], 'bn1.running_mean': [0, 1], 'bn1.running_var': [4, 1] };
    expectClose(await evaluate(net('[2, 1, 1]', 'x |> bn'), [1, 2], set), [1 / Math.sqrt(4 + 1e-5) * 2 + 1, (1 / Math.sqrt(1 + 1e-5)) * 3 + 1]);
  });

  it('transposed convolution scatters each input through the kernel', async () => {
    const out = await evaluate(net('[1, 2]', 'x |> conv_transpose(1, 2, stride=2, bias=false)'), [1, 2], { 'conv_transpose1.weight': [1, 1] });
    expectClose(out, [1, 1, 2, 2]);
  });
});

describe('resizing and adaptive pooling', () => {
  const square = [1, 2, 3, 4];

  it('nearest up-sampling copies pixels (PyTorch: floor(dst / scale))', async () => {
    expectClose(await evaluate(net('[1, 2, 2]', 'x |> upsample(2)'), square), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('bilinear up-sampling maps pixel centres (align_corners=false)', async () => {
    const top = [1, 1.25, 1.75, 2];
    const rows = [0, 0.5, 1.5, 2].flatMap((offset) => top.map((v) => v + offset));
    expectClose(await evaluate(net('[1, 2, 2]', 'x |> upsample(2, mode="bilinear")'), square), rows);
  });

  it('bilinear up-sampling with align_corners maps the corners', async () => {
    const top = [1, 4 / 3, 5 / 3, 2];
    const rows = [0, 2 / 3, 4 / 3, 2].flatMap((offset) => top.map((v) => v + offset));
    expectClose(await evaluate(net('[1, 2, 2]', 'x |> upsample(2, mode="bilinear", align_corners=true)'), square), rows);
  });

  it('an up-sampling to a size', async () => {
    expectClose(await evaluate(net('[1, 1, 2]', 'x |> upsample(size=[1, 3])'), [1, 2]), [1, 1, 2]);
  });

  it('adaptive pooling, divisible: a plain pool', async () => {
    expectClose(await evaluate(net('[1, 4, 4]', 'x |> adaptive_avgpool(2)'), range(16)), [3.5, 5.5, 11.5, 13.5]);
  });

  it("adaptive pooling, not divisible: PyTorch's overlapping windows", async () => {
    // Windows [0, 2), [1, 4), [3, 5) of five rows.
    expectClose(await evaluate(net('[1, 5]', 'x |> adaptive_avgpool(3)'), range(5)), [1.5, 3, 4.5]);
    expectClose(await evaluate(net('[1, 5]', 'x |> adaptive_maxpool(3)'), range(5)), [2, 4, 5]);
    const grid = [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4];
    expectClose(await evaluate(net('[1, 2, 2]', 'x |> adaptive_avgpool(3)'), square), grid);
    expectClose(await evaluate(net('[1, 2, 2]', 'x |> adaptive_maxpool(3)'), square), [1, 2, 2, 3, 4, 4, 3, 4, 4]);
  });
});

describe('normalizations', () => {
  const lrnExpect = (window: (c: number) => number[]) =>
    [1, 2, 3].map((x, c) => x / (1 + (1 / 3) * window(c).reduce((s, j) => s + ([1, 2, 3][j] ?? 0) ** 2, 0)));

  it('LRN, odd size (the LRN op)', async () => {
    const expected = lrnExpect((c) => [c - 1, c, c + 1]);
    expectClose(await evaluate(net('[3, 1, 1]', 'x |> lrn(size=3, alpha=1.0, beta=1.0, k=1.0)'), [1, 2, 3]), expected);
  });

  it("LRN, even size: PyTorch's window puts the extra channel before", async () => {
    const expected = [1, 2, 3].map((x, c) => x / (1 + (1 / 2) * ([c - 1, c].reduce((s, j) => s + ([1, 2, 3][j] ?? 0) ** 2, 0))));
    expectClose(await evaluate(net('[3, 1, 1]', 'x |> lrn(size=2, alpha=1.0, beta=1.0, k=1.0)'), [1, 2, 3]), expected);
  });

  it('l2norm divides by the norm, and by epsilon for a zero vector', async () => {
    expectClose(await evaluate(net('[2]', 'x |> l2norm'), [3, 4]), [0.6, 0.8]);
    expectClose(await evaluate(net('[2]', 'x |> l2norm'), [0, 0]), [0, 0]);
  });

  it.each([16, 17])('layer_norm at opset %i', async (opset) => {
    const mean = 2.5;
    const std = Math.sqrt(1.25 + 1e-5);
    const set = { 'layer_norm1.weight': [1, 1, 1, 2], 'layer_norm1.bias': [0, 0, 0, 1] };
    const expected = [1, 2, 3, 4].map((v, i) => ((v - mean) / std) * (i === 3 ? 2 : 1) + (i === 3 ? 1 : 0));
    expectClose(await evaluate(net('[1, 4]', 'x |> layer_norm'), [1, 2, 3, 4], set, opset), expected, 4);
  });
});

describe('tensor ops', () => {
  it('channel shuffle interleaves the groups', async () => {
    expectClose(await evaluate(net('[6, 1, 1]', 'x |> channel_shuffle(2)'), [0, 1, 2, 3, 4, 5]), [0, 3, 1, 4, 2, 5]);
  });

  it('dense on a token sequence: x·Wᵀ + b per token', async () => {
    const out = await evaluate(net('[2, 2]', 'x |> dense(2)'), [1, 0, 0, 1], { 'dense1.weight': [1, 2, 3, 4], 'dense1.bias': [1, 1] });
    expectClose(out, [2, 4, 3, 5]);
  });

  it('flatten then dense: C, H, W order', async () => {
    const out = await evaluate(net('[2, 1, 2]', 'x |> flatten |> dense(1, bias=false)'), [1, 2, 3, 4], { 'dense1.weight': [1, 10, 100, 1000] });
    expectClose(out, [4321]);
  });

  it('broadcasting a lower-rank operand aligns it with the last axes', async () => {
    const text = 'model t {\n  input x: [2, 1, 2]\n  b = x |> flatten |> slice(0, 2)\n  output y = x * b\n}\n';
    expectClose(await evaluate(text, [1, 2, 3, 4]), [1, 4, 3, 8]);
  });

  it('class token and position embedding', async () => {
    const set = { class_token1: [5, 6], pos_embed1: [0.5, 0.5, 1, 1, 2, 2] };
    expectClose(await evaluate(net('[2, 2]', 'x |> class_token |> pos_embed'), [1, 2, 3, 4], set), [5.5, 6.5, 2, 3, 5, 6]);
  });

  it('prelu slopes per channel', async () => {
    expectClose(await evaluate(net('[2, 1, 2]', 'x |> prelu'), [-1, 1, -1, 1], { 'prelu1.weight': [0.5, 2] }), [-0.5, 1, -2, 1]);
  });

  it('matmul with a scale, transpose', async () => {
    const text = 'model t {\n  input x: [2, 2]\n  output y = matmul(x, x |> transpose([1, 0]), scale=0.5)\n}\n';
    expectClose(await evaluate(text, [1, 2, 3, 4]), [2.5, 5.5, 5.5, 12.5]);
  });

  it('reflect and constant padding', async () => {
    expectClose(await evaluate(net('[1, 1, 3]', 'x |> pad([0, 0, 1, 1], mode="reflect")'), [1, 2, 3]), [2, 1, 2, 3, 2]);
    expectClose(await evaluate(net('[1, 1, 2]', 'x |> pad([0, 0, 1, 0], value=9.0)'), [1, 2]), [9, 1, 2]);
  });

  it('softmax, reshape and dropout (the identity at inference)', async () => {
    const e = [1, 2, 3].map(Math.exp);
    const sum = e.reduce((a, b) => a + b);
    expectClose(await evaluate(net('[3]', 'x |> dropout(0.5) |> reshape([1, 3]) |> softmax'), [1, 2, 3]), e.map((v) => v / sum));
  });
});

describe('activations', () => {
  const xs = [-4, -1, 0, 1, 4];
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const cases: [string, (x: number) => number][] = [
    ['relu6', (x) => Math.min(Math.max(x, 0), 6)],
    ['leaky_relu(0.1)', (x) => (x > 0 ? x : 0.1 * x)],
    ['elu', (x) => (x > 0 ? x : Math.exp(x) - 1)],
    ['silu', (x) => x * sigmoid(x)],
    ['hardsigmoid', (x) => Math.min(Math.max(x + 3, 0), 6) / 6],
    ['hardswish', (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6],
    ['selu', (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1))],
  ];
  it.each(cases)('%s', async (op, f) => {
    expectClose(await evaluate(net('[5]', `x |> ${op}`), xs), xs.map(f), 4);
  });

  it.each([13, 17])('hardswish at opset %i and gelu (erf form)', async (opset) => {
    const gelu = [-0.00012668, -0.15865525, 0, 0.84134475, 3.99987332];
    expectClose(await evaluate(net('[5]', 'x |> gelu'), xs, {}, opset), gelu, 4);
    expectClose(await evaluate(net('[5]', 'x |> hardswish'), xs, {}, opset), xs.map((x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6), 5);
  });
});

describe('tensor values and index ops compute what PyTorch does', () => {
  const xs = [0, 1, 2, 3, 4];
  it.each([
    ['x |> roll(1, axis=0)', [4, 0, 1, 2, 3]], // torch.roll(x, 1)
    ['x |> roll(-2, axis=0)', [2, 3, 4, 0, 1]],
    ['x |> gather([4, 0, 0, -2])', [4, 0, 0, 3]], // index_select
    ['x |> slice(-1, -6, step=-2)', [4, 2, 0]], // x[::-2]
    ['x |> slice(3, 0, step=-1)', [3, 2, 1]], // x[3:0:-1]
    ['1 - x / 2', [1, 0.5, 0, -0.5, -1]],
    ['(x + 1) * 0.5 - -x', [0.5, 2, 3.5, 5, 6.5]],
    ['x * arange(5) + full(5, -1)', [-1, 0, 3, 8, 15]],
    ['x + constant([5, 4, 3, 2, 1]) * ones(5)', [5, 5, 5, 5, 5]],
    ['(x > 2) + (x == 1) * 10 + (3 <= x) * 100', [0, 10, 0, 101, 101]], // masks: 1.0 where true
    ['where(x != 2, x * -1, full(1, 7))', [0, -1, 7, -3, -4]], // torch.where(cond, a, b)
    ['x * 0 + mean([1, 2, 6]) + (x |> sum(0)) - (x |> max(0))', [9, 9, 9, 9, 9]], // 3 + 10 − 4
  ])('%s', async (body, expected) => {
    expectClose(await evaluate(net('[5]', body), xs), expected);
  });

  it("max_unpool puts each window's value at the first maximum of the pre-pool map (max_unpool2d)", async () => {
    // Windows: 5 at (0, 1); 7 twice (the first wins); four zeros (the first wins); 9 at (3, 3).
    const x = [1, 5, 2, 0, 3, 2, 7, 7, 0, 0, 4, 1, 0, 0, 2, 9];
    const unpooled = [0, 6, 0, 0, 0, 0, 8, 0, 1, 0, 0, 0, 0, 0, 0, 10];
    expectClose(await evaluate(net('[1, 4, 4]', '(x |> maxpool(2)) + 1 |> max_unpool(x, 2)'), x), unpooled);
  });

  it('param broadcasts its values; group_norm and layer_norm(axis=0) normalize', async () => {
    expectClose(await evaluate(net('[2, 2]', 'x * param([2, 1], name="s")'), [1, 2, 3, 4], { s: [10, -1] }), [10, 20, -3, -4]);
    // One group over [2, 2]: mean 2.5, variance 1.25.
    const z = [1, 2, 3, 4].map((v) => (v - 2.5) / Math.sqrt(1.25 + 1e-5));
    expectClose(await evaluate(net('[2, 2]', 'x |> group_norm(1)'), [1, 2, 3, 4]), z, 4);
    // Over the channels at each position: (1, 3) and (2, 4).
    const c = 1 / Math.sqrt(1 + 1e-6);
    expectClose(await evaluate(net('[2, 2]', 'x |> layer_norm(axis=0, epsilon=0.000001)'), [1, 2, 3, 4]), [-c, -c, c, c], 4);
  });
});
