import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, lastLayer, outcome } from './table.js';

describe('upsample', () => {
  it.each([
    ['[64, 128, 128]', 'upsample', [64, 256, 256]],
    ['[64, 128, 128]', 'upsample(2, mode="bilinear", align_corners=true)', [64, 256, 256]],
    ['[64, 7, 7]', 'upsample(4)', [64, 28, 28]],
    ['[64, 7, 9]', 'upsample([2, 3])', [64, 14, 27]],
    ['[64, 7, 7]', 'upsample(1.5)', [64, 10, 10]], // floor(7·1.5)
    ['[64, 8, 8]', 'upsample(0.5)', [64, 4, 4]],
    ['[64, 7, 7]', 'upsample(size=[14, 20])', [64, 14, 20]],
    ['[64, 7, 7]', 'upsample(size=28, mode="bilinear")', [64, 28, 28]],
    ['[16, 10]', 'upsample(2)', [16, 20]],
    ['[16, 4, 4, 4]', 'upsample(2, mode="bilinear")', [16, 8, 8, 8]],
    // errors
    ['[64, 7, 7]', 'upsample(2, align_corners=true)', 'E0210'],
    ['[64, 7, 7]', 'upsample(2, size=14)', 'E0210'],
    ['[64, 7, 7]', 'upsample(0)', 'E0305'],
    ['[64, 7, 7]', 'upsample(0.1)', 'E0301'],
    ['[64, 7, 7]', 'upsample(size=0)', 'E0305'],
    ['[64, 7, 7]', 'upsample(2, mode="bicubic")', 'E0203'],
    ['[64, 7, 7]', 'upsample([2, 2, 2])', 'E0203'],
    ['[64]', 'upsample', 'E0303'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('keeps both the output size and the coordinate scale', () => {
    expect(attrsOf('[64, 7, 7]', 'upsample(1.5)')).toEqual({
      mode: 'nearest',
      alignCorners: false,
      size: [10, 10],
      scales: [1.5, 1.5],
      fromSize: false,
    });
    expect(attrsOf('[64, 7, 7]', 'upsample(size=[14, 21], mode="bilinear")')).toMatchObject({ scales: [2, 3], fromSize: true });
  });

  it('suggests a scale that keeps a row', () => {
    expect(diagnosticOf('[64, 7, 7]', 'upsample(0.1)', 'E0301')!.notes).toEqual(['height: floor(I·scale) = floor(7·0.1) = 0']);
  });

  it('halves the jump of the receptive field', () => {
    const layer = lastLayer('[3, 32, 32]', 'conv(8, 3, stride=2, pad=1) |> upsample(2) |> conv(8, 3, pad=1)');
    // conv: rf 3, jump 2; upsample: jump 1; conv: 3 + 2·1 = 5
    expect([layer.receptiveField, layer.jump]).toEqual([5, 1]);
  });
});
