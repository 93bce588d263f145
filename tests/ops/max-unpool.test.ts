import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('max_unpool', () => {
  it.each([
    ['[4, 8, 10]', 'maxpool(2) |> max_unpool(x, 2)', [4, 8, 10]],
    ['[4, 9, 11]', 'maxpool(2) |> max_unpool(x, 2)', [4, 9, 11]],
    ['[4, 9, 8]', 'maxpool([3, 2]) |> max_unpool(x, [3, 2])', [4, 9, 8]],
    ['[4, 9, 8]', 'maxpool(2) |> max_unpool(x, 2, stride=1)', 'E0305'],
    ['[4, 8, 8]', 'maxpool(2) |> max_unpool(x, 4)', 'E0302'],
    ['[4, 8, 8]', 'maxpool(2) |> conv(3, 1) |> max_unpool(x, 2)', 'E0302'],
    ['[4, 8, 8]', 'max_unpool(x, 16)', 'E0301'],
    ['[4, 8]', 'maxpool(2) |> max_unpool(x, 2)', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('keeps its window and has no parameters or MACs', () => {
    expect(attrsOf('[4, 8, 8]', 'maxpool(2) |> max_unpool(x, 2)')).toEqual({ kernel: [2, 2] });
    expect(lastLayer('[4, 8, 8]', 'maxpool(2) |> max_unpool(x, 2)')).toMatchObject({ params: 0, macs: 0 });
  });
});
