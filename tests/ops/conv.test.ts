import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, lastLayer, outcome } from './table.js';

describe('conv', () => {
  it.each([
    ['[3, 224, 224]', 'conv(64, 7, stride=2, pad=3)', [64, 112, 112]],
    ['[3, 227, 227]', 'conv(96, 11, stride=4)', [96, 55, 55]],
    ['[64, 56, 56]', 'conv(64, 3, pad="same")', [64, 56, 56]],
    ['[3, 224, 224]', 'conv(32, 3, stride=2, pad="same")', [32, 112, 112]],
    ['[3, 32, 32]', 'conv(8, 3, pad="full")', [8, 34, 34]],
    ['[3, 32, 32]', 'conv(8, 3, pad="valid")', [8, 30, 30]],
    ['[3, 32, 32]', 'conv(8, 3, dilation=2)', [8, 28, 28]],
    ['[3, 32, 32]', 'conv(8, 3, dilation=2, pad="same")', [8, 32, 32]],
    ['[3, 32, 48]', 'conv(8, [3, 5], stride=[1, 2], pad=[1, 2])', [8, 32, 24]],
    ['[3, 32, 32]', 'conv(8, 3, pad=[0, 1, 1, 0])', [8, 31, 31]],
    ['[64, 56, 56]', 'conv(128, 3, pad=1, groups=32)', [128, 56, 56]],
    ['[16, 100]', 'conv(32, 5, stride=2)', [32, 48]],
    ['[1, 16, 32, 32]', 'conv(8, 3, pad=1)', [8, 16, 32, 32]],
    // errors
    ['[3, 4, 4]', 'conv(8, 5)', 'E0301'],
    ['[3, 32, 32]', 'conv(8, 3, groups=2)', 'E0304'],
    ['[4, 32, 32]', 'conv(6, 3, groups=4)', 'E0304'],
    ['[3, 32, 32]', 'conv(0, 3)', 'E0305'],
    ['[3, 32, 32]', 'conv(8, 3, stride=0)', 'E0305'],
    ['[3, 32, 32]', 'conv(8, 3, pad=-1)', 'E0305'],
    ['[3, 32, 32]', 'conv(8, [3, 3, 3])', 'E0203'],
    ['[3, 32, 32]', 'conv(8, 3, pad=[1, 1, 1])', 'E0203'],
    ['[512]', 'conv(8, 1)', 'E0303'],
    ['[3, 32, 32]', 'conv(8)', 'E0206'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    // params = Cout·(Cin/groups·k² + bias); MACs = k²·(Cin/groups)·Cout·H·W
    ['[3, 32, 32]', 'conv(64, 3, pad=1)', 1_792, 27 * 64 * 1024],
    ['[64, 56, 56]', 'conv(64, 3, pad=1, bias=false)', 36_864, 576 * 64 * 3136],
    ['[64, 56, 56]', 'conv(128, 3, pad=1, groups=32, bias=false)', 2_304, 18 * 128 * 3136],
    ['[16, 100]', 'conv(32, 5)', 32 * 80 + 32, 80 * 32 * 96],
    ['[1, 16, 32, 32]', 'conv(8, 3, pad=1, bias=false)', 216, 27 * 8 * 16 * 32 * 32],
  ])('%s |> %s: %d params, %d MACs', (shape, call, params, macs) => {
    const layer = lastLayer(shape, call);
    expect([layer.params, layer.macs]).toEqual([params, macs]);
  });

  it('resolves "same" as TF SAME_UPPER and warns when it is asymmetric', () => {
    expect(attrsOf('[3, 224, 224]', 'conv(64, 7, stride=2, pad="same")')).toMatchObject({ pads: { begin: [2, 2], end: [3, 3], mode: 'same' } });
    expect(diagnosticOf('[3, 224, 224]', 'conv(64, 7, stride=2, pad="same")', 'W0102')!.hint).toBe(
      "write explicit pads (e.g. pad=3) to get PyTorch's alignment",
    );
  });

  it('shows the window arithmetic when the output is empty', () => {
    const d = diagnosticOf('[3, 4, 4]', 'conv(8, 5)', 'E0301')!;
    expect(d.message).toBe('conv output height would be 0: the 5-wide window does not fit in the padded input');
    expect(d.notes).toEqual(['height: floor((I + pad_begin + pad_end − k_eff) / stride) + 1', '      = floor((4 + 0 + 0 − 5) / 1) + 1 = 0']);
  });

  it('names the channel count groups must divide', () => {
    const d = diagnosticOf('[4, 32, 32]', 'conv(6, 3, groups=4)', 'E0304')!;
    expect(d.message).toBe('conv groups (4) must divide both the input channels and the filters: the 6 filters are not divisible by 4');
    expect(d.hint).toBe('use a groups value that divides 4 and 6, such as 1, 2');
  });

  it.each([
    ['[3, 32, 32]', 'conv(8, 3)', 3, 1],
    ['[3, 32, 32]', 'conv(8, 3, dilation=2)', 5, 1],
    ['[3, 32, 32]', 'conv(8, [5, 3], stride=[2, 1])', 5, 2], // height axis
    ['[3, 100]', 'conv(8, 7, stride=3)', 7, 3],
  ])('%s |> %s: receptive field %d, jump %d', (shape, call, rf, jump) => {
    const layer = lastLayer(shape, call);
    expect([layer.receptiveField, layer.jump]).toEqual([rf, jump]);
  });
});
