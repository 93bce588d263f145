// The arithmetic behind `archc export --quantize int8` and `--dtype float16` (compiler/quantize/):
// scales and zero points, symmetric weights per tensor and per channel, int32 biases, percentile
// ranges, float16 rounding, and the QDQ rewrite's structure on a hand-built graph.
import { describe, expect, it } from 'vitest';
import { FLOAT, type ModelProto } from '../../compiler/lower-onnx/proto.js';
import { float16Weights } from '../../compiler/quantize/float16.js';
import { prepareForQuantization } from '../../compiler/quantize/prepare.js';
import { quantizationTargets, quantizeQdq } from '../../compiler/quantize/qdq.js';
import { activationParams, quantizeBias, quantizeWeights, RangeObserver, roundEven } from '../../compiler/quantize/ranges.js';
import { float16Bits, float16Value, floatTensor, floatValues, INT8, UINT8 } from '../../compiler/quantize/tensors.js';

describe('activation scale and zero point', () => {
  it('uint8 maps the range, widened to contain 0, onto 0..255', () => {
    const p = activationParams({ min: -1, max: 3 }, 'uint8');
    expect(p.scale).toBeCloseTo(4 / 255, 7);
    expect(p.zeroPoint).toBe(64); // round(0 - (-1) / (4/255)) = round(63.75)
    expect(activationParams({ min: 0.5, max: 2 }, 'uint8')).toEqual({ scale: Math.fround(2 / 255), zeroPoint: 0 });
  });

  it('int8 maps it onto -128..127', () => {
    const p = activationParams({ min: -2, max: 2 }, 'int8');
    expect(p.scale).toBeCloseTo(4 / 255, 7);
    expect(Math.abs(p.zeroPoint)).toBeLessThanOrEqual(1); // -128 + 2 / scale ≈ -0.5: 0 or -1 by float rounding
    expect(p.zeroPoint * p.scale).toBeLessThan(0.02); // 0 maps to ≈0 either way
    expect(activationParams({ min: 0, max: 1 }, 'int8').zeroPoint).toBe(-128);
  });

  it('an empty or constant-zero range gets scale 1, not a division by zero', () => {
    expect(activationParams({ min: 0, max: 0 }, 'uint8')).toEqual({ scale: 1, zeroPoint: 0 });
  });

  it('rounds half to even as QuantizeLinear does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });
});

describe('symmetric int8 weights', () => {
  const w = Float32Array.of(1, -0.5, 0.25, 0.01, -0.02, 0.005); // two output channels of three

  it('per tensor: one scale, the largest magnitude becomes ±127', () => {
    const q = quantizeWeights(w, [2, 3]);
    expect([...q.scales]).toEqual([Math.fround(1 / 127)]);
    expect([...q.values]).toEqual([127, -64, 32, 1, -3, 1]);
  });

  it('per channel: each filter keeps its own precision', () => {
    const q = quantizeWeights(w, [2, 3], 0);
    expect(q.scales[1]).toBeCloseTo(0.02 / 127, 9);
    expect([...q.values]).toEqual([127, -64, 32, 63, -127, 32]); // 0.01 / float32(0.02 / 127) = 63.4999…
    const err = [...w].map((x, i) => Math.abs(x - q.values[i]! * q.scales[i < 3 ? 0 : 1]!));
    expect(Math.max(...err.slice(3))).toBeLessThan(0.02 / 127);
  });

  it('per channel along axis 1 (MatMul weights [in, out])', () => {
    const q = quantizeWeights(Float32Array.of(1, 0.1, -1, -0.1), [2, 2], 1);
    expect([...q.values]).toEqual([127, 127, -127, -127]);
  });

  it('int32 bias: scale = input scale × weight scale, zero point 0', () => {
    const b = quantizeBias(Float32Array.of(0.5, -0.25), 0.01, Float32Array.of(0.1, 0.05));
    expect([...b.values]).toEqual([500, -500]);
    expect(b.scales[1]).toBeCloseTo(0.0005, 9);
  });
});

describe('calibration ranges', () => {
  const values = Float32Array.from({ length: 100_000 }, (_, i) => (i % 1000) / 1000);
  values[7] = 50; // one outlier

  it('min–max keeps the outlier, percentile clips it', () => {
    const o = new RangeObserver();
    o.observeRange(values);
    expect(o.range('minmax')).toEqual({ min: 0, max: 50 });
    o.observeHistogram(values);
    const r = o.range('percentile', 99.99);
    expect(r.min).toBe(0);
    expect(r.max).toBeLessThan(1.1);
    expect(r.max).toBeGreaterThan(0.97);
  });
});

describe('float16', () => {
  it('rounds to the nearest binary16 as numpy does', () => {
    expect([1, -2, 0.5, 65504, 1e6, 0, 0.1].map(float16Bits)).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0, 0x2e66]);
    expect(float16Bits(2 ** -24)).toBe(1); // the smallest subnormal
    expect(float16Bits(2 ** -26)).toBe(0);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (const x of [0.3, -7.77, 1234.5, 1e-3]) expect(Math.abs(float16Value(float16Bits(x)) - x) / Math.abs(x)).toBeLessThan(2 ** -10);
  });
});

