// `archc import` on models no one here wrote: torchvision's, exported by PyTorch's own
// torch.onnx.export (the TorchScript exporter; the dynamo exporter needs onnxscript, which the
// environment does not have) with random weights. Each import must compile with no errors, count
// PyTorch's learnable parameters, and — re-exported by archc with the imported weights — compute
// the original file's outputs in onnxruntime within 1e-5. The line count is compared with the zoo's
// file for the same model (with the std blocks that file uses: the import is self-contained).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { zooRoot } from '../../compiler/node-host.js';
import { findPython } from '../../engines/torch/python.js';
import { importOnnx } from '../../import/index.js';

const MODELS: Record<string, string> = {
  resnet18: 'resnet/resnet18',
  resnet50: 'resnet/resnet50',
  mobilenet_v2: 'mobilenet/mobilenet_v2',
  mobilenet_v3_small: 'mobilenet/mobilenet_v3_small',
  efficientnet_b0: 'efficientnet/efficientnet_b0',
  densenet121: 'densenet/densenet121',
  googlenet: 'inception/googlenet',
  squeezenet1_1: 'squeezenet/squeezenet1_1',
  vgg11_bn: 'vgg/vgg11_bn',
  shufflenet_v2_x1_0: 'shufflenet/shufflenet_v2_x1_0',
  vit_b_16: 'vit/vit_b_16',
};

const python = findPython();
const script = fileURLToPath(new URL('../python/onnx_import_models.py', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'archc-import-'));
const exported = new Map<string, { file: string; params: number }>();
const lines = new Map<string, { imported: number; zoo: number; zooWithStd: number }>();

/** A zoo file's lines, and with every std file it uses (transitively) added. */
function zooLines(rel: string): { zoo: number; zooWithStd: number } {
  const count = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const m of readFileSync(path, 'utf8').matchAll(/^use "std\/([^"]+)"/gm)) visit(join(zooRoot, 'std', `${m[1]}.arch`));
  };
  const root = join(zooRoot, `${rel}.arch`);
  visit(root);
  return { zoo: count(root), zooWithStd: [...seen].reduce((n, p) => n + count(p), 0) };
}

describe.skipIf(typeof python === 'string')('archc import of torchvision models exported by torch.onnx.export', () => {
  beforeAll(() => {
    const out = execFileSync((python as { python: string }).python, [script, 'export', folder, ...Object.keys(MODELS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    for (const line of out.split('\n').filter((l) => l.startsWith('{'))) {
      const row = JSON.parse(line) as { name: string; file: string; params: number };
      exported.set(row.name, row);
    }
  }, 400_000);
  afterAll(() => {
    console.log(
      [...lines].map(([name, l]) => `${name}: ${l.imported} lines; zoo file ${l.zoo} (×${(l.imported / l.zoo).toFixed(2)}), with its std blocks ${l.zooWithStd} (×${(l.imported / l.zooWithStd).toFixed(2)})`).join('\n'),
    );
    rmSync(folder, { recursive: true, force: true });
  });

  it('imports each model: compiles cleanly, PyTorch\'s parameter count, the same outputs in onnxruntime', () => {
    const pairs: string[] = [];
    for (const [name, rel] of Object.entries(MODELS)) {
      const source = exported.get(name);
      expect(source, `${name} was exported`).toBeDefined();
      const result = importOnnx(readFileSync(source!.file), { sourceName: `${name}.onnx` });
      if (!result.ok) throw new Error(`${name}: ${result.problems.map((p) => p.message).join('\n')}`);
      expect(result.params, name).toBe(source!.params);
      const compiled = compile(`${name}.arch`, memoryHost({ [`${name}.arch`]: result.text }));
      expect(compiled.diagnostics.map((d) => `${d.code} ${d.message}`), name).toEqual([]);
      expect(compiled.report!.params.learnable, name).toBe(source!.params);
      const lowered = lowerToOnnx(compiled.graph!, result.weights, { producerVersion: 'test' });
      expect(lowered.diagnostics, name).toEqual([]);
      const back = join(folder, `${name}.back.onnx`);
      writeFileSync(back, Buffer.concat(encodeOnnx(lowered.model!)));
      pairs.push(`${source!.file}=${back}`);
      const imported = result.text.split('\n').length - 1;
      lines.set(name, { imported, ...zooLines(rel) });
      writeFileSync(join(folder, `${name}.arch`), result.text);
    }
    const out = execFileSync((python as { python: string }).python, [script, 'compare', ...pairs], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const rows = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { pair: string; maxDiff: number; shapes: number[][][] });
    expect(rows).toHaveLength(pairs.length);
    for (const row of rows) {
      expect(row.shapes[0], row.pair).toEqual(row.shapes[1]);
      expect(row.maxDiff, row.pair).toBeLessThanOrEqual(1e-5);
    }
    for (const [name, l] of lines) expect(l.imported, `${name}: imported lines vs the zoo file and its std blocks`).toBeLessThanOrEqual(2 * l.zooWithStd);
  }, 400_000);
});
