import { describe, expect, it } from 'vitest';
import { lastLayer, outcome } from './table.js';

describe('dense', () => {
  it.each([
    ['[25088]', 'dense(4096)', [4096]],
    ['[197, 768]', 'dense(3072)', [197, 3072]],
    ['[512]', 'dense(10, bias=false)', [10]],
    ['[512, 7, 7]', 'dense(10)', [512, 7, 10]],
    ['[512]', 'dense(0)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[25088]', 'dense(4096)', 102_764_544, 102_760_448],
    ['[1280]', 'dense(5)', 6_405, 6_400],
    ['[197, 768]', 'dense(3072)', 2_362_368, 197 * 768 * 3072],
    ['[512]', 'dense(128, bias=false)', 65_536, 65_536],
  ])('%s |> %s: %d params, %d MACs', (shape, call, params, macs) => {
    const layer = lastLayer(shape, call);
    expect([layer.params, layer.macs]).toEqual([params, macs]);
  });
});
