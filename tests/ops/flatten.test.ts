import { describe, expect, it } from 'vitest';
import { lastLayer, outcome } from './table.js';

describe('flatten', () => {
  it.each([
    ['[512, 7, 7]', 'flatten', [25088]],
    ['[64, 7, 7]', 'flatten', [3136]],
    ['[128, 28, 28]', 'flatten', [100_352]],
    ['[1, 768]', 'flatten', [768]],
    ['[10]', 'flatten', [10]],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });
});

describe('flatten receptive field', () => {
  it('covers the whole map, as the dense layer after it does (VGG-16 fc6: 404)', () => {
    const stage = (w: number, n: number) => `${Array(n).fill(`conv(${w}, 3, pad=1)`).join(' |> ')} |> maxpool(2)`;
    const body = [stage(64, 2), stage(128, 2), stage(256, 3), stage(512, 3), stage(512, 3)].join(' |> ');
    const layer = lastLayer('[3, 224, 224]', `${body} |> flatten |> dense(4096)`);
    expect(layer.receptiveField).toBe(212 + 6 * 32);
  });
});
