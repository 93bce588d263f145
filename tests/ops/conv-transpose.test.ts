import { describe, expect, it } from 'vitest';
import { attrsOf, diagnosticOf, lastLayer, outcome } from './table.js';

describe('conv_transpose', () => {
  it.each([
    // out = (I−1)·s − pb − pe + d(k−1) + output_padding + 1
    ['[8, 4, 4]', 'conv_transpose(4, 2, stride=2)', [4, 8, 8]],
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=2, pad=1)', [4, 7, 7]],
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=2, pad=1, output_padding=1)', [4, 8, 8]],
    ['[8, 4, 4]', 'conv_transpose(4, 4, stride=2, pad=1)', [4, 8, 8]], // DCGAN's doubling
    ['[8, 5, 5]', 'conv_transpose(4, 3)', [4, 7, 7]],
    ['[8, 5, 5]', 'conv_transpose(4, 3, dilation=2)', [4, 9, 9]],
    ['[8, 4, 6]', 'conv_transpose(4, [3, 1], stride=[2, 1], pad=[1, 1, 0, 0])', [4, 7, 6]],
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=2, pad=[0, 1, 1, 0])', [4, 8, 8]],
    ['[8, 10]', 'conv_transpose(4, 4, stride=4)', [4, 40]],
    ['[8, 2, 3, 3]', 'conv_transpose(4, 2, stride=2)', [4, 4, 6, 6]],
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=2, pad="same")', [4, 8, 8]],
    ['[8, 5, 5]', 'conv_transpose(4, 4, stride=2, pad="same")', [4, 10, 10]],
    ['[8, 5, 5]', 'conv_transpose(4, 1, stride=3, pad="same")', [4, 15, 15]],
    ['[8, 5, 5]', 'conv_transpose(4, 3, pad="valid")', [4, 7, 7]],
    ['[8, 4, 4]', 'conv_transpose(8, 3, groups=4, pad=1)', [8, 4, 4]],
    // errors
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=2, output_padding=2)', 'E0305'],
    ['[8, 4, 4]', 'conv_transpose(4, 3, output_padding=1)', 'E0305'],
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=1, dilation=2, output_padding=1)', [4, 9, 9]],
    ['[8, 1, 1]', 'conv_transpose(4, 1, pad=1)', 'E0301'],
    ['[8, 4, 4]', 'conv_transpose(4, 3, pad="full")', 'E0203'],
    ['[6, 4, 4]', 'conv_transpose(4, 3, groups=4)', 'E0304'],
    ['[8, 4, 4]', 'conv_transpose(0, 3)', 'E0305'],
    ['[8, 4, 4]', 'conv_transpose(4, [3, 3, 3])', 'E0203'],
    ['[8]', 'conv_transpose(4, 3)', 'E0303'],
    ['[8, 4, 4]', 'conv_transpose(4, 3, stride=0)', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    // weights [Cin, Cout/groups, k, k] + bias; MACs = Cin·(Cout/groups)·k²·H_in·W_in
    ['[8, 4, 4]', 'conv_transpose(4, 2, stride=2)', 8 * 4 * 4 + 4, 8 * 4 * 4 * 16],
    ['[8, 4, 4]', 'conv_transpose(4, 2, stride=2, bias=false)', 8 * 4 * 4, 8 * 4 * 4 * 16],
    ['[8, 4, 4]', 'conv_transpose(8, 3, groups=4, pad=1)', 8 * 2 * 9 + 8, 8 * 2 * 9 * 16],
    ['[512, 14, 14]', 'conv_transpose(256, 2, stride=2)', 524_544, 512 * 256 * 4 * 196], // U-Net up-conv
  ])('%s |> %s: %d params, %d MACs', (shape, call, params, macs) => {
    const layer = lastLayer(shape, call);
    expect([layer.params, layer.macs]).toEqual([params, macs]);
  });

  it('resolves "same" to explicit pads, extra row at the end, and raises output padding for k < s', () => {
    expect(attrsOf('[8, 5, 5]', 'conv_transpose(4, 4, stride=2, pad="same")')).toMatchObject({
      pads: { begin: [1, 1], end: [1, 1], mode: 'same' },
      outputPadding: [0, 0],
    });
    expect(attrsOf('[8, 5, 5]', 'conv_transpose(4, 3, stride=2, pad="same")')).toMatchObject({
      pads: { begin: [0, 0], end: [1, 1] },
      outputPadding: [0, 0],
    });
    expect(attrsOf('[8, 5, 5]', 'conv_transpose(4, 1, stride=3, pad="same")')).toMatchObject({ outputPadding: [2, 2] });
  });

  it('explains a too-large output_padding with the rule and the values', () => {
    const d = diagnosticOf('[8, 4, 4]', 'conv_transpose(4, 3, stride=2, output_padding=2)', 'E0305')!;
    expect(d.message).toBe('output_padding must be in [0, max(stride, dilation)) = [0, 2), got 2');
    expect(d.notes[0]).toContain('stride=[2,2]');
  });

  it('shows the output arithmetic when the pads eat the output', () => {
    const d = diagnosticOf('[8, 1, 1]', 'conv_transpose(4, 1, pad=1)', 'E0301')!;
    expect(d.notes[1]).toContain('= (1 − 1)·1 − 1 − 1 + 1·(1 − 1) + 1 + 0 = -1');
  });

  it('steps the receptive field by a fractional jump', () => {
    const layer = lastLayer('[8, 4, 4]', 'conv_transpose(4, 4, stride=2, pad=1)');
    expect([layer.receptiveField, layer.jump]).toEqual([2, 0.5]);
  });
});
