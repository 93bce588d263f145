import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('reduce_mean / reduce_max / reduce_sum', () => {
  it.each([
    ['[64, 56, 56]', 'reduce_mean(axis=0)', [1, 56, 56]], // CBAM's channel-wise average
    ['[64, 56, 56]', 'reduce_max(0)', [1, 56, 56]],
    ['[64, 2, 1]', 'reduce_sum(axis=1)', [64, 1, 1]], // CBAM's two MLP outputs summed
    ['[64, 7, 7]', 'reduce_mean(axis=[1, 2])', [64, 1, 1]],
    ['[64, 7, 7]', 'reduce_mean(axis=[-1, -2], keepdims=false)', [64]],
    ['[10, 20]', 'reduce_sum(axis=-1, keepdims=false)', [10]],
    ['[64, 7, 7]', 'reduce_max(axis=3)', 'E0305'],
    ['[64, 7, 7]', 'reduce_max(axis=-4)', 'E0305'],
    ['[64, 7, 7]', 'reduce_sum(axis=[1, -2])', 'E0305'], // the same axis twice
    ['[64]', 'reduce_sum(axis=0, keepdims=false)', 'E0305'], // nothing left
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('resolves negative axes and sorts them', () => {
    expect(attrsOf('[8, 4, 4]', 'reduce_mean(axis=[-1, 1])')).toEqual({ axes: [1, 2], keepdims: true });
  });

  it('has no weights and no MACs', () => {
    const layer = lastLayer('[64, 56, 56]', 'reduce_mean(axis=0)');
    expect([layer.params, layer.buffers, layer.macs]).toEqual([0, 0, 0]);
  });
});
