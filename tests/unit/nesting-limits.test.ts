// Nesting that would overflow the JavaScript stack in the parser or a later pass is a located
// error E0104, never an internal error: brackets deeper than 100 levels, a syntax tree deeper than
// 400 (a chain of thousands of `+` terms or `|>` stages). Chains below the limit still compile.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';

const check = (line: string) => {
  const text = `model m() {\n  input x: [3, 8, 8]\n${line}\n  output y = x |> conv(k, 1)\n}\n`;
  return compile('/m.arch', memoryHost({ '/m.arch': text }));
};
const codes = (line: string) => check(line).diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code}`);

describe('nesting limits', () => {
  it('refuses brackets nested past the limit at the bracket that passes it', () => {
    expect(codes(`  k = ${'('.repeat(1000)}1${')'.repeat(1000)}`)).toEqual(['3:106 E0104']);
    expect(codes(`  k = ${'['.repeat(150)}1${']'.repeat(150)}`)).toEqual(['3:106 E0104']);
  });

  it('refuses a chain of thousands of terms or stages, and leaves out the model it is in', () => {
    expect(check(`  k = ${Array(2100).fill('1').join(' + ')}`).diagnostics.map((d) => d.code)).toEqual(['E0104']);
    const stages = `  k = 8\n  z = x${' |> relu'.repeat(2950)}`;
    expect(check(stages).diagnostics.map((d) => d.code)).toEqual(['E0104']);
  });

  it('compiles long chains below the limit', () => {
    const r = check(`  k = ${Array(300).fill('1').join(' + ')}`);
    expect(r.diagnostics).toEqual([]);
    expect(r.graph?.nodes.at(-1)?.shape).toEqual([300, 8, 8]);
  });
});
