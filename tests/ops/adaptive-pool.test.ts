import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('adaptive_avgpool / adaptive_maxpool', () => {
  it.each([
    ['[512, 7, 7]', 'adaptive_avgpool(1)', [512, 1, 1]],
    ['[512, 13, 13]', 'adaptive_avgpool(6)', [512, 6, 6]], // torchvision AlexNet
    ['[512, 14, 14]', 'adaptive_avgpool(7)', [512, 7, 7]], // torchvision VGG
    ['[64, 9, 12]', 'adaptive_maxpool([3, 4])', [64, 3, 4]],
    ['[64, 3, 3]', 'adaptive_maxpool(5)', [64, 5, 5]], // output larger than input is allowed
    ['[8, 100]', 'adaptive_avgpool(10)', [8, 10]],
    ['[8, 4, 6, 6]', 'adaptive_avgpool([1, 2, 3])', [8, 1, 2, 3]],
    ['[64, 7, 7]', 'adaptive_avgpool(0)', 'E0305'],
    ['[64, 7, 7]', 'adaptive_avgpool([1, 2, 3])', 'E0203'],
    ['[64]', 'adaptive_maxpool(1)', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[512, 14, 14]', 'adaptive_avgpool(7)', true, { kernel: [2, 2], stride: [2, 2] }],
    ['[512, 7, 7]', 'adaptive_avgpool(1)', true, { kernel: [7, 7], stride: [7, 7] }],
    ['[512, 13, 13]', 'adaptive_avgpool(6)', false, undefined],
    ['[64, 12, 13]', 'adaptive_maxpool([4, 13])', true, { kernel: [3, 1], stride: [3, 1] }],
  ])('%s |> %s: divisible=%s, equivalent pool %j', (shape, call, divisible, pool) => {
    const a = attrsOf(shape, call);
    expect(a['divisible']).toBe(divisible);
    expect(a['pool']).toEqual(pool);
  });

  it('records the widest PyTorch window: 13 → 6 has windows of 3', () => {
    // start floor(i·13/6), end ceil((i+1)·13/6): [0,3) [2,5) [4,7) [6,9) [8,11) [10,13)
    expect(attrsOf('[1, 13, 13]', 'adaptive_avgpool(6)')['maxWindow']).toEqual([3, 3]);
    expect(attrsOf('[1, 7, 7]', 'adaptive_avgpool(3)')['maxWindow']).toEqual([3, 3]);
    expect(attrsOf('[1, 3, 3]', 'adaptive_avgpool(5)')['maxWindow']).toEqual([2, 2]); // [0,1) [0,2) [1,2) [1,3) [2,3)
  });

  it('has no weights and covers the whole input at size 1', () => {
    const layer = lastLayer('[512, 7, 7]', 'adaptive_avgpool(1)');
    expect([layer.params, layer.macs, layer.receptiveField]).toEqual([0, 0, 7]);
  });
});
