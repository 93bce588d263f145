// archc import on small hand-built ONNX files: a clean import, the bad files (random bytes,
// truncated, missing external data, a cycle, an input nothing produces), unsupported ops (one error
// per type with counts, or the supported prefix with --allow-partial), and the CLI writing nothing
// when it refuses.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { onnx, type NodeProto } from '../../compiler/lower-onnx/proto.js';
import { importOnnx } from '../../import/index.js';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const weight = (name: string, dims: number[]) => ({ name, dims, dataType: FLOAT, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)) });
const io = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});

function model(nodes: NodeProto[], extra: { initializer?: object[]; output?: string; input?: (number | string)[] } = {}): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'hand',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      node: nodes,
      initializer: extra.initializer ?? [weight('conv1.weight', [4, 3, 3, 3]), weight('conv1.bias', [4])],
      input: [io('image', extra.input ?? ['N', 3, 8, 8])],
      output: [io(extra.output ?? 'out', ['N', 4, 8, 8])],
    },
  }).finish();
}

const conv: NodeProto = { name: 'c', opType: 'Conv', input: ['image', 'conv1.weight', 'conv1.bias'], output: ['h'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] };
const relu: NodeProto = { name: 'r', opType: 'Relu', input: ['h'], output: ['out'] };
const run = (bytes: Uint8Array, allowPartial = false) => importOnnx(bytes, { sourceName: 'tiny.onnx', allowPartial });
const problems = (r: ReturnType<typeof run>) => (r.ok ? [] : r.problems.map((p) => p.message));

