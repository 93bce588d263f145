import { describe, expect, it } from 'vitest';
import { lastLayer, outcome } from './table.js';

describe('pos_embed', () => {
  it.each([
    ['[197, 768]', 'pos_embed', [197, 768]],
    ['[50, 512]', 'pos_embed()', [50, 512]],
    ['[768, 14, 14]', 'pos_embed', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('learns a [1, T, D] embedding: 151,296 for ViT-B/16', () => {
    expect(lastLayer('[197, 768]', 'pos_embed').params).toBe(151_296);
  });
});
