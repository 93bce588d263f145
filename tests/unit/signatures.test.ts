// Block tensor signatures: `block up(x: [C, H, W], skip: [C / 2, 2 * H, 2 * W])`, checked at every
// call; the names they bind are usable in the block's body.
import { describe, expect, it } from 'vitest';
import { codes, compileText } from '../helpers.js';

const up = 'block up(x: [C, H, W], skip: [C / 2, 2 * H, 2 * W]) {\n  u = x |> conv_transpose(C / 2, 2, stride=2)\n  return concat([skip, u])\n}\n';
const model = (skip: string, input = '[64, 16, 16]') =>
  `${up}model m {\n  input a: ${input}\n  input b: [32, 32, 32]\n  input c: [32, 16, 16]\n  output y = a |> up(${skip})\n}\n`;

describe('block signatures', () => {
  it('accept a matching call and bind their names for the body', () => {
    const r = compileText(model('b'));
    expect(r.diagnostics).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 64, 32, 32]);
  });

  it('refuse the wrong tensor at the argument, with the expected shape worked out', () => {
    const r = compileText(model('c'));
    expect(codes(r)).toEqual(['E0502']);
    expect(r.diagnostics[0]!.message).toBe("block 'up' needs 'skip' shaped [C / 2, 2 * H, 2 * W] = [32, 32, 32], got [32, 16, 16]");
    expect(r.diagnostics[0]!.span.start.line).toBe(9); // the call's argument, in the model
  });

  it('check the rank and that the argument is a tensor', () => {
    expect(codes(compileText(model('b', '[64, 16]')))).toEqual(['E0502']);
    expect(codes(compileText(model('skip=3')))).toEqual(['E0203']);
  });

  it('print as written', async () => {
    const { formatText } = await import('../../dsl/format.js');
    expect(formatText('block f(x:[C,H,W],k=3){\nreturn x}\n').text).toBe('block f(x: [C, H, W], k = 3) {\n  return x\n}\n');
  });
});
