import { describe, expect, it } from 'vitest';
import { outcome } from './table.js';

describe('flatten', () => {
  it.each([
    ['[512, 7, 7]', 'flatten', [25088]],
    ['[64, 7, 7]', 'flatten', [3136]],
    ['[128, 28, 28]', 'flatten', [100_352]],
    ['[1, 768]', 'flatten', [768]],
    ['[10]', 'flatten', [10]],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });
});
