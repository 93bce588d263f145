import { describe, expect, it } from 'vitest';
import { compileText } from '../helpers.js';

function joined(a: string, b: string, args = '') {
  const r = compileText(`model t {\n  input a: ${a}\n  input b: ${b}\n  output y = concat([a, b]${args})\n}\n`);
  const error = r.diagnostics.find((d) => d.severity === 'error');
  return { r, outcome: error ? error.code : r.report!.outputs[0]!.shape.slice(1) };
}

describe('concat', () => {
  it.each([
    ['[64, 28, 28]', '[32, 28, 28]', '', [96, 28, 28]],
    ['[64, 28, 28]', '[64, 28, 28]', ', axis=1', [64, 56, 28]],
    ['[64, 28, 28]', '[64, 28, 4]', ', axis=-1', [64, 28, 32]],
    ['[1, 768]', '[196, 768]', '', [197, 768]],
    ['[64, 28, 28]', '[32, 27, 28]', '', 'E0401'],
    ['[64, 28, 28]', '[32, 28]', '', 'E0401'],
    ['[64, 28, 28]', '[32, 28, 28]', ', axis=3', 'E0305'],
  ])('%s ++ %s%s → %j', (a, b, args, expected) => {
    expect(joined(a, b, args).outcome).toEqual(expected);
  });

  it('says when the ranks differ', () => {
    const d = joined('[64, 28, 28]', '[32, 28]').r.diagnostics[0]!;
    expect(d.message).toBe('concat needs inputs of one rank: input 0 is [64, 28, 28], input 1 is [32, 28]');
  });
});
