import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, outcome } from './table.js';

describe('softmax', () => {
  it.each([
    ['[1000]', 'softmax', [1000]],
    ['[12, 197, 197]', 'softmax', [12, 197, 197]],
    ['[21, 64, 64]', 'softmax(axis=0)', [21, 64, 64]],
    ['[21, 64, 64]', 'softmax(-3)', [21, 64, 64]],
    ['[1000]', 'softmax(axis=1)', 'E0305'],
    ['[21, 64, 64]', 'softmax(axis=-4)', 'E0305'],
    ['[10]', 'softmax(axis=1.5)', 'E0203'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['[1000]', 'softmax', 0],
    ['[12, 197, 197]', 'softmax', 2],
    ['[21, 64, 64]', 'softmax(axis=-3)', 0],
  ])('%s |> %s resolves to per-sample axis %d', (shape, call, axis) => {
    expect(attrsOf(shape, call)).toEqual({ axis });
  });

  it('names the valid axes when one is out of range', () => {
    const d = diagnosticOf('[21, 64, 64]', 'softmax(axis=3)', 'E0305')!;
    expect(d.message).toBe('softmax axis 3 is out of range for an input of rank 3');
    expect(d.hint).toBe('use an axis from -3 to 2');
  });
});
