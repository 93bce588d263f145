import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, outcome } from './table.js';

describe('reshape', () => {
  it.each([
    ['[64, 1, 1]', 'reshape([64])', [64]],
    ['[64]', 'reshape([64, 1, 1])', [64, 1, 1]],
    ['[768, 14, 14]', 'reshape([768, -1])', [768, 196]],
    ['[197, 2304]', 'reshape([197, 3, 12, 64])', [197, 3, 12, 64]],
    ['[197, 768]', 'reshape([-1, 12, 64])', [197, 12, 64]],
    ['[3136]', 'reshape([64, 7, 7])', [64, 7, 7]],
    ['[10]', 'reshape(10)', [10]],
    ['[10]', 'reshape(-1)', [10]],
    // errors
    ['[64, 7, 7]', 'reshape([64, 7, 8])', 'E0307'],
    ['[64, 7, 7]', 'reshape([5, -1])', 'E0307'],
    ['[64, 7, 7]', 'reshape([-1, -1])', 'E0305'],
    ['[64, 7, 7]', 'reshape([64, 0, 49])', 'E0305'],
    ['[64, 7, 7]', 'reshape([64, -2])', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('stores the resolved shape', () => {
    expect(attrsOf('[768, 14, 14]', 'reshape([768, -1])')).toEqual({ shape: [768, 196] });
  });

  it('gives both element counts when they differ', () => {
    const d = diagnosticOf('[64, 7, 7]', 'reshape([64, 7, 8])', 'E0307')!;
    expect(d.message).toBe('reshape changes the element count: [64, 7, 7] has 3136 elements, [64, 7, 8] has 3584');
    expect(d.notes).toEqual(['input [64, 7, 7]: 64 × 7 × 7 = 3136 elements', 'target [64, 7, 8]: 64 × 7 × 8 = 3584 elements']);
  });

  it('explains a −1 that cannot be inferred', () => {
    const d = diagnosticOf('[64, 7, 7]', 'reshape([5, -1])', 'E0307')!;
    expect(d.message).toBe('reshape cannot infer the -1 in [5, -1]: 3136 elements are not divisible by 5');
  });
});
