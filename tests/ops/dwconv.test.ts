import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('dwconv', () => {
  it.each([
    ['[32, 224, 224]', 'dwconv(3)', [32, 222, 222]],
    ['[32, 224, 224]', 'dwconv(3, pad=1)', [32, 224, 224]],
    ['[32, 224, 224]', 'dwconv(3, stride=2, pad=1)', [32, 112, 112]],
    ['[32, 112, 112]', 'dwconv(5, stride=2, pad="same")', [32, 56, 56]],
    ['[16, 8, 8]', 'dwconv(3, pad=1, multiplier=2)', [32, 8, 8]],
    ['[16, 8, 8]', 'dwconv(3, pad=2, dilation=2)', [16, 8, 8]],
    ['[16, 100]', 'dwconv(5)', [16, 96]],
    ['[4, 6, 8, 8]', 'dwconv(3, pad=1)', [4, 6, 8, 8]],
    ['[16, 2, 2]', 'dwconv(3)', 'E0301'],
    ['[16, 8, 8]', 'dwconv(3, multiplier=0)', 'E0305'],
    ['[16, 8, 8]', 'dwconv(0)', 'E0305'],
    ['[16]', 'dwconv(3)', 'E0303'],
    ['[16, 8, 8]', 'dwconv(3, groups=2)', 'E0204'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    // weight [C·m, 1, k, k]; MACs = k²·(C·m)·H·W
    ['[32, 224, 224]', 'dwconv(3, pad=1)', 32 * 9 + 32, 9 * 32 * 224 * 224],
    ['[32, 224, 224]', 'dwconv(3, pad=1, bias=false)', 32 * 9, 9 * 32 * 224 * 224],
    ['[16, 8, 8]', 'dwconv(3, pad=1, multiplier=2)', 32 * 9 + 32, 9 * 32 * 64],
  ])('%s |> %s: %d params, %d MACs', (shape, call, params, macs) => {
    const layer = lastLayer(shape, call);
    expect([layer.params, layer.macs]).toEqual([params, macs]);
  });

  it('has conv-compatible attrs: groups = C, filters = C·multiplier', () => {
    expect(attrsOf('[16, 8, 8]', 'dwconv(3, stride=2, pad=1, multiplier=2)')).toEqual({
      filters: 32,
      kernel: [3, 3],
      stride: [2, 2],
      dilation: [1, 1],
      pads: { begin: [1, 1], end: [1, 1], mode: 'explicit' },
      groups: 16,
      bias: true,
      multiplier: 2,
    });
  });

  it('grows the receptive field like a conv', () => {
    expect(lastLayer('[8, 32, 32]', 'dwconv(3, stride=2, dilation=2, pad=2)').receptiveField).toBe(5);
  });
});
