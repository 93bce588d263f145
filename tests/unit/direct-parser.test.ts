// The direct parser (dsl/direct-parser.ts) reads every file and chevrotain (dsl/grammar.ts) reads
// again those with syntax errors, so the two must agree: the same syntax tree, key for key, for every
// file without errors, an error wherever chevrotain finds one, and the same first message there.
// Checked on every .arch file of the repository and on seeded token mutations of zoo files.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/node-host.js';
import { archFilesUnder } from '../../lsp/workspace-files.js';
import { MAX_BRACKETS_FOR_ERROR_RECOVERY, nestedTooDeep } from '../../dsl/depth-limits.js';
import { parseDirect } from '../../dsl/direct-parser.js';
import { ArchParser } from '../../dsl/grammar.js';
import { SourceFile } from '../../dsl/source.js';
import * as T from '../../dsl/tokens.js';
import { caseText, corpus } from '../../tools/dev/fuzz/check.js';

const chevrotain = new ArchParser();

/** What both parsers make of `text`: 'same', or the first difference. */
function agreement(path: string, text: string): string {
  const source = new SourceFile(path, text);
  const tokens = T.lexer.tokenize(text).tokens;
  if (nestedTooDeep(tokens, MAX_BRACKETS_FOR_ERROR_RECOVERY)) return 'too deep for chevrotain on this stack';
  chevrotain.source = source;
  chevrotain.input = tokens;
  const items = (chevrotain.file() ?? []).filter(Boolean);
  const [first] = chevrotain.errors;
  const direct = parseDirect(source, tokens);
  if (!first) {
    if ('error' in direct) return `${path}: the direct parser alone finds an error: ${direct.error.message}`;
    // Key order too: the formatter and the depth walk visit keys in order.
    const same = JSON.stringify(items) === JSON.stringify(direct.items) && isDeepStrictEqual(items, direct.items);
    return same ? 'same' : `${path}: the syntax trees differ`;
  }
  if ('items' in direct) return `${path}: the direct parser misses chevrotain's error: ${first.message}`;
  const at = (offset: number) => (Number.isFinite(offset) ? offset : 'end');
  const [mine, theirs] = [`${direct.error.message} at ${at(direct.error.token.startOffset)}`, `${first.message} at ${at(first.token.startOffset)}`];
  return mine === theirs ? 'same' : `${path}: first error '${mine}' where chevrotain says '${theirs}'`;
}

describe('the direct parser and chevrotain agree', () => {
  it('on every .arch file of the repository', () => {
    // (A walk, not `git ls-files`: the unit tier starts no process.)
    const files = archFilesUnder([packageRoot], { entries: 500_000, files: 10_000 });
    expect(files.length).toBeGreaterThan(100);
    const outcomes = files.map((f) => agreement(f, readFileSync(f, 'utf8')));
    expect(outcomes.filter((r) => r !== 'same' && !r.startsWith('too deep'))).toEqual([]);
    expect(outcomes.filter((r) => r === 'same').length).toBeGreaterThan(100);
  });

  it('on 600 token mutations of zoo files, with and without syntax errors', () => {
    const targets = corpus();
    const cases = Array.from({ length: 600 }, (_, i) => caseText(20_251_202, i, targets, 'token'));
    const differences = cases.map((c, i) => agreement(`case ${i}`, c.text)).filter((r) => r !== 'same');
    expect(differences).toEqual([]);
  }, 60_000);

  it('on operators by precedence, prefix runs and chains', () => {
    const expressions = [
      'a |> b or c and not d == e + f * -g.h[i](j, k=l)',
      'not not a < b and c',
      '- - a * b - c / d % e',
      'a and b == c or not d |> e',
      'if a { b } else if c { d } else { e }',
      'if a { } else if b { c }',
      '[1, [2, 3], []](x)[0].y',
    ];
    for (const e of expressions) expect(agreement(e, `model m {\n  y = ${e}\n}\n`)).toBe('same');
    for (const bad of ['a < b < c', 'not a < b < c', 'a and b == c == d', 'a + not b', 'a == not b', 'f(a, )', 'if a { } else b', '[1, 2']) {
      expect(agreement(bad, `model m {\n  y = ${bad}\n}\n`)).toBe('same');
    }
  });
});
