// Nesting that would overflow the JavaScript stack in the parser or a later pass is a located
// error E0104, never an internal error. This tier runs the compiler as a browser does, with V8's
// default stack only: brackets deeper than 100 levels are refused; chains without brackets (`+`
// terms, `|>` stages, prefix operators) compile up to 1,000 levels and more. The larger limits
// that Node offers by parsing on a larger stack are tested through the CLI (tests/deep-nesting).
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { MAX_TREE_DEPTH } from '../../dsl/depth-limits.js';
import { formatText } from '../../dsl/format.js';
import { nestedModel, type Nesting } from '../../tools/dev/fuzz/nesting.js';

const check = (text: string) => compile('/m.arch', memoryHost({ '/m.arch': text }));
const codes = (text: string) => check(text).diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code}`);
const CHAINS: Nesting[] = ['sums', 'stages', 'negations', 'nots'];

describe('nesting limits on the default stack', () => {
  it('refuses brackets nested past 100 levels at the bracket that passes it', () => {
    expect(codes(nestedModel('parentheses', 1000))).toEqual(['4:106 E0104']); // the model's brace is the first level
    expect(codes(nestedModel('lists', 150))).toEqual(['4:113 E0104']);
    expect(check(nestedModel('parentheses', 1000)).diagnostics[0]!.message).toMatch(/nested deeper than 100 levels/);
  });

  it.each(CHAINS)('compiles and formats 1,000 levels of %s', (kind) => {
    const text = nestedModel(kind, 1000);
    const r = check(text);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.graph?.nodes.at(-1)?.shape).toEqual([8, 8, 8]);
    expect(formatText(text).errors).toEqual([]);
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
