import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, outcome } from './table.js';

describe('pad', () => {
  it.each([
    ['[3, 32, 32]', 'pad(1)', [3, 34, 34]],
    ['[3, 32, 32]', 'pad([1, 2])', [3, 34, 36]],
    ['[3, 32, 32]', 'pad([0, 1, 2, 3])', [3, 33, 37]], // top, bottom, left, right
    ['[3, 32, 32]', 'pad(3, mode="reflect")', [3, 38, 38]], // ResNet-style generators
    ['[3, 32, 32]', 'pad(1, mode="edge")', [3, 34, 34]],
    ['[3, 32, 32]', 'pad(1, value=-1.0)', [3, 34, 34]],
    ['[3, 4, 4]', 'pad(3, mode="reflect")', [3, 10, 10]],
    ['[8, 100]', 'pad([2, 0])', [8, 102]],
    ['[8, 4, 4, 4]', 'pad(1)', [8, 6, 6, 6]],
    ['[3, 1, 1]', 'pad(5, mode="edge")', [3, 11, 11]],
    // errors
    ['[3, 4, 4]', 'pad(4, mode="reflect")', 'E0305'],
    ['[3, 4, 8]', 'pad([0, 0, 8, 0], mode="reflect")', 'E0305'],
    ['[3, 32, 32]', 'pad(-1)', 'E0305'],
    ['[3, 32, 32]', 'pad([1, 2, 3])', 'E0203'],
    ['[3, 32, 32]', 'pad(1, mode="reflect", value=1.0)', 'E0210'],
    ['[3, 32, 32]', 'pad(1, mode="replicate")', 'E0203'],
    ['[3, 32, 32]', 'pad("same")', 'E0203'],
    ['[3]', 'pad(1)', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('resolves explicit begin and end pads per spatial axis', () => {
    expect(attrsOf('[3, 32, 32]', 'pad([0, 1, 2, 3], value=0.5)')).toEqual({ mode: 'zero', begin: [0, 2], end: [1, 3], value: 0.5 });
  });

  it('says how much reflect padding fits', () => {
    const d = diagnosticOf('[3, 4, 4]', 'pad(4, mode="reflect")', 'E0305')!;
    expect(d.message).toBe('reflect padding must be smaller than the input height: pad 4 on an input height of 4');
    expect(d.hint).toBe('use pads of at most 3 on the height, or mode="edge"');
  });
});
