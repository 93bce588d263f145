import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('layer_norm', () => {
  it.each([
    ['[197, 768]', 'layer_norm', [197, 768]],
    ['[197, 768]', 'layer_norm(epsilon=1e-6)', [197, 768]],
    ['[512]', 'layer_norm', [512]],
    ['[96, 56, 56]', 'layer_norm', [96, 56, 56]],
    ['[197, 768]', 'layer_norm(epsilon=0)', 'E0305'],
    ['[96, 56, 56]', 'layer_norm(axis=0)', [96, 56, 56]],
    ['[96, 56, 56]', 'layer_norm(axis=[-2, -1])', [96, 56, 56]],
    ['[96, 56, 56]', 'layer_norm(axis=3)', 'E0305'],
    ['[96, 56, 56]', 'layer_norm(axis=[1, -2])', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[197, 768]', 'layer_norm', 1536],
    ['[10, 64]', 'layer_norm', 128],
    ['[96, 56, 56]', 'layer_norm', 112],
    ['[96, 56, 56]', 'layer_norm(axis=0)', 192],
    ['[4, 6, 8]', 'layer_norm(axis=[0, 2])', 64],
  ])('%s |> %s has γ and β shaped like the normalized axes: %d params', (shape, call, params) => {
    const layer = lastLayer(shape, call);
    expect([layer.params, layer.buffers, layer.macs]).toEqual([params, 0, 0]);
  });

  it('resolves the normalized axes to per-sample axes, by default the last', () => {
    expect(attrsOf('[197, 768]', 'layer_norm(epsilon=1e-6)')).toEqual({ features: 768, axis: 1, epsilon: 1e-6 });
    expect(attrsOf('[96, 7, 7]', 'layer_norm(axis=0)')).toEqual({ features: 96, axis: 0, epsilon: 1e-5 });
    expect(attrsOf('[4, 6, 8]', 'layer_norm(axis=[-1, 0])')).toEqual({ features: [4, 8], axis: [0, 2], epsilon: 1e-5 });
  });
});
