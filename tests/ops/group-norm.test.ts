import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('group_norm and instance_norm', () => {
  it.each([
    ['[64, 8, 8]', 'group_norm(32)', [64, 8, 8]],
    ['[6, 10]', 'group_norm(3, epsilon=0.001)', [6, 10]],
    ['[6]', 'group_norm(2)', [6]],
    ['[64, 8, 8]', 'instance_norm', [64, 8, 8]],
    ['[64, 8, 8]', 'group_norm(5)', 'E0305'],
    ['[64, 8, 8]', 'group_norm(0)', 'E0305'],
    ['[64, 8, 8]', 'instance_norm(epsilon=0)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['group_norm(32)', 128],
    ['group_norm(32, affine=false)', 0],
    ['instance_norm', 0],
    ['instance_norm(affine=true)', 128],
  ])('%s on [64, 8, 8] has %d params and no buffers', (call, params) => {
    expect(lastLayer('[64, 8, 8]', call)).toMatchObject({ params, buffers: 0, macs: 0 });
  });

  it('instance_norm is one group per channel', () => {
    expect(attrsOf('[12, 4, 4]', 'instance_norm')).toEqual({ channels: 12, groups: 12, epsilon: 1e-5, affine: false });
  });
});
