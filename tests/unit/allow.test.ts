// `allow`: a warning silenced on purpose, per file (`allow W0102`) or per call (`allow="W0102"`).
import { describe, expect, it } from 'vitest';
import { codes, compileText } from '../helpers.js';

const sameConv = 'conv(8, 3, stride=2, pad="same")';
const model = (lines: string, header = '') =>
  `${header}block down(x) {\n  return x |> ${sameConv}\n}\nmodel m {\n  input image: [3, 32, 32]\n${lines}\n}\n`;

describe('allow', () => {
  it('warns about asymmetric "same" padding without it', () => {
    expect(codes(compileText(model(`  output y = image |> ${sameConv}`)))).toEqual(['W0102']);
  });

  it('silences one op call, and only that call', () => {
    const r = compileText(model(`  a = image |> conv(8, 3, stride=2, pad="same", allow="W0102")\n  output y = concat([a, image |> ${sameConv}])`));
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([['W0102', 7]]);
  });

  it('silences everything inside a block call, as a list of codes', () => {
    const r = compileText(model('  output y = image |> down(allow=["W0102", "W0105"])'));
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('silences a whole file, warnings inside the blocks it calls included', () => {
    const r = compileText(model(`  a = image |> down\n  output y = concat([a, image |> ${sameConv}])`, 'allow W0102\n\n'));
    expect(r.diagnostics).toEqual([]);
  });

  it('refuses errors and unknown codes (E0211), with the closest warning', () => {
    const r = compileText(model(`  output y = image |> conv(8, 3, allow="W0l05")`, 'allow E0301\n'));
    expect(r.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      ['E0211', 'E0301 is an error and cannot be allowed; only warnings (W...) can', undefined],
      ['E0211', "allow names no warning: 'W0l05'", "did you mean 'W0105'?"],
    ]);
  });

  it('needs strings', () => {
    expect(codes(compileText(model('  output y = image |> conv(8, 3, allow=102)')))).toEqual(['E0203']);
  });

  it('keeps `allow` usable as a tensor name', () => {
    expect(compileText('model m {\n  input image: [3, 8, 8]\n  allow = image |> relu\n  output y = allow\n}\n').ok).toBe(true);
  });
});
