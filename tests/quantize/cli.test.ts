// `archc export --quantize int8 / --dtype float16` end to end on a model trained by `archc train`
// (docs/examples/shapes.arch, with batch norm): the files run in onnxruntime, are a fraction of the
// float32 size, predict what the float32 model predicts, and `archc eval` and `archc predict` read
// them (alone, and with --compare beside the run folder). Bad input gets one message, the right exit code and no file.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { onnx } from '../../compiler/lower-onnx/proto.js';
import { packageRoot } from '../../compiler/node-host.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir } from '../train/fixtures.js';
import { runOnce } from './harness.js';
import { archcInProcess } from '../archc-in-process.js';

const root = tempDir('archc-quantize-');
const arch = join(packageRoot, 'docs', 'examples', 'shapes.arch');
const model = join(root, 'model');
const data = join(root, 'shapes');
const out = (name: string) => join(root, name);

const cli = (argv: string[]) => archcInProcess(...argv);

beforeAll(async () => {
  // 3 × 12 training images (one corrupt file besides), 3 × 6 test images; 4 epochs: a model that
  // is right more often than chance, which is all the comparisons need.
  makeTinyDataset(data, { perClass: 12, testPerClass: 6, seed: 5 });
  const r = await cli(['train', arch, '--data', join(data, 'train'), '-o', model, '--epochs', '4', '-b', '8', '--lr', '0.01', '--backend', 'wasm']);
  if (r.status !== 0) throw new Error(`training failed:\n${r.out}${r.err}`);
  for (const f of ['float', 'int8', 'int8pc', 'f16']) expect(existsSync(out(`${f}.onnx`))).toBe(false);
  expect((await cli(['export', model, '-o', out('float.onnx')])).status).toBe(0);
}, 240_000);

interface Row {
  name: string;
  bytes: number;
  accuracy: number;
  correct: number;
}

async function compareJson(files: string[]): Promise<{ accuracy: number; comparison: Row[] }> {
  const r = await cli(['eval', model, '--data', join(data, 'test'), '--engine', 'onnxruntime', '--json', ...files.flatMap((f) => ['--compare', f])]);
  expect(r.status, r.err).toBe(0);
  return JSON.parse(r.out) as { accuracy: number; comparison: Row[] };
}

describe('export --quantize int8', () => {
  it('writes a QDQ model ≤ 0.3× the float32 size that predicts what the float32 model predicts', async () => {
    const r = await cli(['export', model, '--quantize', 'int8', '--calibrate', join(data, 'train'), '-o', out('int8.onnx')]);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toMatch(/skipped .*corrupt\.png: corrupt PNG/);
    expect(r.err).toMatch(/int8 QDQ: 4 conv\/dense layers, per-tensor .* over 36 calibration images, 1 skipped/);
    const m = onnx.ModelProto.decode(readFileSync(out('int8.onnx')));
    const ops = m.graph!.node!.map((n) => n.opType);
    // The image, the three convolutions' outputs, the two max-pool outputs that feed convolutions, and the flatten before fc.
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(7);
    expect(ops).not.toContain('BatchNormalization'); // folded into the convolutions
    expect(m.metadataProps!.find((p) => p.key === 'classes')!.value).toBe('["circle","square","triangle"]');
    expect(statSync(out('int8.onnx')).size).toBeLessThanOrEqual(0.3 * statSync(out('float.onnx')).size);

    const per = await cli(['export', model, '--quantize', 'int8', '--per-channel', '--activations', 'int8', '--calibration', 'percentile', '--calibrate', join(data, 'train'), '-o', out('int8pc.onnx')]);
    expect(per.status, per.err).toBe(0);
    expect(per.err).toMatch(/per-channel symmetric int8 weights, int8 activations \(percentile 99\.99/);
    const zero = onnx.ModelProto.decode(readFileSync(out('int8pc.onnx'))).graph!.initializer!.find((t) => t.name === 'image_zp')!;
    expect(zero.dataType).toBe(onnx.TensorProto.DataType.INT8);

    const result = await compareJson([out('float.onnx'), out('int8.onnx'), out('int8pc.onnx')]);
    const [folder, float, int8, int8pc] = result.comparison;
    expect(folder!.accuracy).toBe(result.accuracy);
    expect(float!.correct).toBe(folder!.correct); // the exported float32 file is the run folder's model
    expect(float!.bytes).toBe(folder!.bytes);
    expect(Math.abs(int8!.correct - float!.correct)).toBeLessThanOrEqual(1); // of 18 test images
    expect(Math.abs(int8pc!.correct - float!.correct)).toBeLessThanOrEqual(1);
  });

  it('eval reads the quantized file alone, with the preprocessing its metadata states', async () => {
    const r = await cli(['eval', out('int8.onnx'), '--data', join(data, 'test')]);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/engine: onnxruntime \(cpu\); int8 QDQ/);
    expect(r.out).toMatch(/18 images from .*\naccuracy \d\.\d{3} \(\d+ of 18\)/);
  });

  it('predict takes an exported file and ranks the classes as the run folder does', async () => {
    const images = ['circle', 'square', 'triangle'].map((c) => join(data, 'test', c, `${c}-000.png`));
    const top = async (source: string, ...flags: string[]) => {
      const r = await cli(['predict', source, ...images, '--json', ...flags]);
      expect(r.status, r.err).toBe(0);
      return (JSON.parse(r.out) as { file: string; top: { class: string; probability: number }[] }[]).map((p) => p.top);
    };
    const folder = await top(model, '--engine', 'onnxruntime');
    const float = await top(out('float.onnx'));
    for (const [i, row] of float.entries()) {
      expect(row.map((t) => t.class)).toEqual(folder[i]!.map((t) => t.class));
      row.forEach((t, j) => expect(t.probability).toBeCloseTo(folder[i]![j]!.probability, 5));
    }
    expect((await top(out('int8.onnx'))).map((row) => row[0]!.class)).toEqual(float.map((row) => row[0]!.class));
    const refused = await cli(['predict', out('float.onnx'), images[0]!, '--backend', 'wasm']);
    expect([refused.status, refused.err]).toEqual([2, expect.stringMatching(/--weights and --backend do not apply/)]);
  });

  it('--dtype float16 halves the file and changes the probabilities by less than 1e-3', async () => {
    const r = await cli(['export', model, '--dtype', 'float16', '-o', out('f16.onnx')]);
    expect(r.status, r.err).toBe(0);
    expect(statSync(out('f16.onnx')).size).toBeLessThan(0.55 * statSync(out('float.onnx')).size);
    const input = { data: Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, k) => Math.sin(k * 0.37)), dims: [2, 3, 32, 32] };
    const softmax = (z: Float32Array) => {
      const rows = [z.subarray(0, 3), z.subarray(3, 6)].map((r) => r.map((v) => Math.exp(v - Math.max(...r))));
      return rows.flatMap((r) => [...r].map((v) => v / r.reduce((a, b) => a + b, 0)));
    };
    const float = softmax(await runOnce(readFileSync(out('float.onnx')), input));
    const half = softmax(await runOnce(readFileSync(out('f16.onnx')), input));
    expect(Math.max(...float.map((p, i) => Math.abs(p - half[i]!)))).toBeLessThan(1e-3);
    const [, f32, f16] = (await compareJson([out('float.onnx'), out('f16.onnx')])).comparison;
    expect(f16!.correct).toBe(f32!.correct);
  });
});

