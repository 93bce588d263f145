import { describe, expect, it } from 'vitest';
import { diagnosticOf, lastLayer, outcome } from './table.js';

describe('channel_shuffle', () => {
  it.each([
    ['[64, 56, 56]', 'channel_shuffle(4)', [64, 56, 56]],
    ['[240, 28, 28]', 'channel_shuffle(3)', [240, 28, 28]],
    ['[64, 56, 56]', 'channel_shuffle(1)', [64, 56, 56]],
    ['[64]', 'channel_shuffle(2)', [64]],
    ['[64, 56, 56]', 'channel_shuffle(3)', 'E0304'],
    ['[64, 56, 56]', 'channel_shuffle(0)', 'E0305'],
    ['[64, 56, 56]', 'channel_shuffle', 'E0206'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('suggests divisors of the channels', () => {
    expect(diagnosticOf('[12, 8, 8]', 'channel_shuffle(5)', 'E0304')!.hint).toBe('use a groups value that divides 12, such as 2, 3, 4, 6');
  });

  it('has no parameters', () => {
    expect(lastLayer('[64, 8, 8]', 'channel_shuffle(4)').params).toBe(0);
  });
});
