// Size variables: canonical size expressions, derived constraints solved per variable, and the
// language around them (`input image: [3, H, W] = [3, 224, 224]`).
import { describe, expect, it } from 'vitest';
import { add, ceilDiv, evaluate, floorDiv, format, mul, sameSize, scale, variable } from '../../compiler/symbolic/expr.js';
import { solve, validityText, type Constraint } from '../../compiler/symbolic/constraints.js';
import { display } from '../../compiler/symbolic/display.js';
import { formatText } from '../../dsl/format.js';
import { codes, compileText } from '../helpers.js';

const H = variable('H');
const W = variable('W');
const span = { file: 't', start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 2, offset: 1 } };
const conv = (x: ReturnType<typeof add>, k: number, s: number, p: number) => add(floorDiv(add(x, 2 * p - k), s), 1);

describe('size expressions', () => {
  it('keep one canonical form', () => {
    // (H + 2·1 − 3)//2 + 1: the remainder of the constant stays in [0, 2), so it reads (H + 1)//2.
    expect(format(conv(H, 3, 2, 1))).toBe('(H + 1)//2');
    expect(format(conv(H, 7, 2, 3))).toBe('(H + 1)//2');
    expect(format(conv(H, 3, 2, 0))).toBe('(H + 1)//2 - 1');
    expect(format(conv(H, 3, 1, 1))).toBe('H');
    expect(format(floorDiv(floorDiv(H, 2), 8))).toBe('H//16');
    expect(format(floorDiv(scale(H, 2), 4))).toBe('H//2');
    expect(format(floorDiv(add(scale(H, 4), 6), 4))).toBe('H + 1');
    expect(format(ceilDiv(H, 2))).toBe('(H + 1)//2');
    expect(format(mul(floorDiv(W, 32), floorDiv(H, 32)))).toBe('(H//32)*(W//32)');
    expect(sameSize(add(H, 0), H)).toBe(true);
    expect(sameSize(scale(floorDiv(H, 16), 2), floorDiv(H, 8))).toBe(false); // equal only under H % 16 == 0
  });

  it('evaluate like the concrete arithmetic', () => {
    for (const h of [1, 7, 100, 224, 358]) {
      expect(evaluate(conv(H, 3, 2, 1), { H: h })).toBe(Math.floor((h + 2 - 3) / 2) + 1);
      expect(evaluate(ceilDiv(H, 3), { H: h })).toBe(Math.ceil(h / 3));
    }
  });
});

describe('derived constraints', () => {
  const eq = (left: ReturnType<typeof add>, right: ReturnType<typeof add>): Constraint => ({ kind: 'eq', left, right, span, why: 'merge' });
  const ge = (expr: ReturnType<typeof add>, min: number): Constraint => ({ kind: 'ge', expr, min, span, why: 'window' });

  it('find the period of a merge and the bound of a window, for each variable', () => {
    // A U-Net: each up-sampled map (2·(H//2^k)) meets the skip of the level above (H//2^(k−1)).
    const levels = (x: typeof H) => [1, 2, 3, 4].map((k) => eq(scale(floorDiv(x, 2 ** k), 2), floorDiv(x, 2 ** (k - 1))));
    const cs = [...levels(H), ...levels(W), ge(floorDiv(H, 16), 1), ge(floorDiv(W, 16), 1)];
    // One merge alone only needs H % 16 < 8 (H//8 is even).
    expect(solve([cs[3]!], { H: 256 })[0]!.residues).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const solutions = solve(cs, { H: 256, W: 256 });
    expect(solutions.map((s) => [s.name, s.period, s.residues, s.min])).toEqual([
      ['H', 16, [0], 16],
      ['W', 16, [0], 16],
    ]);
    expect(validityText(solutions)).toBe('valid for H, W ≡ 0 (mod 16), H, W ≥ 16');
    // Under the solution the floor divisions are exact and print as fractions.
    const byName = new Map(solutions.map((s) => [s.name, s]));
    expect(display(add(scale(add(floorDiv(H, 16), -1), 2), 2), byName)).toBe('H/8');
    expect(display(mul(floorDiv(H, 4), floorDiv(W, 4)), byName)).toBe('H*W/16');
  });

  it('handle periods other than powers of two, and finite solutions', () => {
    const [s] = solve([eq(scale(floorDiv(H, 3), 3), H)], { H: 30 });
    expect([s!.period, s!.residues, s!.min]).toEqual([3, [0], 3]);
    const [f] = solve([eq(scale(floorDiv(H, 32), 512), 3584)], { H: 224 }); // a dense after flatten
    expect(validityText([f!])).toBe('valid for H ∈ {224..255}');
  });
});

describe('inputs with size variables', () => {
  const model = (input: string, body = '  output y = image |> conv(8, 3, stride=2, pad=1) |> conv(8, 3, stride=2, pad=1)') =>
    `model m {\n  input image: ${input}\n${body}\n}\n`;

  it('build at the default and report the sizes symbolically', () => {
    const r = compileText(model('[3, H, W] = [3, 64, 48]'));
    expect(r.ok).toBe(true);
    expect(r.report!.inputs[0]!.shape).toEqual(['N', 3, 64, 48]);
    expect(r.sizes!.shapes[r.graph!.outputs[0]!.node]).toEqual([8, '(H + 3)//4', '(W + 3)//4']);
    expect(r.sizes!.validity).toBe('valid for every size');
    expect(r.sizes!.variables).toEqual([{ name: 'H', value: 64 }, { name: 'W', value: 48 }]);
  });

  it('bind the variables for the rest of the model', () => {
    const r = compileText(model('[3, S, S] = [3, 32, 32]', '  output y = image |> conv(8, 3, pad=1)\n  expect y.shape == [8, S, S]'));
    expect(r.diagnostics).toEqual([]);
    expect(r.sizes!.shapes[r.graph!.outputs[0]!.node]).toEqual([8, 'S', 'S']);
  });

  it('need a default, of the right rank and matching the fixed dimensions', () => {
    expect(codes(compileText(model('[3, H, W]')))).toEqual(['E0206']);
    expect(codes(compileText(model('[3, H, W] = [3, 224]')))).toEqual(['E0203']);
    expect(codes(compileText(model('[3, H, W] = [4, 224, 224]')))).toEqual(['E0203']);
    expect(codes(compileText(model('[3, S, S] = [3, 224, 160]')))).toEqual(['E0203']);
    // --input replaces the whole shape (channels too), as for inputs without variables.
    expect(compileText(model('[3, H, W] = [3, 64, 64]'), { inputs: { image: [1, 32, 48] } }).report!.inputs[0]!.shape).toEqual(['N', 1, 32, 48]);
  });

  it('print in canonical form', () => {
    expect(formatText('model m{input image:[3,H,W]=[3,224,224]\noutput y=image}\n').text).toBe('model m {\n  input image: [3, H, W] = [3, 224, 224]\n  output y = image\n}\n');
  });
});
