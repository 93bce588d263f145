// `archc import` of op forms PyTorch's exporters do not write for torchvision's classifiers, built
// by hand with onnx.helper (tests/python/onnx_opset_forms.py): Softmax before opset 13, Clip with
// one bound, Pad and Resize with axes (18), Resize by scales and by sizes at 11, 13 and 19, the
// reductions with axes as inputs, Split into uneven pieces. Each import must compile, count the
// file's learnable parameters and — re-exported by archc — compute the file's outputs in
// onnxruntime within 1e-5.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { findPython } from '../../engines/torch/python.js';
import { importOnnx } from '../../import/index.js';

const python = findPython();
const script = (name: string) => fileURLToPath(new URL(`../python/${name}`, import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'archc-import-forms-'));
const run = (file: string, args: string[]) => execFileSync((python as { python: string }).python, [script(file), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
const jsonLines = <T>(text: string): T[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T);

describe.skipIf(typeof python === 'string')('archc import of hand-written ONNX op forms at opsets 11 to 19', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('imports each: compiles cleanly, the same learnable count, the same outputs in onnxruntime', () => {
    const cases = jsonLines<{ name: string; file: string; params: number }>(run('onnx_opset_forms.py', ['build', folder]));
    expect(cases.length).toBeGreaterThanOrEqual(16);
    const failures: string[] = [];
    const pairs: string[] = [];
    for (const c of cases) {
      const result = importOnnx(readFileSync(c.file), { sourceName: `${c.name}.onnx` });
      if (!result.ok) {
        failures.push(`${c.name}: ${result.problems.map((p) => p.message).join('; ')}`);
        continue;
      }
      const compiled = compile('m.arch', memoryHost({ 'm.arch': result.text }));
      const errors = compiled.diagnostics.map((d) => `${d.code} ${d.message}`);
      if (errors.length > 0 || compiled.report?.params.learnable !== c.params) {
        failures.push(`${c.name}: ${errors.join('; ') || `${compiled.report?.params.learnable} learnable, not ${c.params}`}`);
        continue;
      }
      const lowered = lowerToOnnx(compiled.graph!, result.weights, { producerVersion: 'test' });
      const back = join(folder, `${c.name}.back.onnx`);
      writeFileSync(back, Buffer.concat(encodeOnnx(lowered.model!)));
      pairs.push(`${c.file}=${back}`);
    }
    for (const row of jsonLines<{ pair: string; maxDiff: number; shapes: number[][][] }>(run('onnx_import_models.py', ['compare', ...pairs]))) {
      const name = row.pair.split('=')[0]!;
      if (JSON.stringify(row.shapes[0]) !== JSON.stringify(row.shapes[1])) failures.push(`${name}: output shapes ${JSON.stringify(row.shapes)}`);
      else if (!(row.maxDiff <= 1e-5)) failures.push(`${name}: outputs differ by ${row.maxDiff}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
