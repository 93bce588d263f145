// Pretrained end to end: torchvision's resnet18, mobilenet_v3_small, efficientnet_b0, vit_b_16 and
// swin_t with random weights and random batch-norm statistics, saved by PyTorch as safetensors
// exactly as a user's converted checkpoint would be (num_batches_tracked and Swin's int64
// relative_position_index buffers included), load into the zoo models
// by name, and archc's ONNX export (in onnxruntime) and its tfjs runtime (wasm) give PyTorch's
// outputs within 1e-4 of the output's largest magnitude. Reduced input sizes where the network
// allows (ViT-B/16's position embedding and Swin-T's window reshapes fix them at 224); batch 1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { nodeHost, packageRoot, zooModels } from '../../compiler/node-host.js';
import { declaredWeights } from '../../compiler/weights/tensor.js';
import { findPython } from '../../engines/torch/python.js';
import { pretrainedWeights } from '../../runtime/persist/pretrained.js';
import { setBackend } from '../../runtime/index.js';
import { build, difference, predictNchw, type Batch } from '../runtime/harness.js';

/** zoo name → [torchvision builder, input size]. */
const MODELS: Record<string, [string, number]> = {
  resnet18: ['resnet18', 64],
  mobilenet_v3_small: ['mobilenet_v3_small', 64],
  efficientnet_b0: ['efficientnet_b0', 64],
  vit_b_16: ['vit_b_16', 224],
  swin_t: ['swin_t', 224],
};
const TOLERANCE = 1e-4;

const dir = mkdtempSync(join(tmpdir(), 'archc-pretrained-'));
const floats = (file: string) => new Float32Array(new Uint8Array(readFileSync(join(dir, file))).buffer);

beforeAll(async () => {
  const python = findPython();
  if (typeof python === 'string') throw new Error(python);
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(MODELS));
  const r = spawnSync(python.python, ['pretrained_e2e.py', dir, join(dir, 'spec.json')], { cwd: join(packageRoot, 'tests', 'python'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pretrained_e2e.py failed: ${r.stderr}`);
  expect((await setBackend('wasm')).active).toBe('wasm');
}, 300_000);

function compileAt(name: string, size: number): IrGraph {
  const path = zooModels().find(([n]) => n === name)![1];
  const result = compile(path, nodeHost, size === 224 ? {} : { inputs: { image: [3, size, size] } });
  if (!result.graph || !result.ok) throw new Error(`${name} does not compile`);
  return result.graph;
}

describe('torchvision weights, loaded by name', () => {
  // Each case exports up to 350 MB of weights (ViT) twice over: minutes on a loaded 2-core machine.
  it.each(Object.entries(MODELS))('%s', async (name, [, size]) => {
    const graph = compileAt(name, size);
    const file = join(dir, `${name}.safetensors`);
    const input: Batch = { dims: [1, 3, size, size], data: floats(`${name}.input.bin`) };
    const torch: Batch = { dims: [1, 1000], data: floats(`${name}.output.bin`) };

    // Every tensor by name: none started afresh, none left over.
    const loaded = pretrainedWeights(graph, file, 0);
    if (!loaded.ok) throw new Error(loaded.problem.message + '\n' + (loaded.problem.notes ?? []).join('\n'));
    expect(loaded.fresh).toEqual([]);
    expect(loaded.loaded).toBe(declaredWeights(graph).length);

    // The ONNX export through the CLI, as a user runs it, in onnxruntime.
    const onnx = join(dir, `${name}.onnx`);
    const args = ['export', name, '--weights', file, '-o', onnx, ...(size === 224 ? [] : ['--input', `image=3x${size}x${size}`])];
    const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const session = await ort.InferenceSession.create(onnx);
    const result = await session.run({ image: new ort.Tensor('float32', input.data, input.dims) });
    await session.release();
    const fromOnnx = Object.values(result)[0]!;
    const viaOnnx = difference({ dims: [...fromOnnx.dims], data: fromOnnx.data as Float32Array }, torch);
    expect(viaOnnx.max / viaOnnx.scale).toBeLessThan(TOLERANCE);

    // The tfjs runtime on wasm with the same weights.
    const { model, metadata } = build(graph, loaded.weights);
    const out = await predictNchw(model, metadata, { image: input });
    model.dispose();
    const viaTfjs = difference(out['logits']!, torch);
    expect(viaTfjs.max / viaTfjs.scale).toBeLessThan(TOLERANCE);
  }, 600_000);
});
