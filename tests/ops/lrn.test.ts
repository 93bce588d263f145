import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, lastLayer, outcome } from './table.js';

describe('lrn', () => {
  it.each([
    ['[96, 55, 55]', 'lrn', [96, 55, 55]],
    ['[96, 55, 55]', 'lrn(size=5, alpha=1e-4, beta=0.75, k=2.0)', [96, 55, 55]], // AlexNet
    ['[16, 100]', 'lrn(3)', [16, 100]],
    ['[96]', 'lrn', 'E0303'],
    ['[96, 55, 55]', 'lrn(size=0)', 'E0305'],
    ['[96, 55, 55]', 'lrn(alpha=-1)', 'E0305'],
    ['[96, 55, 55]', 'lrn(k=0)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    // PyTorch: channels c − floor(size/2) .. c + floor((size−1)/2)
    ['lrn(5)', 2, 2],
    ['lrn(4)', 2, 1],
    ['lrn(1)', 0, 0],
  ])('%s windows %d channels before and %d after', (call, before, after) => {
    expect(attrsOf('[96, 13, 13]', call)).toMatchObject({ before, after });
  });

  it('warns that an even window does not export exactly', () => {
    const d = diagnosticOf('[96, 13, 13]', 'lrn(4)', 'W0106')!;
    expect(d.hint).toBe('use an odd size such as 5 to export exactly');
  });

  it('has no parameters', () => {
    expect(lastLayer('[96, 55, 55]', 'lrn').params).toBe(0);
  });
});
