// The importer's batch-axis bookkeeping (import/layout.ts) and constant folding (import/rules/fold.ts)
// on the shapes PyTorch's nn.MultiheadAttention export produces: sequence-first [T, N, D], the
// batch folded into the heads [N·H, T, hd] and into the tokens [T·N, D].
import { describe, expect, it } from 'vitest';
import { normalized, onnxDims, reshapeLayout, standardLayout, transposeLayout, type Layout } from '../../import/layout.js';
import { foldNode } from '../../import/rules/fold.js';
import type { ConstTensor, OnnxNode } from '../../import/onnx-read.js';

const N = (k = 1) => ({ batch: k });

describe('layout', () => {
  it('a transpose that only moves the batch leaves the per-sample tensor as it is', () => {
    const t = transposeLayout(standardLayout(2), [1, 0, 2]); // [N, T, D] → [T, N, D]
    expect(t.archcPerm).toEqual([0, 1]);
    expect(t.layout).toEqual([[0], ['B'], [1]]);
    expect(onnxDims(t.layout, [17, 768])).toEqual([17, N(), 768]);
    expect(normalized(transposeLayout(t.layout, [1, 0, 2]).layout, 2)).toBeUndefined();
  });

  it('folds the batch into the heads and back out', () => {
    const seqFirst: Layout = [[0], ['B'], [1]];
    const heads = reshapeLayout(seqFirst, [17, 768], [17, N(12), 64]); // q.view(T, N·H, hd)
    expect(heads).toEqual({ layout: [[0], ['B', 1], [2]], shape: [17, 12, 64] });
    const moved = transposeLayout((heads as { layout: Layout }).layout, [1, 0, 2]); // .transpose(0, 1)
    expect(moved.archcPerm).toEqual([1, 0, 2]);
    const back = reshapeLayout(moved.layout, [12, 17, 64], [N(), 12, 17, 64]); // .view(N, H, T, hd)
    expect(back).toEqual({ layout: standardLayout(3), shape: [12, 17, 64] });
  });

  it('folds the batch into the tokens ([T, N, H, hd] → [T·N, D])', () => {
    const r = reshapeLayout([[0], ['B'], [1], [2]], [17, 12, 64], [N(17), 768]);
    expect(r).toEqual({ layout: [[0, 'B'], [1]], shape: [17, 768] });
  });

  it('refuses a reshape that would split the batch', () => {
    expect(reshapeLayout([[0], ['B'], [1]], [17, 768], [N(), 17 * 768])).toMatch(/batch would be split/);
    expect(reshapeLayout(standardLayout(1), [8], [4, 2])).toMatch(/does not keep the batch/);
  });
});

describe('constant folding', () => {
  const node = (op: string, attrs: Record<string, unknown> = {}): OnnxNode => ({ name: op, op, domain: '', inputs: [], outputs: ['y'], attrs: new Map(Object.entries(attrs)) as OnnxNode['attrs'] });
  const float = (shape: number[], v: number[]): ConstTensor => ({ shape, type: 'float', data: Float32Array.from(v), name: 'c' });
  const int = (shape: number[], v: number[]): ConstTensor => ({ shape, type: 'int', data: v, name: 'c' });

  it('computes attention scale arithmetic: 1 / sqrt(64)', () => {
    const [root] = foldNode(node('Sqrt'), [float([1], [64])])!;
    const [scale] = foldNode(node('Div'), [float([1], [1]), root!])!;
    expect(Array.from(scale!.data)).toEqual([0.125]);
  });

  it('broadcasts, and keeps integer division and Python-style Mod', () => {
    expect(foldNode(node('Mul'), [int([3], [1, 1, 1]), int([], [-1])])![0]!.data).toEqual([-1, -1, -1]);
    expect(foldNode(node('Div'), [int([], [7]), int([], [2])])![0]!.data).toEqual([3]);
    expect(foldNode(node('Mod'), [int([], [-1]), int([], [3])])![0]!.data).toEqual([2]);
    expect(foldNode(node('Add'), [float([2, 1], [1, 2]), float([3], [10, 20, 30])])![0]!.shape).toEqual([2, 3]);
  });

  it('fills a -1 placeholder through ConstantOfShape, Equal and Where', () => {
    const ones = foldNode(node('ConstantOfShape', { value: int([1], [1]) }), [int([1], [3])])![0]!;
    expect(ones.data).toEqual([1, 1, 1]);
    const isMinus = foldNode(node('Equal'), [int([3], [2, -1, -1]), int([3], [-1, -1, -1])])![0]!;
    expect(foldNode(node('Where'), [isMinus, ones, int([3], [2, -1, -1])])![0]!.data).toEqual([2, 1, 1]);
  });

  it('leaves ops it does not know to the rules', () => {
    expect(foldNode(node('Conv'), [float([1], [1])])).toBeUndefined();
  });
});
