// TensorFlow.js's own weight quantization (runtime/persist/tfjs-quantize.ts): `archc train
// --quantization-bytes` and `archc export --format tfjs --quantization-bytes` write weightsManifest
// entries with `quantization: { dtype, scale, min }` as tfjs-converter does, tf.loadLayersModel reads
// them back, and the model predicts within a tolerance of the float32 one.
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { packageRoot } from '../../compiler/node-host.js';
import { loadSavedModel } from '../../runtime/persist/checkpoint.js';
import { affine, quantizeWeightData } from '../../runtime/persist/tfjs-quantize.js';
import { main } from '../../tools/cli/main.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir } from '../train/fixtures.js';

const root = tempDir('archc-tfjs-quantize-');
const arch = join(packageRoot, 'docs', 'examples', 'shapes.arch');
const data = join(root, 'shapes');
const at = (name: string) => join(root, name);

async function cli(argv: string[]): Promise<{ status: number; err: string }> {
  let stderr = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { status: await main(argv), err: stderr };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

beforeAll(async () => {
  makeTinyDataset(data, { perClass: 6, testPerClass: 1, seed: 8 });
  const r = await cli(['train', arch, '--data', join(data, 'train'), '-o', at('run'), '--epochs', '2', '-b', '6', '--quantization-bytes', '1', '--backend', 'wasm']);
  if (r.status !== 0) throw new Error(`training failed:\n${r.err}`);
}, 180_000);

interface Manifest {
  weightsManifest: { weights: { name: string; dtype: string; quantization?: { dtype: string; scale: number; min: number } }[] }[];
}
const manifest = (dir: string) => (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Manifest).weightsManifest[0]!.weights;

/** The saved model's outputs on a fixed batch, read back with tf.loadLayersModel. */
async function outputs(dir: string): Promise<Float32Array> {
  const loaded = await loadSavedModel(dir);
  if (!loaded.ok) throw new Error(loaded.message);
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, k) => Math.sin(k * 0.21)), [2, 32, 32, 3]);
  const y = loaded.value.predict(x) as tf.Tensor;
  const values = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  loaded.value.dispose();
  return values;
}
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe('tfjs weight quantization', () => {
  it('matches tfjs-core decodeWeights: values come back within half a step, 0 exactly', () => {
    const w = Float32Array.of(-0.5, 0, 0.25, 1, 0.3333);
    const bytes = new Uint8Array(w.buffer);
    for (const n of [1, 2] as const) {
      const q = quantizeWeightData([{ name: 'w', shape: [5], dtype: 'float32' }, { name: 'i', shape: [1], dtype: 'int32' }], new Uint8Array([...bytes, 7, 0, 0, 0]), n);
      expect(q.data.length).toBe(5 * n + 4);
      const decoded = tf.io.decodeWeights(q.data.slice().buffer, q.specs);
      const back = decoded['w']!.dataSync();
      const step = q.specs[0]!.quantization!.scale!;
      expect(q.specs[0]!.quantization!.dtype).toBe(n === 1 ? 'uint8' : 'uint16');
      for (let i = 0; i < w.length; i++) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(step / 2 + 1e-7);
      expect(back[1]).toBe(0);
      expect([...decoded['i']!.dataSync()]).toEqual([7]); // int32 weights are stored as they are
    }
    expect(affine(Float32Array.of(2, 2), 255)).toEqual({ scale: 1, min: 2, quantized: new Uint16Array(2) });
  });

  it('train --quantization-bytes 1 writes a uint8 model.json that tf.loadLayersModel reads', async () => {
    const specs = manifest(at('run'));
    expect(specs.find((s) => s.name === 'conv1/kernel')!.quantization!.dtype).toBe('uint8');
    expect(statSync(join(at('run'), 'weights.bin')).size).toBeLessThan(0.26 * statSync(join(at('run'), 'model.safetensors')).size);
    // model.safetensors stays float32: export --format tfjs from it gives the float model to compare.
    expect((await cli(['export', at('run'), '--format', 'tfjs', '-o', at('float')])).status).toBe(0);
    expect(manifest(at('float')).every((s) => !s.quantization)).toBe(true);
    const float = await outputs(at('float'));
    expect(maxDiff(float, await outputs(at('run')))).toBeLessThan(0.05 * Math.max(...float.map(Math.abs)));
  });

  it('export --format tfjs --quantization-bytes 2 is within 1e-3 of float32', async () => {
    const r = await cli(['export', at('run'), '--format', 'tfjs', '--quantization-bytes', '2', '-o', at('u16')]);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toMatch(/weights quantized to uint16/);
    expect(manifest(at('u16')).filter((s) => s.quantization?.dtype === 'uint16').length).toBeGreaterThan(10);
    const float = await outputs(at('float'));
    expect(maxDiff(float, await outputs(at('u16')))).toBeLessThan(1e-3 * Math.max(...float.map(Math.abs)));
  });

  it('bad input: a wrong byte count, the flag without --format tfjs, a file where the folder goes', async () => {
    expect((await cli(['export', at('run'), '--format', 'tfjs', '--quantization-bytes', '3', '-o', at('x')])).status).toBe(2);
    const onnx = await cli(['export', at('run'), '--quantization-bytes', '1', '-o', at('x.onnx')]);
    expect(onnx.status).toBe(2);
    expect(onnx.err).toMatch(/goes with --format tfjs/);
    writeFileSync(at('file'), 'x');
    const file = await cli(['export', at('run'), '--format', 'tfjs', '-o', at('file')]);
    expect(file.status).toBe(2);
    expect(file.err).toMatch(/writes a folder .* is a file; nothing was written/);
    expect(existsSync(at('x')) || existsSync(at('x.onnx'))).toBe(false);
    expect((await cli(['train', arch, '--data', join(data, 'train'), '-o', at('t'), '--quantization-bytes', '4'])).status).toBe(2);
  });
});
