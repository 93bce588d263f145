import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome, run } from './table.js';
import { declaredWeights } from '../../compiler/weights/tensor.js';

describe('gather', () => {
  it.each([
    ['[10, 4]', 'gather([0, 2, 2, -1])', [4, 4]],
    ['[3, 5, 6]', 'gather([5, 0], axis=-1)', [3, 5, 2]],
    ['[3, 5, 6]', 'gather(1, axis=1)', [3, 1, 6]],
    ['[10, 4]', 'gather([10])', 'E0305'],
    ['[10, 4]', 'gather([-11])', 'E0305'],
    ['[10, 4]', 'gather([0], axis=2)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('resolves negative indices and has no parameters', () => {
    expect(attrsOf('[10, 4]', 'gather([0, -1], axis=0)')).toEqual({ axis: 0, indices: [0, 9], stored: false, storedShape: [2] });
    expect(lastLayer('[10, 4]', 'gather([1, 2])')).toMatchObject({ params: 0, macs: 0 });
  });

  it('with stored=true keeps its indices in a buffer named like the node', () => {
    expect(lastLayer('[10, 4]', 'gather([0, -1, 3], stored=true)')).toMatchObject({ params: 0, buffers: 3, macs: 0 });
    const r = run('[10, 4]', 'gather([0, -1, 3], stored=true, name="relative_position_index")');
    expect(declaredWeights(r.graph!).map((w) => [w.name, [...w.spec.shape], w.spec.role, w.spec.values])).toEqual([['relative_position_index', [3], 'buffer', [0, 9, 3]]]);
    const square = run('[10, 4]', 'gather([0, 1, 2, 3], stored=true, stored_shape=[2, 2])');
    expect(declaredWeights(square.graph!).map((w) => [...w.spec.shape])).toEqual([[2, 2]]);
    expect(outcome('[10, 4]', 'gather([0, 1, 2], stored=true, stored_shape=[2, 2])')).toBe('E0305');
  });
});

describe('roll', () => {
  it.each([
    ['[3, 7, 7]', 'roll(-3, axis=1)', [3, 7, 7]],
    ['[3, 7, 7]', 'roll(3, axis=-1)', [3, 7, 7]],
    ['[3, 7, 7]', 'roll(1, axis=3)', 'E0305'],
    ['[3, 7, 7]', 'roll(1)', 'E0206'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('keeps the shift as a non-negative amount below the axis size', () => {
    expect(attrsOf('[3, 7, 7]', 'roll(-3, axis=1)')).toEqual({ axis: 1, shift: 4 });
    expect(attrsOf('[3, 7, 7]', 'roll(15, axis=2)')).toEqual({ axis: 2, shift: 1 });
  });
});
