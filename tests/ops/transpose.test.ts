import { describe, expect, it } from 'vitest';
import { attrsOf, outcome } from './table.js';

describe('transpose', () => {
  it.each([
    ['[768, 196]', 'transpose([1, 0])', [196, 768]],
    ['[197, 12, 64]', 'transpose([1, 0, 2])', [12, 197, 64]],
    ['[12, 197, 64]', 'transpose([0, 2, 1])', [12, 64, 197]],
    ['[197, 3, 12, 64]', 'transpose([1, 2, 0, 3])', [3, 12, 197, 64]],
    ['[3, 4, 5]', 'transpose([-1, 0, 1])', [5, 3, 4]],
    ['[8]', 'transpose(0)', [8]],
    ['[3, 4, 5]', 'transpose([1, 0])', 'E0305'],
    ['[3, 4, 5]', 'transpose([0, 0, 1])', 'E0305'],
    ['[3, 4, 5]', 'transpose([0, 1, 3])', 'E0305'],
    ['[3, 4, 5]', 'transpose', 'E0206'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('stores a non-negative permutation of the per-sample axes', () => {
    expect(attrsOf('[3, 4, 5]', 'transpose([-1, 0, 1])')).toEqual({ perm: [2, 0, 1] });
  });
});
