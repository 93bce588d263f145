// The total work of an expansion is bounded, not only each part: a block calling itself twice per
// call, loops inside loops, and a list or string doubled in a loop each end in one located error.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';

const check = (body: string, blocks = '') => {
  const text = `${blocks}\nmodel m() {\n  input x: [3, 8, 8]\n${body}\n  output y = x\n}\n`;
  return compile('/m.arch', memoryHost({ '/m.arch': text })).diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code} ${d.message}`);
};

describe('work limits', () => {
  it('stops a block that calls itself twice per call (exponential work)', () => {
    const blocks = 'block g(n) {\n  return if n == 0 { 1 } else { g(n - 1) + g(n - 1) }\n}';
    const [first, ...rest] = check('  k = g(40)\n  _k = k', blocks);
    expect(first).toMatch(/^2:\d+ E0607 the expansion needs more than 10,000,000 evaluation steps; it was inside 'g'$/);
    expect(rest).toEqual([]);
  });

  it('stops loops inside loops whose total is too large', () => {
    expect(check('  s = 0\n  for i in 0..10000 {\n    for j in 0..10000 {\n      s = s + 1\n    }\n  }\n  _s = s')).toEqual([
      '7:11 E0607 the expansion needs more than 10,000,000 evaluation steps',
    ]);
  });

  it('refuses a list or a string that grows past the item limit', () => {
    expect(check('  l = [1]\n  for i in 0..40 {\n    l = l + l\n  }\n  _l = l')).toEqual(['6:9 E0607 this list would hold 1,048,576 items; the limit is 1,000,000']);
    expect(check('  s = "ab"\n  for i in 0..40 {\n    s = s + s\n  }\n  _s = s')).toEqual(['6:9 E0607 this string would hold 1,048,576 characters; the limit is 1,000,000']);
  });

  it('min, max, sum and mean take a list as long as the limit allows (no spread into a call)', () => {
    const body = '  l = [1]\n  for i in 0..19 {\n    l = l + l\n  }\n  l = l + [3, -2]\n  expect max(l) == 3\n  expect min(l) == -2\n  expect sum(l) == 524289';
    expect(check(body)).toEqual([]);
  });

  it('a default that calls its own block is recursion (E0601), not a stack overflow', () => {
    const blocks = 'block f(x, n = f(x)) {\n  return x\n}';
    const errors = check('  z = f(x)\n  _z = z', blocks).filter((d) => / E0\d+ /.test(d));
    expect(errors).toEqual(['1:16 E0601 block expansion is deeper than 64 levels: \'f\' keeps calling itself']);
  });
});
