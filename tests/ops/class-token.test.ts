import { describe, expect, it } from 'vitest';
import { lastLayer, outcome, diagnosticOf } from './table.js';

describe('class_token', () => {
  it.each([
    ['[196, 768]', 'class_token', [197, 768]],
    ['[196, 768]', 'class_token()', [197, 768]],
    ['[1, 8]', 'class_token', [2, 8]],
    ['[768, 14, 14]', 'class_token', 'E0303'],
    ['[768]', 'class_token', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('learns one [1, 1, D] token', () => {
    expect(lastLayer('[196, 768]', 'class_token').params).toBe(768);
  });

  it('shows how to make tokens of a feature map', () => {
    expect(diagnosticOf('[768, 14, 14]', 'class_token', 'E0303')!.hint).toBe(
      'make tokens of a [D, H, W] map with reshape([768, 196]) |> transpose([1, 0])',
    );
  });
});
