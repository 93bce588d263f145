import { describe, expect, it } from 'vitest';
import { diagnosticOf, outcome } from './table.js';

describe('dropout', () => {
  it.each([
    ['[4096]', 'dropout', [4096]],
    ['[4096]', 'dropout(0.2)', [4096]],
    ['[4096]', 'dropout(0.0)', [4096]],
    ['[4096]', 'dropout(1.0)', 'E0305'],
    ['[4096]', 'dropout(-0.1)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('reads a percentage as a likely mistake', () => {
    expect(diagnosticOf('[4096]', 'dropout(50)', 'E0305')!.hint).toBe('rate is a probability: did you mean 0.5?');
  });
});