describe('archc import on hand-built files', () => {
  it('imports a conv and a relu: compiles, names the conv after its weights, keeps the weights', () => {
    const r = run(model([conv, relu]));
    if (!r.ok) throw new Error(problems(r).join('\n'));
    expect(r.text).toContain('conv(4, 3, pad=1, name="conv1")');
    expect(r.text).toContain('expect params == 112');
    expect(r.text).toContain('// Producer: hand; ONNX IR version 8, opset 17.');
    const compiled = compile('t.arch', memoryHost({ 't.arch': r.text }));
    expect(compiled.diagnostics).toEqual([]);
    expect([...r.weights.keys()]).toEqual(['conv1.weight', 'conv1.bias']);
    expect(r.weights.get('conv1.bias')!.data[1]).toBeCloseTo(Math.sin(1), 6);
  });

  it('refuses random bytes and a truncated file with one message each', () => {
    const random = Uint8Array.from({ length: 200 }, (_, i) => (i * 7919 + 13) % 256);
    const r1 = run(random);
    expect(r1.ok).toBe(false);
    expect(!r1.ok && r1.badFile).toBe(true);
    const full = model([conv, relu]);
    const r2 = run(full.subarray(0, full.length - 40));
    expect(!r2.ok && r2.badFile).toBe(true);
    expect(problems(r2)).toHaveLength(1);
  });

  it('refuses a cycle, a missing input and missing external data', () => {
    const a: NodeProto = { name: 'a', opType: 'Relu', input: ['b_out'], output: ['a_out'] };
    const b: NodeProto = { name: 'b', opType: 'Add', input: ['a_out', 'image'], output: ['b_out'] };
    const c: NodeProto = { name: 'c2', opType: 'Relu', input: ['a_out'], output: ['out'] };
    expect(problems(run(model([a, b, c])))[0]).toMatch(/cycle/);
    expect(problems(run(model([{ ...relu, input: ['nowhere'] }])))[0]).toMatch(/reads 'nowhere', which no node, input or initializer produces/);
    const external = { name: 'conv1.weight', dims: [4, 3, 3, 3], dataType: FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] };
    const r = run(model([conv, relu], { initializer: [external, weight('conv1.bias', [4])] }));
    expect(problems(r)[0]).toMatch(/keeps its data in 'w.bin', which cannot be read/);
    expect(!r.ok && r.badFile).toBe(true);
  });

  it('refuses a tensor with two writers, and input dims that are negative or past 2^31 - 1', () => {
    const twice = problems(run(model([conv, { ...relu, output: ['h'] }, { ...relu, name: 'r2' }])));
    expect(twice).toEqual([expect.stringMatching(/tensor 'h' is written by two nodes, 'c' \(Conv\) and 'r' \(Relu\)/)]);
    expect(problems(run(model([conv, { ...relu, output: ['image'] }])))[0]).toMatch(/node 'r' \(Relu\) writes 'image', which is already a graph input/);
    const negative = run(model([conv, relu], { input: ['N', 3, -8, 8] }));
    expect(problems(negative)).toEqual([expect.stringMatching(/input 'image' declares a negative dimension \(\[N, 3, -8, 8\]\)/)]);
    expect(!negative.ok && negative.badFile).toBe(true);
    const huge = problems(run(model([conv, relu], { input: ['N', 3, 2 ** 40, 8] })));
    expect(huge).toEqual([expect.stringMatching(/declares a dimension of 1099511627776 .*archc takes sizes up to 2,147,483,647/)]);
  });

  it('lists every unsupported op type with its count; --allow-partial writes the prefix', () => {
    const nodes: NodeProto[] = [
      conv,
      { name: 'e1', opType: 'Erfc', input: ['h'], output: ['e1'] },
      { name: 'e2', opType: 'Erfc', input: ['e1'], output: ['e2'] },
      { name: 'q', opType: 'Quux', input: ['e2'], output: ['out'] },
    ];
    const r = run(model(nodes));
    expect(problems(r)).toEqual([
      "ONNX op Erfc is not supported by archc: 2 nodes, the first 'e1'",
      "ONNX op Quux is not supported by archc: 1 node, the first 'q'",
    ]);
    const partial = run(model(nodes), true);
    if (!partial.ok) throw new Error(problems(partial).join('\n'));
    expect(partial.partial).toMatch(/stops at node 'e1' \(Erfc\)/);
    expect(partial.text).toMatch(/\/\/ the import stops at node 'e1'/);
    expect(partial.text).toContain('output features = image |> conv(4, 3, pad=1, name="conv1")');
  });

  const folder = mkdtempSync(join(tmpdir(), 'archc-import-cli-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const cli = fileURLToPath(new URL('../../bin/archc.js', import.meta.url));

  it('symbolic input dims become size variables, imported at the size given', () => {
    const bytes = model([conv, relu], { input: ['batch', 3, 'height', 'width'] });
    expect(problems(run(bytes))[0]).toMatch(/symbolic dims \[batch, 3, height, width\]; give the size to import it at with --input image=3x224x224/);
    const r = importOnnx(bytes, { sourceName: 'tiny.onnx', inputShapes: { image: [3, 16, 12] } });
    if (!r.ok) throw new Error(problems(r).join('\n'));
    expect(r.text).toContain('input image: [3, height, width] = [3, 16, 12]');
    const compiled = compile('t.arch', memoryHost({ 't.arch': r.text }), { inputs: { image: [3, 20, 20] } });
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.report!.outputs[0]!.shape).toEqual(['N', 4, 20, 20]);
  });

  it('the CLI writes both files, and nothing (exit 2) for a bad file', () => {
    writeFileSync(join(folder, 'tiny.onnx'), model([conv, relu]));
    execFileSync(process.execPath, [cli, 'import', join(folder, 'tiny.onnx'), '-o', join(folder, 'tiny.arch'), '--weights-out', join(folder, 'tiny.safetensors')], { stdio: 'pipe' });
    expect(existsSync(join(folder, 'tiny.arch')) && existsSync(join(folder, 'tiny.safetensors'))).toBe(true);
    writeFileSync(join(folder, 'bad.onnx'), 'this is not a model at all, just some text');
    const bad = spawnSync(process.execPath, [cli, 'import', join(folder, 'bad.onnx'), '-o', join(folder, 'bad.arch'), '--weights-out', join(folder, 'bad.safetensors')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.onnx: error: not/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(existsSync(join(folder, 'bad.arch')) || existsSync(join(folder, 'bad.safetensors'))).toBe(false);
  });
});

describe('archc import folds standard lowerings back into one op', () => {
  const scalar = (name: string, v: number) => ({ name, dims: [], dataType: FLOAT, floatData: [v] });
  const ints = (name: string, v: number[]) => ({ name, dims: [v.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: v });
  const body = (r: ReturnType<typeof run>) => {
    if (!r.ok) throw new Error(problems(r).join('\n'));
    expect(compile('t.arch', memoryHost({ 't.arch': r.text })).diagnostics).toEqual([]);
    return r.text.replace(/\s*\n\s*\|>/g, ' |>');
  };

  it('Pad + Conv → conv with the pads; x·Sigmoid(x) → silu', () => {
    const nodes: NodeProto[] = [
      { name: 'p', opType: 'Pad', input: ['image', 'pads'], output: ['padded'] },
      { ...conv, input: ['padded', 'conv1.weight', 'conv1.bias'], attribute: [{ name: 'pads', type: 7, ints: [0, 0, 1, 1] }] },
      { name: 's', opType: 'Sigmoid', input: ['h'], output: ['g'] },
      { name: 'm', opType: 'Mul', input: ['h', 'g'], output: ['out'] },
    ];
    const initializer = [weight('conv1.weight', [4, 3, 3, 3]), weight('conv1.bias', [4]), ints('pads', [0, 0, 2, 1, 0, 0, 0, 0])];
    const text = body(run(model(nodes, { initializer })));
    expect(text).toContain('output out = image |> conv(4, 3, pad=[2, 1, 1, 1], name="conv1") |> silu');
  });

  it("GELU's erf form → gelu; Clip(0, 6) → relu6", () => {
    const nodes: NodeProto[] = [
      { name: 'd', opType: 'Div', input: ['image', 'sqrt2'], output: ['d'] },
      { name: 'e', opType: 'Erf', input: ['d'], output: ['e'] },
      { name: 'a', opType: 'Add', input: ['e', 'one'], output: ['a'] },
      { name: 'm', opType: 'Mul', input: ['image', 'a'], output: ['m'] },
      { name: 'h', opType: 'Mul', input: ['m', 'half'], output: ['g'] },
      { name: 'c', opType: 'Clip', input: ['g', 'zero', 'six'], output: ['c'] },
      { name: 'r', opType: 'Conv', input: ['c', 'conv1.weight'], output: ['out'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
    ];
    const initializer = [scalar('sqrt2', Math.SQRT2), scalar('one', 1), scalar('half', 0.5), scalar('zero', 0), scalar('six', 6), weight('conv1.weight', [4, 3, 3, 3])];
    const text = body(run(model(nodes, { initializer })));
    expect(text).toContain('output out = image |> gelu |> relu6 |> conv(4, 3, pad=1, bias=false, name="conv1")');
  });
});
