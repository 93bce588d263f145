// `archc import` on models no one here wrote: torchvision's, exported by PyTorch's own
// torch.onnx.export with random weights. Each import must compile with no errors, count PyTorch's
// learnable parameters, and — re-exported by archc with the imported weights — compute the
// original file's outputs in onnxruntime within 1e-5. The line count is compared with the zoo's
// file for the same model: within 2x the zoo file alone (its std blocks are printed for comparison).
//   - the eleven models with the TorchScript exporter at opset 17;
//   - a cross-section of exporters and opsets: every opset from 11 to 20 with the TorchScript
//     exporter and 18 to 21 with the dynamo one (torch.export; needs onnxscript), each on the models
//     whose ONNX form changes there (see CROSS_SECTION). vit_small is torchvision's
//     VisionTransformer at 2 layers × 64 features: the same nn.MultiheadAttention export as
//     vit_b_16, a fraction of the weights. Two files use the TorchScript exporter's defaults
//     ("folded": batch norm folded into the convs, their weights anonymous): the weights must
//     come back named after the nodes' scopes.
//   - ARCHC_IMPORT_OPSETS=all: the whole matrix instead, all eleven models at every opset each
//     exporter writes (TorchScript 11–20, vit_b_16 from 14; dynamo 18–21), every failure listed.
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
import { stdLibrary, zooRoot } from '../../compiler/node-host.js';
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

/**
 * NAME:EXPORTER:OPSET beyond the TorchScript exporter at opset 17, each chosen for an ONNX form that
 * changes at that opset (the TorchScript exporter writes up to opset 20; it writes the attention's
 * scaled_dot_product_attention from opset 14, so ViT starts there).
 */
const CROSS_SECTION = [
  'mobilenet_v2:torchscript:11', // Clip's bounds as inputs (ReLU6)
  'shufflenet_v2_x1_0:torchscript:11', // Unsqueeze axes and ReduceMean axes as attributes
  'squeezenet1_1:torchscript:12', // MaxPool with ceil_mode, the fire modules' Concat
  'shufflenet_v2_x1_0:torchscript:13', // Unsqueeze axes as an input
  'vit_small:torchscript:14', // Squeeze/Unsqueeze axes as inputs, Softmax-13, layer norm as ReduceMean arithmetic
  'mobilenet_v3_small:torchscript:15', // HardSwish (14), BatchNormalization-15
  'efficientnet_b0:torchscript:16', // SiLU as Sigmoid·x, squeeze-and-excitation
  'shufflenet_v2_x1_0:torchscript:18', // ReduceMean axes as an input
  'vit_small:torchscript:18', // LayerNormalization (17)
  'vit_small:torchscript:19', // Reshape, Shape, Cast at 19
  'vit_small:torchscript:20', // the Gelu op
  // The TorchScript exporter's defaults: batch norm folded into the convs, whose weights are then
  // anonymous (onnx::Conv_650); their names come from the nodes' scope paths.
  'efficientnet_b0:folded:17',
  'resnet18:folded:13',
];
const DYNAMO = [
  ...['resnet18', 'mobilenet_v3_small', 'shufflenet_v2_x1_0', 'vit_small'].map((m) => `${m}:dynamo:18`),
  // torch.export writes opset 18's forms and converts them up: one model per later opset.
  'vit_small:dynamo:19',
  'shufflenet_v2_x1_0:dynamo:20',
  'vit_small:dynamo:21',
];

/** The whole matrix (ARCHC_IMPORT_OPSETS=all): every model at every opset of both exporters. */
const ALL = process.env['ARCHC_IMPORT_OPSETS'] === 'all';
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const MATRIX = range(11, 20).filter((o) => o !== 17).flatMap((o) => Object.keys(MODELS).filter((m) => m !== 'vit_b_16' || o >= 14).map((m) => `${m}:torchscript:${o}`));
const DYNAMO_MATRIX = range(18, 21).flatMap((o) => Object.keys(MODELS).map((m) => `${m}:dynamo:${o}`));
const OPSETS = ALL ? MATRIX : CROSS_SECTION;
const DYNAMO_SPECS = ALL ? DYNAMO_MATRIX : DYNAMO;

