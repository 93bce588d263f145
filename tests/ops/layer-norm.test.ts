import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('layer_norm', () => {
  it.each([
    ['[197, 768]', 'layer_norm', [197, 768]],
    ['[197, 768]', 'layer_norm(epsilon=1e-6)', [197, 768]],
    ['[512]', 'layer_norm', [512]],
    ['[96, 56, 56]', 'layer_norm', [96, 56, 56]],
    ['[197, 768]', 'layer_norm(epsilon=0)', 'E0305'],
    ['[197, 768]', 'layer_norm(axis=0)', 'E0204'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[197, 768]', 'layer_norm', 1536],
    ['[10, 64]', 'layer_norm', 128],
    ['[96, 56, 56]', 'layer_norm', 112],
  ])('%s |> %s has γ and β over the last axis: %d params', (shape, call, params) => {
    const layer = lastLayer(shape, call);
    expect([layer.params, layer.buffers, layer.macs]).toEqual([params, 0, 0]);
  });

  it('resolves the normalized axis to the last per-sample axis', () => {
    expect(attrsOf('[197, 768]', 'layer_norm(epsilon=1e-6)')).toEqual({ features: 768, axis: 1, epsilon: 1e-6 });
  });
});
