// `archc import` writes a block it found as a call of archc's std library only where the std block
// makes exactly the same ops, arguments, wiring and weight names (import/std-calls.ts). Each model
// is archc's own export: zoo models whose blocks are std blocks come back as their calls, and a unit
// that differs from a std block in one number stays a block of the file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { lowerSizeGeneric } from '../../compiler/lower-onnx/dynamic.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { locate, nodeHost, stdLibrary } from '../../compiler/node-host.js';
import { initWeights } from '../../compiler/weights/init.js';
import { importOnnx } from '../../import/index.js';

/** The model exported with seeded weights, imported with and without the std library. */
function imports(model: string, image: number[]) {
  const inline = model.includes('{');
  const path = inline ? 'm.arch' : locate(model);
  const compiled = compile(path, inline ? memoryHost({ 'm.arch': model, ...stdLibrary() }) : nodeHost, { inputs: { image } });
  expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const weights = initWeights(compiled.graph!, { seed: 1 });
  const bytes = Buffer.concat(encodeOnnx(lowerToOnnx(compiled.graph!, weights, { producerVersion: 'test' }).model!));
  const run = (withStd: boolean) => {
    const result = importOnnx(bytes, { sourceName: 'm.onnx', inputShapes: { image }, ...(withStd ? { library: stdLibrary() } : {}) });
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    const again = compile('i.arch', memoryHost({ 'i.arch': result.text, ...stdLibrary() }));
    expect(again.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    return { text: result.text, weights: result.weights, graph: again.graph! };
  };
  return { bytes, weights, plain: run(false), std: run(true) };
}

/** Op, arguments, shape and inputs of every node, and every weight name: the function, as compared here. */
const fingerprint = (g: IrGraph) => g.nodes.map((n) => `${n.op} ${JSON.stringify(Object.entries(n.args).sort())} ${n.shape.join('x')} ${[...n.inputs].sort().join(',')}`);

describe('archc import: std blocks', () => {
  it('writes EfficientNet-B0 stages as mbconv_stage calls, with the same graph and weights as without', () => {
    const { weights, plain, std } = imports('efficientnet_b0', [3, 32, 32]);
    expect(std.text).toContain('use "std/mobilenet"');
    expect(std.text).toContain('x = x |> mbconv_stage(24, 6, 3, 2, 2, name="features.2") : [24, 8, 8]');
    expect(std.text).not.toMatch(/^block /m);
    expect(plain.text).toMatch(/^block stage\(/m);
    expect(std.text.split('\n').length).toBeLessThan(plain.text.split('\n').length / 2);
    expect(fingerprint(std.graph)).toEqual(fingerprint(plain.graph));
    expect([...std.weights.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [name, t] of std.weights) expect(t.data, name).toEqual(weights.get(name)!.data);
  });

  it('takes a width the import does not have as a parameter from the output (ShuffleNetV2: shuffle_stage(116, 4))', () => {
    const { std } = imports('shufflenet_v2_x1_0', [3, 64, 64]);
    expect(std.text).toContain('use "std/shufflenet"');
    expect(std.text).toContain('x = x |> shuffle_stage(116, 4, name="stage2")');
  });

  it('names a call one level up where the std block names the level itself, loops included (MobileNetV2)', () => {
    const { std } = imports('mobilenet_v2', [3, 32, 32]);
    expect(std.text).toContain('x = x |> inverted_residual(24, 6, stride=2, name="features.2")');
    expect(std.text).toMatch(/for i in 5\.\.7 \{\n\s+x = x \|> inverted_residual\(32, 6, name="features\." \+ str\(i\)\)/);
  });

  it('gets the batch-norm momentum back from archc\'s own export, so MnasNet\'s stages are mnasnet_stack calls', () => {
    const { std } = imports('mnasnet1_0', [3, 32, 32]);
    expect(std.text).toContain('x = x |> bn(momentum=0.0003, name="layers.1") |> relu');
    expect(std.text).toContain('x = x |> mnasnet_stack(40, 3, 2, 3, 5, name="layers.9")');
  });

  it('with size variables, the std calls make the same graph as the blocks at other sizes too', () => {
    const compiled = compile(locate('shufflenet_v2_x1_0'), nodeHost, { inputs: { image: [3, 64, 64] } });
    const weights = initWeights(compiled.graph!, { seed: 1 });
    const lowered = lowerSizeGeneric(compiled.graph!, weights, { producerVersion: 'test' }, { analysis: compiled.sizes!, compileAt: compiled.compileAt! });
    const bytes = Buffer.concat(encodeOnnx(lowered.model!));
    const [plain, std] = [undefined, stdLibrary()].map((library) => {
      const r = importOnnx(bytes, { sourceName: 'm.onnx', inputShapes: { image: [3, 64, 64] }, ...(library ? { library } : {}) });
      if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
      return r.text;
    });
    expect(std).toContain('input image: [3, H, W] = [3, 64, 64]');
    expect(std).toContain('shuffle_stage(232, 8, name="stage3")');
    for (const image of [[3, 64, 64], [3, 96, 160]]) {
      const [a, b] = [plain!, std!].map((text) => compile('i.arch', memoryHost({ 'i.arch': text, ...stdLibrary() }), { inputs: { image } }));
      expect(b.diagnostics, image.join('x')).toEqual([]);
      expect(fingerprint(b.graph!), image.join('x')).toEqual(fingerprint(a.graph!));
    }
  });

  it('keeps a unit that differs from the std block in one number as a block of the file', () => {
    // mbconv_stage's squeeze-and-excitation squeezes to a quarter of the input width; this one to an eighth.
    const model = `use "std/common"
model m {
  input image: [3, H, W] = [3, 32, 32]
  x = image |> conv(16, 3, stride=2, pad=1, bias=false, name="stem.0") |> bn(name="stem.1") |> silu
  x = x |> stage(24, 2, name="features.1")
  x = x |> stage(32, 2, name="features.2")
  output logits = x |> global_avgpool |> flatten |> dense(10, name="fc")
}
block unit(x, width) {
  y = x |> conv(x.channels * 6, 1, bias=false, name="block.0.0") |> bn(name="block.0.1") |> silu
  y = y |> conv(x.channels * 6, 3, pad=1, groups=x.channels * 6, bias=false, name="block.1.0") |> bn(name="block.1.1") |> silu
  s = y |> global_avgpool |> conv(x.channels / 8, 1, name="block.2.fc1") |> silu |> conv(x.channels * 6, 1, name="block.2.fc2") |> sigmoid
  return y * s |> conv(width, 1, bias=false, name="block.3.0") |> bn(name="block.3.1")
}
block stage(x, width, blocks) {
  for i in 0..blocks {
    x = x |> unit(width, name=str(i))
  }
  return x
}`;
    const { plain, std } = imports(model, [3, 32, 32]);
    expect(std.text).not.toContain('use "std/');
    expect(std.text).toBe(plain.text);
  });

  const folder = mkdtempSync(join(tmpdir(), 'archc-std-calls-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const cli = fileURLToPath(new URL('../../bin/archc.js', import.meta.url));
  const archc = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('the CLI writes std calls that `archc check` compiles; --no-std writes every block into the file', () => {
    const { bytes } = imports('shufflenet_v2_x1_0', [3, 64, 64]);
    writeFileSync(join(folder, 'shufflenet.onnx'), bytes);
    const [withStd, without] = [join(folder, 'std.arch'), join(folder, 'plain.arch')];
    expect(archc('import', join(folder, 'shufflenet.onnx'), '-o', withStd, '--input', 'image=3x64x64').status).toBe(0);
    expect(archc('import', join(folder, 'shufflenet.onnx'), '-o', without, '--input', 'image=3x64x64', '--no-std').status).toBe(0);
    expect(readFileSync(withStd, 'utf8')).toContain('x = x |> shuffle_stage(232, 8, name="stage3")');
    expect(readFileSync(without, 'utf8')).not.toContain('use "std/');
    expect(readFileSync(without, 'utf8')).toMatch(/^block stage\(/m);
    for (const file of [withStd, without]) {
      const check = archc('check', file);
      expect(check.status, check.stderr).toBe(0);
      expect(check.stderr).toBe('');
    }
  });
});
