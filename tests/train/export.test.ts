// The walkthrough's last step: a model trained by `archc train` (docs/examples/shapes.arch, with
// batch norm) exported to ONNX from its model.safetensors gives, in onnxruntime, the probabilities
// `archc predict` gives with TensorFlow.js; so does `archc predict --engine onnxruntime`, and
// `archc export <run-folder>` writes the trained model with its classes and normalization.
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { concatChunks, readSafetensors } from '../../compiler/weights/safetensors.js';
import { loadPixels } from '../../runtime/data/image.js';
import { main } from '../../tools/cli/main.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { nodeHost, packageRoot } from '../../compiler/node-host.js';
import { tempDir } from './fixtures.js';

const root = tempDir('archc-export-');
const arch = join(packageRoot, 'docs', 'examples', 'shapes.arch');
const images = ['circle/circle-000.png', 'square/square-000.png', 'triangle/triangle-000.png'];

async function quiet(argv: string[]): Promise<{ status: number; out: string }> {
  let out = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { status: await main(argv), out };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

beforeAll(async () => {
  makeTinyDataset(join(root, 'shapes'), { perClass: 8, testPerClass: 1, seed: 3 });
  const r = await quiet(['train', arch, '--data', join(root, 'shapes', 'train'), '-o', join(root, 'model'), '--epochs', '2', '-b', '8', '--backend', 'wasm']);
  if (r.status !== 0) throw new Error(`training failed:\n${r.out}`);
});

describe('train → export', () => {
  it('onnxruntime on the exported weights agrees with archc predict within 1e-4', async () => {
    const files = images.map((f) => join(root, 'shapes', 'test', f));
    const predicted = JSON.parse((await quiet(['predict', join(root, 'model'), ...files, '--json', '--backend', 'wasm'])).out) as { top: { class: string; probability: number }[] }[];

    const graph = compile(arch, nodeHost).graph!;
    const weights = readSafetensors(readFileSync(join(root, 'model', 'model.safetensors')));
    if (!weights.ok) throw new Error(weights.error);
    expect(weights.weights.has('bn1.running_mean')).toBe(true);
    const lowered = lowerToOnnx(graph, weights.weights, { producerVersion: 'test' });
    if (!lowered.model) throw new Error(lowered.diagnostics.map((d) => d.message).join('\n'));
    const session = await ort.InferenceSession.create(concatChunks(encodeOnnx(lowered.model)));

    for (const [i, file] of files.entries()) {
      const pixels = loadPixels(readFileSync(file), { channels: 3, height: 32, width: 32 });
      if (!pixels.ok) throw new Error(pixels.reason);
      // NHWC bytes → NCHW floats with the training normalization (symmetric: (x/255 - 0.5) / 0.5).
      const nchw = new Float32Array(3 * 32 * 32);
      pixels.pixels.data.forEach((v, k) => (nchw[(k % 3) * 1024 + Math.floor(k / 3)] = (v / 255 - 0.5) / 0.5));
      const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', nchw, [1, 3, 32, 32]) });
      const logits = [...(result[session.outputNames[0]!]!.data as Float32Array)];
      const max = Math.max(...logits);
      const exp = logits.map((z) => Math.exp(z - max));
      const probabilities = exp.map((e) => e / exp.reduce((a, b) => a + b, 0));
      const classes = ['circle', 'square', 'triangle'];
      for (const t of predicted[i]!.top) expect(Math.abs(probabilities[classes.indexOf(t.class)]! - t.probability)).toBeLessThan(1e-4);
    }
  });
});

describe('the onnxruntime engine and the run-folder export', () => {
  const files = images.map((f) => join(root, 'shapes', 'test', f));
  type Top = { file: string; top: { class: string; probability: number }[] }[];

  it('predict --engine onnxruntime gives what predict with TensorFlow.js gives', async () => {
    const tfjs = JSON.parse((await quiet(['predict', join(root, 'model'), ...files, '--json', '--backend', 'wasm'])).out) as Top;
    const r = await quiet(['predict', join(root, 'model'), ...files, '--json', '--engine', 'onnxruntime']);
    expect(r.status).toBe(0);
    const ortTop = JSON.parse(r.out) as Top;
    for (const [i, row] of tfjs.entries()) {
      expect(ortTop[i]!.top.map((t) => t.class)).toEqual(row.top.map((t) => t.class));
      row.top.forEach((t, k) => expect(Math.abs(ortTop[i]!.top[k]!.probability - t.probability)).toBeLessThan(1e-4));
    }
    const evaluated = await quiet(['eval', join(root, 'model'), '--data', join(root, 'shapes', 'test'), '--engine', 'onnxruntime', '--json']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.out).accuracy).toBeGreaterThanOrEqual(0);
  });

  it('export <run-folder> writes the trained weights with classes, input size and normalization', async () => {
    const out = join(root, 'shapes.onnx');
    expect((await quiet(['export', join(root, 'model'), '-o', out])).status).toBe(0);
    const bytes = readFileSync(out);
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta['classes']!)).toEqual(['circle', 'square', 'triangle']);
    expect(JSON.parse(meta['input_shape']!)).toEqual([3, 32, 32]);
    expect([JSON.parse(meta['normalize_mean']!), JSON.parse(meta['normalize_std']!)]).toEqual([[0.5], [0.5]]);
    const trained = readSafetensors(readFileSync(join(root, 'model', 'model.safetensors')));
    if (!trained.ok) throw new Error(trained.error);
    const lowered = lowerToOnnx(compile(arch, nodeHost).graph!, trained.weights, { producerVersion: 'test' });
    const initializers = (m: { graph?: { initializer?: { name?: string | null; rawData?: Uint8Array | null }[] | null } | null }) =>
      new Map((m.graph?.initializer ?? []).map((t) => [t.name, Buffer.from(t.rawData ?? []).toString('hex')]));
    expect(initializers(model)).toEqual(initializers(lowered.model!));
    const json = JSON.parse(readFileSync(join(root, 'model', 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.archc.preprocessing).toEqual({
      classes: ['circle', 'square', 'triangle'],
      input: { name: 'image', shape: [3, 32, 32] },
      normalize: { mean: [0.5], std: [0.5] },
      output: 'logits',
      task: 'classification',
    });
  });
});