const python = findPython();
const script = fileURLToPath(new URL('../python/onnx_import_models.py', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'archc-import-'));
const exported = new Map<string, { file: string; params: number }>();
const lines = new Map<string, { imported: number; zoo: number; zooWithStd: number }>();
/** The specs that passed every check (the matrix printed at the end). */
const passed = new Set<string>();
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
  const failures: string[] = [];
  for (const spec of specs) {
    try {
      pairs.push(importOne(spec));
    } catch (e) {
      failures.push(`${spec}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const rows = pairs.length === 0 ? [] : run(['compare', ...pairs]).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { pair: string; maxDiff: number; scale: number; shapes: number[][][] });
  expect(rows).toHaveLength(pairs.length);
  for (const row of rows) {
    const spec = specs.find((s) => row.pair.includes(`/${s.replaceAll(':', '.')}.back.onnx`))!;
    const bound = 1e-5 * (relative ? Math.max(1, row.scale) : 1);
    if (JSON.stringify(row.shapes[0]) !== JSON.stringify(row.shapes[1])) failures.push(`${spec}: output shapes ${JSON.stringify(row.shapes)}`);
    else if (!(row.maxDiff <= bound)) failures.push(`${spec}: outputs differ by ${row.maxDiff} (bound ${bound})`);
    else passed.add(spec.includes(':') ? spec : `${spec}:torchscript:17`);
  }
  expect(failures).toEqual([]);
}

/** Imports one exported file, checks it, and writes archc's export of it; returns the pair to compare. */
function importOne(spec: string): string {
  const source = exported.get(spec);
  if (!source) throw new Error('not exported');
  // As `archc import` does: blocks that equal std blocks are written as calls of them.
  const result = importOnnx(readFileSync(source.file), { sourceName: `${spec.split(':')[0]}.onnx`, library: stdLibrary() });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  expect(result.params, spec).toBe(source.params);
  expect([...result.weights.keys()].filter((k) => k.startsWith('onnx::')), `${spec}: anonymous weight names`).toEqual([]);
  const compiled = compile('m.arch', memoryHost({ 'm.arch': result.text, ...stdLibrary() }));
  expect(compiled.diagnostics.map((d) => `${d.code} ${d.message}`), spec).toEqual([]);
  expect(compiled.report!.params.learnable, spec).toBe(source.params);
  const lowered = lowerToOnnx(compiled.graph!, result.weights, { producerVersion: 'test' });
  expect(lowered.diagnostics, spec).toEqual([]);
  const back = join(folder, `${spec.replaceAll(':', '.')}.back.onnx`);
  writeFileSync(back, Buffer.concat(encodeOnnx(lowered.model!)));
  const name = spec.split(':')[0]!;
  if (MODELS[name] && !spec.includes(':')) lines.set(name, { imported: result.text.split('\n').length - 1, ...zooLines(MODELS[name]!) });
  return `${source.file}=${back}`;
}

/** Specs by exporter and opset (`torchscript:11`), in order: the matrix's columns. */
function byOpset(specs: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const s of specs) {
    const column = s.split(':').slice(1).join(':') || 'torchscript:17';
    groups.set(column, [...(groups.get(column) ?? []), s]);
  }
  return [...groups];
}

/** The matrix as text: a row per model, a column per exporter and opset, ✓ passed, ✗ failed. */
function matrixText(specs: readonly string[]): string {
  const columns = byOpset(specs).map(([c]) => c);
  const models = [...new Set(specs.map((s) => s.split(':')[0]!))];
  const cell = (m: string, c: string) => (specs.includes(`${m}:${c}`) ? (passed.has(`${m}:${c}`) ? '✓' : '✗') : ' ');
  return [['model', ...columns].join(' | '), ...models.map((m) => [m, ...columns.map((c) => cell(m, c))].join(' | '))].join('\n');
}

describe.skipIf(typeof python === 'string')('archc import of torchvision models exported by torch.onnx.export', () => {
  const others = [...OPSETS, ...(hasOnnxscript ? DYNAMO_SPECS : [])];
  beforeAll(() => {
    const specs = [...Object.keys(MODELS), ...others];
    for (const line of run(['export', folder, ...specs]).split('\n').filter((l) => l.startsWith('{'))) {
      const row = JSON.parse(line) as { name: string; file: string; params: number };
      exported.set(row.name, row);
    }
  }, ALL ? 3_600_000 : 900_000);
  afterAll(() => {
    const rows = [...lines].map(([name, l]) => `| ${name} | ${l.imported} | ${l.zoo} | ${(l.imported / l.zoo).toFixed(2)} | ${l.zooWithStd} | ${(l.imported / l.zooWithStd).toFixed(2)} |`);
    console.log(['| model | imported lines | zoo file | ratio | zoo file + std blocks | ratio |', '|---|---|---|---|---|---|', ...rows].join('\n'));
    if (ALL) console.log(matrixText([...Object.keys(MODELS).map((m) => `${m}:torchscript:17`), ...others]));
    rmSync(folder, { recursive: true, force: true });
  });

  it('imports each model (TorchScript exporter, opset 17): compiles cleanly, PyTorch\'s parameter count, the same outputs in onnxruntime', () => {
    importAndCompare(Object.keys(MODELS), false);
    // Within 2x the zoo file's own lines.
    for (const [name, l] of lines) expect(l.imported, `${name}: imported lines vs the zoo file`).toBeLessThanOrEqual(2 * l.zoo);
  }, 400_000);

  // One test per exporter and opset; the dynamo exporter's outputs are compared relative to their
  // scale (see importAndCompare).
  for (const [column, specs] of byOpset(others)) {
    const dynamo = column.startsWith('dynamo');
    it.skipIf(dynamo && !hasOnnxscript)(`imports from the ${column.replace(':', ' exporter, opset ')} (${specs.map((s) => s.split(':')[0]).join(', ')})`, () => importAndCompare(specs, dynamo), 60_000 + 40_000 * specs.length);
  }
});
