// Weights: seeded initialisation, the safetensors reader and writer (including files that are
// truncated or whose headers lie), ONNX initializers as a weights source, and the checks of a set of
// weights against a model's declarations.
import { describe, expect, it } from 'vitest';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { checkWeights } from '../../compiler/weights/check.js';
import { weightsFromOnnx } from '../../compiler/weights/from-onnx.js';
import { initWeights } from '../../compiler/weights/init.js';
import { concatChunks, readSafetensors, writeSafetensors } from '../../compiler/weights/safetensors.js';
import type { WeightTensor } from '../../compiler/weights/tensor.js';
import { compileText, net } from '../helpers.js';
import { lower } from './harness.js';

const small = net('[3, 8, 8]', 'x |> conv(4, 3, bias=false) |> bn |> relu |> flatten |> dense(5)');
const graphOf = (text: string) => {
  const r = compileText(text);
  expect(r.ok).toBe(true);
  return r.graph!;
};

/** A safetensors file from a header object and a data section. */
function file(header: unknown, data: Uint8Array = new Uint8Array(), headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

describe('initWeights', () => {
  const graph = graphOf(small);

  it('is reproducible from the seed and differs between seeds', () => {
    const a = initWeights(graph, { seed: 3 });
    const b = initWeights(graph, { seed: 3 });
    const c = initWeights(graph, { seed: 4 });
    for (const [name, w] of a) expect(Buffer.compare(Buffer.from(w.data.buffer), Buffer.from(b.get(name)!.data.buffer))).toBe(0);
    expect(a.get('conv1.weight')!.data).not.toEqual(c.get('conv1.weight')!.data);
  });

  it("draws each tensor from its own stream: another layer does not change a layer's weights", () => {
    const bigger = graphOf(net('[3, 8, 8]', 'x |> conv(4, 3, bias=false) |> bn |> relu |> conv(2, 1) |> flatten |> dense(5)'));
    expect(initWeights(bigger, { seed: 1 }).get('conv1.weight')!.data).toEqual(initWeights(graph, { seed: 1 }).get('conv1.weight')!.data);
  });

  it('uses He for convs, Glorot for dense layers, and batch norm constants', () => {
    const w = initWeights(graph, { seed: 0 });
    const conv = w.get('conv1.weight')!.data;
    const he = Math.sqrt(6 / (3 * 9));
    expect(Math.max(...conv.map(Math.abs))).toBeLessThanOrEqual(he);
    expect(Math.max(...conv.map(Math.abs))).toBeGreaterThan(0.8 * he);
    const dense = w.get('dense1.weight')!.data;
    const glorot = Math.sqrt(6 / (4 * 6 * 6 + 5));
    expect(Math.max(...dense.map(Math.abs))).toBeLessThanOrEqual(glorot);
    expect([...w.get('bn1.weight')!.data]).toEqual([1, 1, 1, 1]);
    expect([...w.get('bn1.bias')!.data]).toEqual([0, 0, 0, 0]);
    expect([...w.get('bn1.running_mean')!.data]).toEqual([0, 0, 0, 0]);
    expect([...w.get('bn1.running_var')!.data]).toEqual([1, 1, 1, 1]);
    expect([...w.get('dense1.bias')!.data]).toEqual([0, 0, 0, 0, 0]);
  });

  it('zeros: random initializers give 0, constant ones are kept', () => {
    const w = initWeights(graph, { zeros: true });
    expect(w.get('conv1.weight')!.data.every((v) => v === 0)).toBe(true);
    expect([...w.get('bn1.running_var')!.data]).toEqual([1, 1, 1, 1]);
  });

  it('constant and normal initializers (PReLU 0.25, ViT position embedding std 0.02)', () => {
    const w = initWeights(graphOf(net('[64, 48]', 'x |> prelu |> pos_embed')), { seed: 0 });
    expect(w.get('prelu1.weight')!.data.every((v) => v === 0.25)).toBe(true);
    const pos = [...w.get('pos_embed1')!.data];
    const mean = pos.reduce((a, b) => a + b) / pos.length;
    const std = Math.sqrt(pos.reduce((a, b) => a + (b - mean) ** 2, 0) / pos.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
  });
});

describe('safetensors', () => {
  it('round-trips names, shapes, values and metadata; the data starts 8-byte aligned', () => {
    const weights = new Map<string, WeightTensor>([
      ['a.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 6]) }],
      ['b', { shape: [], data: Float32Array.from([7]) }],
    ]);
    const bytes = writeSafetensors(weights, { source_model: 'm' });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const read = readSafetensors(bytes);
    if (!read.ok) throw new Error(read.error);
    expect(read.metadata).toEqual({ source_model: 'm' });
    expect([...read.weights.keys()]).toEqual(['a.weight', 'b']);
    expect(read.weights.get('a.weight')!.shape).toEqual([2, 3]);
    expect(Object.is(read.weights.get('a.weight')!.data[4], -0)).toBe(true);
    expect([...read.weights.get('a.weight')!.data]).toEqual([...weights.get('a.weight')!.data]);
  });

  it('reads F16, BF16 and F64 tensors as float32', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4040]).buffer);
    const f64 = new Uint8Array(Float64Array.from([0.1]).buffer);
    const data = new Uint8Array([...half, ...bf16, ...f64]);
    const read = readSafetensors(
      file({ h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] }, b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] }, d: { dtype: 'F64', shape: [1], data_offsets: [10, 18] } }, data),
    );
    if (!read.ok) throw new Error(read.error);
    expect([...read.weights.get('h')!.data]).toEqual([1, -2, Math.fround(0.333251953125)]);
    expect([...read.weights.get('b')!.data]).toEqual([1, 3]);
    expect(read.weights.get('d')!.data[0]).toBe(Math.fround(0.1));
  });

  it("skips PyTorch's integer num_batches_tracked buffers (archc has none)", () => {
    const read = readSafetensors(
      file({ 'bn1.num_batches_tracked': { dtype: 'I64', shape: [], data_offsets: [0, 8] }, 'bn1.weight': { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array([...new Uint8Array(8), ...f32(2)])),
    );
    if (!read.ok) throw new Error(read.error);
    expect([...read.weights.keys()]).toEqual(['bn1.weight']);
  });

  const entry = (offsets: [number, number], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  it.each<[string, Uint8Array, RegExp]>([
    ['an empty file', new Uint8Array(), /0 bytes long/],
    ['a header length past the end', file({ a: entry([0, 8]) }, f32(1, 2), 10_000), /header length says 10000 bytes but only \d+ follow/],
    ['a header that is not JSON', (() => { const b = file({}); b.set(new TextEncoder().encode('{x'), 8); return b; })(), /not valid UTF-8 JSON/],
    ['a header that is a list', file([1, 2]), /not a JSON object/],
    ['an 8-bit float tensor', file({ a: { dtype: 'F8_E5M2', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor 'a' is F8_E5M2; archc reads float tensors \(F32, F16 and BF16, converted to float32, and F64\) and integer tensors/],
    ['an integer float32 cannot hold', file({ a: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array([255, 255, 255, 255])), /tensor 'a' is U32 and holds 4294967295 at index 0, which float32 cannot hold exactly/],
    ['a dtype safetensors does not have', file({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /dtype "Q4" is not a safetensors type archc knows/],
    ['a shape that is not a list of sizes', file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /shape \[-1\]/],
    ['offsets that lie about the size', file({ a: entry([0, 4]) }, f32(1)), /needs 8 bytes, but data_offsets \[0, 4\] cover 4/],
    ['truncated data', file({ a: entry([0, 8]) }, f32(1)), /ends at byte 8 of the data, but the file holds only 4 data bytes/],
    ['overlapping tensors', file({ a: entry([0, 8]), b: entry([4, 12]) }, f32(1, 2, 3)), /overlaps/],
    ['a hole between tensors', file({ a: entry([0, 8]), b: entry([12, 20]) }, f32(1, 2, 3, 4, 5)), /bytes 8\.\.12 of the data belong to no tensor/],
    ['bytes after the last tensor', file({ a: entry([0, 8]) }, f32(1, 2, 3)), /has 12 bytes but the tensors cover 8/],
    ['metadata that is not strings', file({ __metadata__: { a: 1 } }), /__metadata__ must map strings to strings/],
  ])('refuses %s', (_what, bytes, message) => {
    const read = readSafetensors(bytes);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(message);
  });
});

describe('weights from an ONNX file', () => {
  it('reads the initializers of an export back exactly', () => {
    const graph = graphOf(small);
    const weights = initWeights(graph, { seed: 5 });
    const read = weightsFromOnnx(concatChunks(encodeOnnx(lower(graph, weights))));
    if (!read.ok) throw new Error(read.error);
    expect([...read.weights.keys()]).toEqual([...weights.keys()]);
    for (const [name, w] of weights) expect(read.weights.get(name)!.data).toEqual(w.data);
  });

  it.each<[string, number[], RegExp]>([
    ['bytes that are not an ONNX model', [0x3a, 0x10, 0x01], /not a readable ONNX model/],
    ['a model without a graph', [0x08, 0x08], /has no graph/],
  ])('refuses %s', (_what, bytes, message) => {
    const read = weightsFromOnnx(Uint8Array.from(bytes));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(message);
  });
});

describe('checkWeights', () => {
  const graph = graphOf(small);
  const weights = () => initWeights(graph, { seed: 0 });

  it('accepts the weights the model declares', () => {
    expect(checkWeights(graph, weights(), 'w.safetensors')).toEqual([]);
  });

  it('reports a missing weight at the op that declares it, suggesting a near name', () => {
    const w = weights();
    w.set('conv1.weigth', w.get('conv1.weight')!);
    w.delete('conv1.weight');
    const ds = checkWeights(graph, w, 'w.safetensors');
    expect(ds.map((d) => d.code)).toEqual(['E0702', 'E0703']);
    expect(ds[0]!.message).toBe("weight 'conv1.weight' [4, 3, 3, 3] is not in w.safetensors");
    expect(ds[0]!.span.start.line).toBe(3);
    expect(ds[0]!.hint).toContain("w.safetensors has 'conv1.weigth'");
    expect(ds[1]!.message).toBe("w.safetensors has a tensor 'conv1.weigth' [4, 3, 3, 3] that the model does not declare");
  });

  it('reports a mis-shaped weight with both shapes', () => {
    const w = weights();
    w.set('dense1.weight', { shape: [5, 100], data: new Float32Array(500) });
    const ds = checkWeights(graph, w, 'w.safetensors');
    expect(ds.map((d) => d.code)).toEqual(['E0704']);
    expect(ds[0]!.message).toBe("weight 'dense1.weight' is [5, 100] in w.safetensors, but the model declares [5, 144]");
  });

  it('caps each kind at ten diagnostics and counts the rest', () => {
    const other = graphOf(net('[3, 8, 8]', Array.from({ length: 15 }, () => 'conv(3, 1)').reduce((s, c) => `${s} |> ${c}`, 'x')));
    const ds = checkWeights(other, new Map(), 'empty.safetensors');
    expect(ds.length).toBe(10);
    expect(ds[9]!.notes.at(-1)).toBe('and 20 more missing weights not shown');
  });
});