describe('bad input: one message, exit 2 (usage, I/O) or 1 (the model), nothing written', () => {
  const refused = async (argv: string[], status: number, message: RegExp, file: string) => {
    const r = await cli([...argv, '-o', out(file)]);
    expect(r.status).toBe(status);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/    at /); // no stack trace
    expect(existsSync(out(file))).toBe(false);
    return r;
  };

  it('a calibration folder with no images', async () => {
    mkdirSync(out('empty'));
    writeFileSync(join(out('empty'), 'notes.txt'), 'not an image');
    await refused(['export', model, '--quantize', 'int8', '--calibrate', out('empty')], 2, /the calibration folder .*empty has no PNG or JPEG images/, 'a.onnx');
    await refused(['export', model, '--quantize', 'int8', '--calibrate', out('missing')], 2, /the calibration folder .*missing does not exist/, 'a.onnx');
  });

  it('a calibration folder whose images do not decode: each one named, then refused', async () => {
    mkdirSync(out('broken'));
    writeFileSync(join(out('broken'), 'a.png'), 'not a png');
    copyFileSync(join(data, 'train', 'circle', 'corrupt.png'), join(out('broken'), 'b.jpg'));
    const r = await refused(['export', model, '--quantize', 'int8', '--calibrate', out('broken')], 2, /none of the 2 images in the calibration folder .*broken could be read/, 'b.onnx');
    expect(r.err).toMatch(/skipped .*a\.png: /);
    expect(r.err).toMatch(/skipped .*b\.jpg: /);
  });

  it('--quantize with a format other than onnx, or without --calibrate; --calibrate without --quantize', async () => {
    await refused(['export', model, '--quantize', 'int8', '--calibrate', join(data, 'test'), '--format', 'safetensors'], 2, /--quantize writes an ONNX model; it does not apply to --format safetensors/, 'c.safetensors');
    await refused(['export', model, '--quantize', 'int8'], 2, /--quantize int8 needs --calibrate DIR/, 'c.onnx');
    await refused(['export', model, '--calibrate', join(data, 'test')], 2, /--calibrate sets up --quantize int8/, 'c.onnx');
    await refused(['export', model, '--quantize', 'int4', '--calibrate', join(data, 'test')], 2, /--quantize must be one of int8/, 'c.onnx');
    await refused(['export', model, '--quantize', 'int8', '--dtype', 'float16', '--calibrate', join(data, 'test')], 2, /choose one/, 'c.onnx');
  });

  it('a model with no convolution or dense layer', async () => {
    const file = out('pool.arch');
    writeFileSync(file, 'model pool_only {\n  input image: [3, 8, 8]\n  output y = image |> global_avgpool |> flatten\n}\n');
    await refused(['export', file, '--quantize', 'int8', '--calibrate', join(data, 'test')], 1, /pool_only: the model has no convolution or dense layer with constant weights/, 'd.onnx');
    // Said before the calibration images are looked at.
    await refused(['export', file, '--quantize', 'int8', '--calibrate', out('missing')], 1, /pool_only: the model has no convolution or dense layer/, 'd.onnx');
  });

  it('eval of an .onnx file that does not say how to feed it', async () => {
    expect((await cli(['export', arch, '-o', out('bare.onnx')])).status).toBe(0);
    const r = await cli(['eval', out('bare.onnx'), '--data', join(data, 'test')]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/bare\.onnx does not say how to feed it .*\n  hint: export it from a run folder/);
    const p = await cli(['predict', out('bare.onnx'), join(data, 'test', 'circle', 'circle-000.png')]);
    expect(p.status).toBe(1);
    expect(p.err).toMatch(/bare\.onnx does not say how to feed it/);
    const c = await cli(['eval', model, '--data', join(data, 'test'), '--compare', out('nothing.onnx')]);
    expect(c.status).toBe(2);
    expect(c.err).toMatch(/cannot read .*nothing\.onnx/);
  });
});
