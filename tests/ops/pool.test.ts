import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

describe('maxpool / avgpool', () => {
  it.each([
    ['[64, 112, 112]', 'maxpool(3, stride=2, pad=1)', [64, 56, 56]],
    ['[96, 55, 55]', 'maxpool(3, stride=2)', [96, 27, 27]],
    ['[6, 28, 28]', 'avgpool(2)', [6, 14, 14]],
    ['[64, 112, 112]', 'maxpool(3, stride=2, pad="same")', [64, 56, 56]],
    ['[64, 7, 7]', 'avgpool(7, stride=1)', [64, 1, 1]],
    ['[64, 7, 7]', 'maxpool(2)', [64, 3, 3]],
    ['[64, 7, 7]', 'maxpool(2, ceil=true)', [64, 4, 4]],
    ['[96, 55, 55]', 'maxpool(3, stride=2, ceil=true)', [96, 27, 27]],
    ['[64, 112, 112]', 'maxpool(3, stride=2, ceil=true)', [64, 56, 56]], // GoogLeNet (torchvision)
    ['[64, 6, 6]', 'maxpool(3, stride=2, pad=1, ceil=true)', [64, 4, 4]], // last window starts in the padding: dropped
    ['[8, 100]', 'maxpool(4)', [8, 25]],
    ['[8, 4, 8, 8]', 'avgpool(2)', [8, 2, 4, 4]],
    ['[8, 8, 12]', 'maxpool([2, 3])', [8, 4, 4]],
    // errors
    ['[64, 7, 7]', 'maxpool(3, pad=2)', 'E0305'],
    ['[64, 1, 1]', 'maxpool(2)', 'E0301'],
    ['[64, 7, 7]', 'maxpool(0)', 'E0305'],
    ['[64]', 'maxpool(2)', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    ['avgpool(3, stride=1, pad=1)', true],
    ['avgpool(3, stride=1, pad=1, count_pad=false)', false],
    ['avgpool(3, stride=1, pad="same")', false], // TF/Keras/ONNX SAME_UPPER leave the padding out
    ['avgpool(3, stride=1, pad="same", count_pad=true)', true],
  ])('%s counts the padding in the divisor: %s', (call, countPad) => {
    expect(attrsOf('[8, 14, 14]', call)['countPad']).toBe(countPad);
  });

  it('has no parameters and moves the receptive field', () => {
    const layer = lastLayer('[3, 224, 224]', 'conv(64, 7, stride=2, pad=3) |> maxpool(3, stride=2, pad=1)');
    expect([layer.params, layer.receptiveField, layer.jump]).toEqual([0, 11, 4]);
  });
});