/** image → Conv(w, b) → BatchNormalization → Relu → Flatten → Gemm(fc) → logits */
function tinyModel(): ModelProto {
  const f = (name: string, dims: number[], values: number[]) => floatTensor(name, dims, Float32Array.from(values));
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      input: [{ name: 'image', type: { tensorType: { elemType: FLOAT } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: FLOAT } } }],
      initializer: [
        f('c.weight', [2, 1, 1, 1], [1, -2]),
        f('c.bias', [2], [0.5, 0]),
        ...['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'].map((n, i) => f(n, [2], [[2, 1], [0, 1], [1, -1], [3, 0]][i]!)),
        f('fc.weight', [3, 2], [1, 2, 3, 4, 5, 6]),
        f('fc.bias', [3], [0, 0, 1]),
      ],
      node: [
        { name: 'c', opType: 'Conv', input: ['image', 'c.weight', 'c.bias'], output: ['c_out'] },
        { name: 'bn', opType: 'BatchNormalization', input: ['c_out', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], output: ['bn_out'], attribute: [{ name: 'epsilon', type: 1, f: 1 }] },
        { name: 'relu', opType: 'Relu', input: ['bn_out'], output: ['relu_out'] },
        { name: 'flat', opType: 'Flatten', input: ['relu_out'], output: ['flat_out'] },
        { name: 'fc', opType: 'Gemm', input: ['flat_out', 'fc.weight', 'fc.bias'], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
      ],
    },
  };
}

describe('the QDQ rewrite', () => {
  it('folds the batch norm into the conv: W·γ/√(var+ε), (b − μ)·γ/√(var+ε) + β', () => {
    const prepared = prepareForQuantization(tinyModel());
    const g = prepared.graph!;
    expect(g.node!.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'Flatten', 'Gemm']);
    expect(g.node![0]!.output).toEqual(['bn_out']);
    const value = (name: string) => [...floatValues(g.initializer!.find((t) => t.name === name)!)!];
    // γ = [2, 1], σ = √(var + 1) = [2, 1]: k = [1, 1]; bias = (b − μ)·k + β = [0.5 − 1 + 0, 0 + 1 + 1]
    expect(value('c.weight')).toEqual([1, -2]);
    expect(value('c.bias')).toEqual([-0.5, 2]);
    expect(g.initializer!.some((t) => t.name!.startsWith('bn.'))).toBe(false);
    expect(tinyModel().graph!.node!.length).toBe(5); // the input model is not modified
  });

  it('quantizes weights, biases and the activations around each conv and dense layer', () => {
    const prepared = prepareForQuantization(tinyModel());
    const { targets, activations } = quantizationTargets(prepared);
    expect(targets.map((t) => [t.node.opType, t.axis])).toEqual([['Conv', 0], ['Gemm', 0]]);
    expect(activations).toEqual(['image', 'bn_out', 'flat_out']); // not the graph output 'logits'
    const ranges = new Map(activations.map((a) => [a, { min: -1, max: 1 }]));
    const q = quantizeQdq(prepared, { perChannel: true, activationType: 'uint8', ranges });
    if (!q.ok) throw new Error(q.message);
    const g = q.model.graph!;
    const types = g.node!.map((n) => n.opType);
    expect(types.filter((t) => t === 'QuantizeLinear')).toHaveLength(3);
    expect(types.filter((t) => t === 'DequantizeLinear')).toHaveLength(3 + 4); // 3 activations, 2 weights, 2 biases
    const init = (name: string) => g.initializer!.find((t) => t.name === name);
    expect(init('c.weight')).toBeUndefined();
    expect(init('c.weight_q')!.dataType).toBe(INT8);
    expect(init('image_zp')!.dataType).toBe(UINT8);
    const conv = g.node!.find((n) => n.opType === 'Conv')!;
    expect(conv.input).toEqual(['image_dq', 'c.weight', 'c.bias']);
    // Every tensor is produced before it is read (the node list stays topologically sorted).
    const known = new Set(['image', ...g.initializer!.map((t) => t.name!)]);
    for (const n of g.node!) {
      for (const i of n.input!) expect(known.has(i), `${n.opType} reads ${i}`).toBe(true);
      for (const o of n.output!) known.add(o);
    }
  });

  it('refuses a model with no conv or dense layer', () => {
    const m = tinyModel();
    const g = { ...m.graph!, node: [{ opType: 'Relu', input: ['image'], output: ['logits'] }] };
    const q = quantizeQdq({ ...m, graph: g }, { perChannel: false, activationType: 'uint8', ranges: new Map() });
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.message).toMatch(/no convolution or dense layer/);
  });

  it('float16 keeps every weight as a half tensor widened by a Cast', () => {
    const half = float16Weights(tinyModel());
    const g = half.graph!;
    expect(g.initializer!.every((t) => t.dataType === 10)).toBe(true);
    expect(g.node!.filter((n) => n.opType === 'Cast')).toHaveLength(tinyModel().graph!.initializer!.length);
    expect(g.node!.find((n) => n.opType === 'Cast' && n.output![0] === 'c.weight')!.input).toEqual(['c.weight_float16']);
  });
});
