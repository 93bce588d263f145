import { describe, expect, it } from 'vitest';
import { lastLayer, outcome } from './table.js';

describe('global_avgpool / global_maxpool', () => {
  it.each([
    ['[2048, 7, 7]', 'global_avgpool', [2048, 1, 1]],
    ['[512, 7, 9]', 'global_maxpool', [512, 1, 1]],
    ['[64, 100]', 'global_avgpool', [64, 1]],
    ['[64, 4, 8, 8]', 'global_maxpool', [64, 1, 1, 1]],
    ['[2048, 7, 7]', 'global_avgpool |> flatten', [2048]],
    ['[512]', 'global_avgpool', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[8, 7, 9]', 7],
    ['[8, 100]', 100], // the length, not the channels
    ['[8, 4, 6, 6]', 6],
  ])('%s covers the whole height: receptive field %d', (shape, rf) => {
    expect(lastLayer(shape, 'global_avgpool').receptiveField).toBe(rf);
  });
});
