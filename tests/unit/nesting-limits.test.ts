// Nesting that would overflow the JavaScript stack in the parser or a later pass is a located
// error E0104, never an internal error. This tier runs the compiler as a browser does, with V8's
// default stack only (no thread with a larger one): every construct compiles and formats 1,000
// levels deep, and with a quarter of the stack spent before it starts (margin for a browser whose
// stack is smaller, or a caller deep in its own frames); brackets past 2,000 levels and syntax trees
// past 1,100 are refused. The same through the CLI: tests/deep-nesting; in chromium:
// tests/external/playground.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { MAX_BRACKETS, MAX_TREE_DEPTH } from '../../dsl/depth-limits.js';
import { formatText } from '../../dsl/format.js';
import { NESTINGS, nestedModel, type Nesting } from '../../tools/dev/fuzz/nesting.js';

const check = (text: string) => compile('/m.arch', memoryHost({ '/m.arch': text }));
const codes = (text: string) => check(text).diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code}`);
const KINDS = Object.keys(NESTINGS) as Nesting[];
const CHAINS: Nesting[] = ['sums', 'stages', 'negations', 'nots'];

/** Calls itself `n` times, then runs `job`; without `job`, until the stack is full, returning how deep it got. */
function spend<T>(n: number, job?: () => T): { depth: number; value?: T } {
  if (job && n === 0) return { depth: 0, value: job() };
  try {
    const inner = spend(n - 1, job);
    return { depth: inner.depth + 1, value: inner.value };
  } catch (e) {
    if (job || !(e instanceof RangeError)) throw e;
    return { depth: 0 };
  }
}

/** Runs `job` with `fraction` of the stack left from here already spent. */
function withStackSpent<T>(fraction: number, job: () => T): T {
  spend(Infinity); // once to warm it up: frames shrink when V8 optimizes, and the measure must match the spending
  const depth = spend(Infinity).depth;
  return spend(Math.floor(depth * fraction), job).value!;
}

function compilesAndFormats(text: string): void {
  const r = check(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  expect(r.graph?.nodes.at(-1)?.shape).toEqual([8, 8, 8]);
  expect(formatText(text).errors).toEqual([]);
}

describe('nesting limits on the default stack', () => {
  it.each(KINDS)('compiles and formats 1,000 levels of %s', (kind) => compilesAndFormats(nestedModel(kind, 1000)));

  it.each(KINDS)('compiles and formats 1,000 levels of %s with a quarter of the stack spent', (kind) => {
    withStackSpent(1 / 4, () => compilesAndFormats(nestedModel(kind, 1000)));
  });

  it('compiles and formats 1,999 nested parentheses, the most brackets allowed (parentheses make no tree level)', () => {
    compilesAndFormats(nestedModel('parentheses', MAX_BRACKETS - 1)); // the model's brace is the 2,000th
  });

  it('refuses brackets nested past 2,000 levels at the bracket that passes it', () => {
    const r = check(nestedModel('parentheses', MAX_BRACKETS));
    expect(codes(nestedModel('parentheses', MAX_BRACKETS))).toEqual(['4:2006 E0104']); // the model's brace is the first level
    expect(r.diagnostics[0]!.message).toMatch(/nested deeper than 2,000 levels/);
    expect(codes(nestedModel('lists', 100_000))).toEqual(['4:2013 E0104']);
  });

  it('reports a syntax error deep inside brackets where chevrotain cannot reach it, at its place', () => {
    const text = nestedModel('parentheses', 1000).replace('8)', '8 +)');
    expect(check(text).diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code} ${d.message}`)).toEqual([
      "4:1010 E0102 expected an expression but found ')'",
    ]);
  });

  it.each(CHAINS)('refuses %s past the tree limit with E0104 at the first level too deep, and leaves the model out', (kind) => {
    for (const n of [MAX_TREE_DEPTH + 1, 100_000]) {
      const r = check(nestedModel(kind, n));
      expect(r.diagnostics.map((d) => d.code)).toEqual(['E0104']);
      expect(r.diagnostics[0]!.span.start.line).toBe(4);
      expect(r.diagnostics[0]!.message).toMatch(/nested deeper than (1,100|2,000) levels/);
      if (n < 100_000) expect(formatText(nestedModel(kind, n)).errors.map((e) => e.code)).toEqual(['E0104']);
    }
  });
});
