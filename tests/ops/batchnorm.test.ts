import { describe, expect, it } from 'vitest';
import { lastLayer, outcome } from './table.js';

describe('bn', () => {
  it.each([
    ['[64, 56, 56]', 'bn', [64, 56, 56]],
    ['[256]', 'bn(epsilon=1e-3, momentum=0.01)', [256]],
    ['[64, 56, 56]', 'bn(epsilon=0)', 'E0305'],
    ['[64, 56, 56]', 'bn(momentum=1.5)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('learns γ, β per channel and keeps the running statistics as buffers', () => {
    const layer = lastLayer('[64, 56, 56]', 'bn');
    expect([layer.params, layer.buffers]).toEqual([128, 128]);
  });
});
