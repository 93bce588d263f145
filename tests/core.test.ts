import { describe, expect, it } from 'vitest';
import { compileText, codes, net } from './helpers.js';

describe('compile', () => {
  it('counts a small conv net exactly (seed T16: Conv2D(3,8,3,1,1) = 224 params)', () => {
    const r = compileText(net('[3, 6, 6]', 'x |> conv(8, 3, pad=1) |> maxpool(2)'));
    expect(r.ok).toBe(true);
    expect(r.report!.params.learnable).toBe(224);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 8, 3, 3]);
  });

  it('reports an unknown argument with the closest match and keeps going', () => {
    const r = compileText(net('[3, 8, 8]', 'x |> conv(8, 3, grups=2) |> dropout(1.5)'));
    expect(codes(r)).toEqual(['E0204', 'E0305']);
    expect(r.diagnostics[0]!.hint).toBe("did you mean 'groups'?");
  });
});

describe('grammar', () => {
  it("passes chevrotain's validations (skipped at start-up for speed)", async () => {
    const { validateGrammar } = await import('../dsl/parser.js');
    expect(() => validateGrammar()).not.toThrow();
  });
});

describe('expect counters', () => {
  it('sees trainable and frozen_params after counting', () => {
    const r = compileText(`model t {
  input x: [4]
  frozen { h = x |> dense(3) }
  output y = h |> dense(2)
  expect frozen_params == 15
  expect trainable == 8
  expect params < 10
}
`);
    expect(codes(r)).toEqual(['E0501']);
    expect(r.diagnostics[0]!.notes).toEqual(['expected: 10', '     got: 23', '    diff: +13']);
  });
});
