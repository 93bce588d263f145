// The generated PyTorch module beyond the zoo-wide check (pytorch-zoo-suite.ts): it works under
// torch.compile and torch.onnx.export, it loads torchvision's own resnet18 state dict by name and
// gives torchvision's outputs, and `archc export --format pytorch` writes it (atomically, refusing
// weights that do not fit) so that `python model.py weights.safetensors` runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { lowerPytorch } from '../../compiler/lower-pytorch/lower.js';
import { locate, nodeHost, packageRoot } from '../../compiler/node-host.js';
import { findPython } from '../../engines/torch/python.js';
import { prepare, TorchWorker } from './pytorch-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-pytorch-module-'));
const worker = new TorchWorker();
afterAll(() => {
  worker.close();
  rmSync(dir, { recursive: true, force: true });
});

const archc = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { encoding: 'utf8', cwd: dir });

describe('the generated module', () => {
  it('gives the same outputs under torch.compile (one graph, no break) and through torch.onnx.export', async () => {
    const path = locate('lenet5');
    const graph = compile(path, nodeHost).graph!;
    const prepared = prepare('lenet5', path, graph, dir);
    const answer = await worker.check({ ...prepared.request, compile: true, onnx_export: join(dir, 'lenet5-torch.onnx') });
    expect(answer.error, answer.trace).toBeUndefined();
    for (const d of [...answer.differences, ...answer.compile_differences!, ...answer.onnx_export_differences!]) expect(d).toBeLessThanOrEqual(1e-5);
  }, 300_000);

  it('computes the ops the zoo does not use as onnxruntime does (gather, roll, group/instance norm, TF-style same, constants, masks, where, max_unpool)', async () => {
    // Asymmetric "same" padding of a strided conv and an average pool, a transposed conv with
    // "same", reflect and edge padding, an even LRN window, tensor-scalar arithmetic, a constant.
    const text = `model ops_tour {
  input x: [8, 12, 12]
  a = x |> gather([3, 1, 1, 7], axis=0) |> roll(2, axis=2) |> group_norm(2) |> maxpool(2)
  b = x |> conv(4, 3, stride=2, pad="same") |> avgpool(3, stride=2, pad="same") |> upsample(2, mode="bilinear")
  c = x |> instance_norm(affine=true) |> conv_transpose(4, 3, stride=2, pad="same") |> maxpool(4)
  d = x |> pad([1, 2, 0, 1], mode="reflect") |> pad(1, mode="edge") |> lrn(4) |> avgpool(2, stride=2)
  e = (a + b) * 0.5 - c / 2
  f = e + full([4, 6, 6], 0.25)
  g = where(f > 0, f, f * 0.1) + (0.5 >= f) + (f != (f |> sum(axis=0))) * (f |> mean(axis=[1, 2])) + (f |> max(axis=0))
  s = g |> slice(0, 5, axis=1)
  h = s |> maxpool(2) |> sigmoid |> max_unpool(s, 2) |> pad([0, 1, 0, 0])
  output y = concat(g, d |> conv(4, 1) |> adaptive_avgpool(6), h) |> flatten |> dense(5)
}
`;
    const path = join(dir, 'ops_tour.arch');
    writeFileSync(path, text);
    const graph = compile(path, nodeHost).graph!;
    const prepared = prepare('ops_tour', path, graph, dir);
    const answer = await worker.check(prepared.request);
    expect(answer.error, answer.trace).toBeUndefined();
    expect(answer.params).toBe(prepared.learnable);
    expect(answer.differences[0]).toBeLessThanOrEqual(1e-5);
  }, 120_000);

  it("loads torchvision's resnet18 state dict (strict) and gives torchvision's outputs", async () => {
    const path = locate('resnet18');
    const graph = compile(path, nodeHost, { inputs: { image: [3, 64, 64] } }).graph!;
    const lowered = lowerPytorch(graph);
    const module = join(dir, 'resnet18.py');
    writeFileSync(module, lowered.code!);
    const request = { name: 'resnet18', module, class_name: lowered.className, weights: join(dir, 'tv.safetensors'), inputs: [['image', [3, 64, 64]]], torchvision: 'resnet18' };
    const answer = await worker.check(request);
    expect(answer.error, answer.trace).toBeUndefined();
    expect(answer.shapes).toEqual([[2, 1000]]);
    expect(answer.differences[0]).toBeLessThanOrEqual(1e-5);
  }, 300_000);

  it.each(['swin_t', 'maxvit_t'])("loads torchvision's %s state dict (strict, relative_position_index included) and gives torchvision's outputs", async (name) => {
    // Their 7×7 windows over four stages need sizes that are multiples of 224: the one size tested.
    const path = locate(name);
    const graph = compile(path, nodeHost).graph!;
    const lowered = lowerPytorch(graph);
    const module = join(dir, `${name}.py`);
    writeFileSync(module, lowered.code!);
    const request = { name, module, class_name: lowered.className, weights: join(dir, `tv-${name}.safetensors`), inputs: [['image', [3, 224, 224]]], torchvision: name };
    const answer = await worker.check(request);
    expect(answer.error, answer.trace).toBeUndefined();
    expect(answer.shapes).toEqual([[2, 1000]]);
    expect(answer.differences[0]).toBeLessThanOrEqual(1e-5);
  }, 300_000);
});

describe('archc export --format pytorch', () => {
  it('writes a module that python runs with the exported weights', () => {
    expect(archc('export', 'lenet5', '--format', 'safetensors', '-o', 'w.safetensors').status).toBe(0);
    const r = archc('export', 'lenet5', '--format', 'pytorch', '--weights', 'w.safetensors', '-o', 'lenet.py');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote lenet.py');
    const code = readFileSync(join(dir, 'lenet.py'), 'utf8');
    expect(code).toMatch(/^# lenet5: a PyTorch module generated by archc .* from zoo\/lenet\/lenet5\.arch\./);
    expect(code).toContain("load_safetensors('w.safetensors')");
    expect(code).toContain('def __init__(self, classes=10):');
    expect(code).not.toMatch(/^(import|from) (?!json|sys|torch)/m);
    const found = findPython();
    if (typeof found === 'string') throw new Error(found);
    const run = spawnSync(found.python, ['lenet.py', 'w.safetensors'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('(2, 10)');
  }, 120_000);

  it('refuses weights of another model and writes nothing', () => {
    expect(archc('export', 'resnet18', '--format', 'safetensors', '-o', 'r.safetensors').status).toBe(0);
    const before = readdirSync(dir);
    const r = archc('export', 'lenet5', '--format', 'pytorch', '--weights', 'r.safetensors', '-o', 'wrong.py');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing was written');
    expect(existsSync(join(dir, 'wrong.py'))).toBe(false);
    expect(readdirSync(dir)).toEqual(before);
  }, 60_000);
});
