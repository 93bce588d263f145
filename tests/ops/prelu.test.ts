import { describe, expect, it } from 'vitest';
import { compileText } from '../helpers.js';
import { ops } from '../../compiler/ops/registry.js';
import { lastLayer, outcome } from './table.js';

describe('prelu', () => {
  it.each([
    ['[64, 56, 56]', 'prelu', [64, 56, 56]],
    ['[64, 56, 56]', 'prelu(shared=true)', [64, 56, 56]],
    ['[512]', 'prelu', [512]],
    ['[64, 56, 56]', 'prelu(0.25)', 'E0203'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[64, 56, 56]', 'prelu', 64],
    ['[64, 56, 56]', 'prelu(shared=true)', 1],
    ['[512]', 'prelu', 512],
    ['[10, 32]', 'prelu', 10], // channels are axis 0, as PyTorch's dim 1 of the batched tensor
  ])('%s |> %s learns %d slopes', (shape, call, params) => {
    expect(lastLayer(shape, call).params).toBe(params);
  });

  it('declares its slopes starting at 0.25, as PyTorch', () => {
    const r = compileText('model t {\n  input x: [8, 4, 4]\n  output y = x |> prelu\n}\n');
    const node = r.graph!.nodes.at(-1)!;
    expect(node.attrs).toEqual({ slopes: 8, shared: false });
    expect(ops.prelu.weights!(node.attrs as never, [[8, 4, 4]])).toEqual([
      { name: 'weight', shape: [8], role: 'learnable', init: 'constant', value: 0.25 },
    ]);
  });
});
