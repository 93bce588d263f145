// Sources from any editor: a UTF-8 byte-order mark is skipped, and \r\n or a lone \r (classic Mac
// files) end lines as \n does, so comments end and diagnostics point at the right line.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';

const lines = ['model m() {', '  input x: [3, 8, 8]', '  // a comment that must end with its line', '  output y = x |> reluu', '}', ''];

function check(text: string) {
  const result = compile('/m.arch', memoryHost({ '/m.arch': text }));
  return result.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.code} ${d.message}`);
}

describe('line endings and byte-order marks', () => {
  for (const [name, eol] of [['\\n', '\n'], ['\\r\\n', '\r\n'], ['lone \\r', '\r']] as const) {
    it(`locates an error after a comment with ${name} line ends`, () => {
      expect(check(lines.join(eol))).toEqual([`4:19 E0201 unknown name 'reluu'`]);
    });
  }

  it('skips a UTF-8 byte-order mark', () => {
    expect(check(`\uFEFF${lines.join('\n').replace('reluu', 'relu')}`)).toEqual([]);
  });
});
