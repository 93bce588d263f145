import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('l2norm', () => {
  it.each([
    ['[128]', 'l2norm', [128]],
    ['[512]', 'l2norm(epsilon=1e-10)', [512]],
    ['[64, 7, 7]', 'l2norm(axis=0)', [64, 7, 7]],
    ['[128]', 'l2norm(axis=1)', 'E0305'],
    ['[128]', 'l2norm(epsilon=0)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('keeps PyTorch F.normalize defaults and has no parameters', () => {
    expect(attrsOf('[128]', 'l2norm')).toEqual({ axis: 0, epsilon: 1e-12 });
    expect(lastLayer('[128]', 'l2norm').params).toBe(0);
  });

  it('ends a FaceNet-style embedding head', () => {
    expect(outcome('[512, 5, 5]', 'adaptive_avgpool(1) |> flatten |> dense(128) |> l2norm')).toEqual([128]);
  });
});
