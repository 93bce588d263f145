// `archc import` on models no one here wrote: torchvision's, exported by PyTorch's own
// torch.onnx.export with random weights. Each import must compile with no errors, count PyTorch's
// learnable parameters, and — re-exported by archc with the imported weights — compute the
// original file's outputs in onnxruntime within 1e-5. The line count is compared with the zoo's
// file for the same model: within 2x the zoo file alone (its std blocks are printed for comparison).
//   - the eleven models with the TorchScript exporter at opset 17;
//   - a matrix of other exporters and opsets on the models that exercise what changes between
//     them: the dynamo exporter (torch.export; needs onnxscript), opsets 11, 13/14, 18 and 20 (Clip's
//     bounds, Split/Squeeze/Unsqueeze axes and ReduceMean axes move from attributes to inputs).
//     vit_small is torchvision's VisionTransformer at 2 layers × 64 features: the same
//     nn.MultiheadAttention export as vit_b_16, a fraction of the weights.
// Every file is exported by one Python process (torch loads once) and compared by another.
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

/** Models whose import is not within 2x the zoo file's lines yet: the bound they meet. */
const NOT_YET_2X: Record<string, number> = { efficientnet_b0: 3.0, shufflenet_v2_x1_0: 2.4 };

/** NAME:EXPORTER:OPSET beyond the TorchScript exporter at opset 17. */
const DYNAMO = ['resnet18', 'mobilenet_v3_small', 'shufflenet_v2_x1_0', 'vit_small'].map((m) => `${m}:dynamo:18`);
// (The TorchScript exporter writes the attention's scaled_dot_product_attention from opset 14.)
const OPSETS = [
  ...['mobilenet_v2', 'shufflenet_v2_x1_0'].map((m) => `${m}:torchscript:11`),
  ...['efficientnet_b0', 'vit_small'].map((m) => `${m}:torchscript:${m === 'vit_small' ? 14 : 13}`),
  ...['googlenet', 'vit_small'].map((m) => `${m}:torchscript:18`),
  'vit_small:torchscript:20', // the Gelu op
];

const python = findPython();
const script = fileURLToPath(new URL('../python/onnx_import_models.py', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'archc-import-'));
const exported = new Map<string, { file: string; params: number }>();
const lines = new Map<string, { imported: number; zoo: number; zooWithStd: number }>();
const run = (args: string[]) => execFileSync((python as { python: string }).python, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const hasOnnxscript = typeof python !== 'string' && (() => {
  try {
    execFileSync((python as { python: string }).python, ['-c', 'import onnxscript'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

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

/**
 * Imports each exported file, checks it, and compares it with the original in onnxruntime. The
 * bound on the difference is 1e-5, relative to the outputs' scale where `relative` (the dynamo
 * exporter writes the global pool as ReduceMean, which sums in another order: resnet50's logits
 * reach 500 with these weights, and float32 rounding alone then differs by 1e-4).
 */
function importAndCompare(specs: readonly string[], relative: boolean): void {
  const pairs: string[] = [];
  for (const spec of specs) {
    const source = exported.get(spec);
    expect(source, `${spec} was exported`).toBeDefined();
    const result = importOnnx(readFileSync(source!.file), { sourceName: `${spec.split(':')[0]}.onnx` });
    if (!result.ok) throw new Error(`${spec}: ${result.problems.map((p) => p.message).join('\n')}`);
    expect(result.params, spec).toBe(source!.params);
    const compiled = compile('m.arch', memoryHost({ 'm.arch': result.text }));
    expect(compiled.diagnostics.map((d) => `${d.code} ${d.message}`), spec).toEqual([]);
    expect(compiled.report!.params.learnable, spec).toBe(source!.params);
    const lowered = lowerToOnnx(compiled.graph!, result.weights, { producerVersion: 'test' });
    expect(lowered.diagnostics, spec).toEqual([]);
    const back = join(folder, `${spec.replaceAll(':', '.')}.back.onnx`);
    writeFileSync(back, Buffer.concat(encodeOnnx(lowered.model!)));
    pairs.push(`${source!.file}=${back}`);
    const name = spec.split(':')[0]!;
    if (MODELS[name] && !spec.includes(':')) lines.set(name, { imported: result.text.split('\n').length - 1, ...zooLines(MODELS[name]!) });
  }
  const rows = run(['compare', ...pairs]).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { pair: string; maxDiff: number; scale: number; shapes: number[][][] });
  expect(rows).toHaveLength(pairs.length);
  for (const row of rows) {
    expect(row.shapes[0], row.pair).toEqual(row.shapes[1]);
    expect(row.maxDiff, row.pair).toBeLessThanOrEqual(1e-5 * (relative ? Math.max(1, row.scale) : 1));
  }
}

describe.skipIf(typeof python === 'string')('archc import of torchvision models exported by torch.onnx.export', () => {
  beforeAll(() => {
    const specs = [...Object.keys(MODELS), ...OPSETS, ...(hasOnnxscript ? DYNAMO : [])];
    for (const line of run(['export', folder, ...specs]).split('\n').filter((l) => l.startsWith('{'))) {
      const row = JSON.parse(line) as { name: string; file: string; params: number };
      exported.set(row.name, row);
    }
  }, 600_000);
  afterAll(() => {
    const rows = [...lines].map(([name, l]) => `| ${name} | ${l.imported} | ${l.zoo} | ${(l.imported / l.zoo).toFixed(2)} | ${l.zooWithStd} | ${(l.imported / l.zooWithStd).toFixed(2)} |`);
    console.log(['| model | imported lines | zoo file | ratio | zoo file + std blocks | ratio |', '|---|---|---|---|---|---|', ...rows].join('\n'));
    rmSync(folder, { recursive: true, force: true });
  });

  it('imports each model (TorchScript exporter, opset 17): compiles cleanly, PyTorch\'s parameter count, the same outputs in onnxruntime', () => {
    importAndCompare(Object.keys(MODELS), false);
    // Within 2x the zoo file's own lines (the zoo file leans on std blocks; the import carries its
    // blocks itself). EfficientNet and ShuffleNet are not there yet: their bound is the next
    // step down, so that the list can only shrink.
    for (const [name, l] of lines) expect(l.imported, `${name}: imported lines vs the zoo file`).toBeLessThanOrEqual((NOT_YET_2X[name] ?? 2) * l.zoo);
  }, 400_000);

  it('imports from opsets 11, 13, 14, 18 and 20', () => importAndCompare(OPSETS, false), 200_000);

  it.skipIf(!hasOnnxscript)('imports from the dynamo exporter (torch.export)', () => importAndCompare(DYNAMO, true), 200_000);
});
