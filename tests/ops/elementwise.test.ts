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
