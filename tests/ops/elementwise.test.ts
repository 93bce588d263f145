import { describe, expect, it } from 'vitest';
import { compileText } from '../helpers.js';

function combined(a: string, b: string, op: string) {
  const r = compileText(`model t {\n  input a: ${a}\n  input b: ${b}\n  output y = a ${op} b\n}\n`);
  const error = r.diagnostics.find((d) => d.severity === 'error');
  return error ? error.code : r.report!.outputs[0]!.shape.slice(1);
}

describe('add / sub / mul', () => {
  it.each([
    ['[256, 56, 56]', '[256, 56, 56]', '+', [256, 56, 56]],
    ['[256, 56, 56]', '[256, 1, 1]', '*', [256, 56, 56]], // SE scale
    ['[256, 56, 56]', '[1, 56, 56]', '*', [256, 56, 56]], // spatial attention map
    ['[197, 768]', '[768]', '+', [197, 768]],
    ['[64, 8, 8]', '[64, 8, 8]', '-', [64, 8, 8]],
    ['[256, 56, 56]', '[512, 28, 28]', '+', 'E0302'],
    ['[256, 56, 56]', '[128, 56, 56]', '*', 'E0302'],
    ['[256, 56, 56]', '[256]', '*', 'E0302'], // [C] aligns with W, as NumPy does: reshape to [C, 1, 1]
  ])('%s %s %s → %j', (a, b, op, expected) => {
    expect(combined(a, b, op)).toEqual(expected);
  });
});

describe('the hint of a shape mismatch says what to change', () => {
  const hint = (a: string, b: string) =>
    compileText(`model t {\n  input a: ${a}\n  input b: ${b}\n  output y = a + b\n}\n`).diagnostics.find((d) => d.code === 'E0302')?.hint;
  it.each([
    ['[64, 56, 56]', '[64, 28, 28]', 'one side is 2× smaller on every axis: give the shortcut the same stride (2) as the main path'],
    ['[64, 57, 57]', '[64, 29, 29]', 'one side is 2× smaller on every axis: give the shortcut the same stride (2) as the main path'],
    ['[8, 30, 20]', '[8, 32, 32]', 'the spatial sizes differ: give both paths the same strides and padding'],
    ['[256, 56, 56]', '[128, 56, 56]', 'the channels differ (256 vs 128): project the shortcut with a 1×1 conv to 256 channels'],
  ])('%s + %s', (a, b, expected) => {
    expect(hint(a, b)).toBe(expected);
  });

  it('names the padding an unpadded convolution lost', () => {
    const text = 'model t {\n  input x: [3, 32, 32]\n  a = x |> conv(8, 3)\n  b = x |> conv(8, 3, pad=1)\n  output y = a + b\n}\n';
    const error = compileText(text).diagnostics.find((d) => d.code === 'E0302');
    expect(error?.hint).toBe('one side lost 2 on every axis, as an unpadded 3×3 convolution does: pad=1 keeps the size');
  });
});
