// Declarations the compiler must refuse or bound: an --input override for an input the model does
// not have, and thousands of unknown names (each "did you mean" scans every name in scope, so only
// the first few get one).
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';

const model = 'model m() {\n  input image: [3, 8, 8]\n  output y = image |> relu\n}\n';

describe('declarations', () => {
  it('refuses an --input override naming no input of the model', () => {
    const r = compile('/m.arch', memoryHost({ '/m.arch': model }), { inputs: { imag: [3, 16, 16] } });
    expect(r.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([["E0204", "model 'm' has no input 'imag'", "did you mean 'image'?"]]);
  });

  it('suggests a name for the first unknown names only', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `  t${i} = image |> reluu`);
    const text = `model m() {\n  input image: [3, 8, 8]\n${lines.join('\n')}\n  output y = image\n}\n`;
    const unknown = compile('/m.arch', memoryHost({ '/m.arch': text })).diagnostics.filter((d) => d.code === 'E0201');
    expect(unknown).toHaveLength(2000);
    expect(unknown.filter((d) => d.hint).length).toBe(20);
  });
});
