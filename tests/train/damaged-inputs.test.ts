// Training inputs and run folders that are damaged or odd get one clear message and exit 1 or 2,
// never a stack trace: a class folder or image whose name is not valid UTF-8, --backend webgpu where
// TensorFlow.js cannot read results back (Node), a model.json whose parts are not what TensorFlow.js
// reads, a training.json whose normalization would divide by zero. Real training on wasm, in process.
import { cpSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir, writeFile } from './fixtures.js';
import { archcInProcess } from '../archc-in-process.js';
import { digestOf } from '../../runtime/persist/checkpoint-manifest.js';

const root = tempDir('archc-damaged-');
const data = join(root, 'shapes');
const arch = join(root, 'tiny.arch');
const run = join(root, 'run');
let image = '';

const archc = archcInProcess;
afterEach(() => vi.restoreAllMocks());

const train = (dataDir: string, out: string, ...extra: string[]) =>
  archc('train', arch, '--data', dataDir, '-o', out, '--backend', 'wasm', '-b', '8', '--epochs', '1', ...extra);
const noTrace = (r: { err: string }) => expect(r.err).not.toMatch(/internal error|\n {4}at /);

/**
 * A copy of the trained folder with `file`'s JSON changed by `edit`, recorded in training.json's
 * list of files as if it had been saved so (otherwise the changed size alone refuses it, and what
 * is checked here is what the file says).
 */
function damaged(name: string, file: string, edit: (json: Record<string, unknown>) => unknown): string {
  const dir = join(root, name);
  cpSync(run, dir, { recursive: true });
  const text = JSON.stringify(edit(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
  writeFileSync(join(dir, file), text);
  if (file !== 'training.json') {
    const info = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8'));
    info.checkpoint[file] = digestOf(text);
    writeFileSync(join(dir, 'training.json'), JSON.stringify(info));
  }
  return dir;
}

beforeAll(async () => {
  makeTinyDataset(data, { perClass: 4, testPerClass: 1, seed: 5 });
  writeFile(arch, `model tiny {\n  input image: [3, 12, 12]\n  output logits = image |> conv(2, 3) |> relu |> global_avgpool |> flatten |> dense(3)\n}\n`);
  expect((await train(join(data, 'train'), run)).status).toBe(0);
  const circles = join(data, 'test', 'circle');
  image = join(circles, readdirSync(circles)[0]!);
}, 120_000);

describe('damaged training inputs and run folders', () => {
  it('names a class folder whose name is not valid UTF-8, escaped', async () => {
    const dir = join(root, 'misnamed');
    cpSync(join(data, 'train'), dir, { recursive: true });
    renameSync(Buffer.from(join(dir, 'circle')), Buffer.concat([Buffer.from(join(dir, 'circ')), Buffer.from([0xff]), Buffer.from('le')]));
    const r = await train(dir, join(root, 'out-misnamed'));
    expect(r.status).toBe(1);
    expect(r.err).toContain('the class folder circ\\xffle in');
    expect(r.err).toContain('is not valid UTF-8');
    noTrace(r);
  });

  it('skips an image whose name is not valid UTF-8 and trains on the rest', async () => {
    const dir = join(root, 'misnamed-image');
    cpSync(join(data, 'train'), dir, { recursive: true });
    const square = join(dir, 'square');
    const first = join(square, readdirSync(square)[0]!);
    writeFileSync(Buffer.concat([Buffer.from(join(square, 'x')), Buffer.from([0xfe]), Buffer.from('.png')]), readFileSync(first));
    const r = await train(dir, join(root, 'out-misnamed-image'));
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/\d+ unreadable skipped/);
    noTrace(r);
  });

  it('refuses --backend webgpu where TensorFlow.js cannot read results back, or reports its fallback', async () => {
    const r = await archc('train', arch, '--data', join(data, 'train'), '-o', join(root, 'out-webgpu'), '--backend', 'webgpu', '--epochs', '1');
    if (r.status === 2) expect(r.err).toMatch(/^archc train: the webgpu backend does not run archc in Node: .*OffscreenCanvas.*; use --backend wasm/);
    else expect(r.out).toMatch(/backend: \w+ \(fell back from webgpu/); // no adapter here: never started
    noTrace(r);
  }, 60_000);

  it('refuses a model.json whose modelTopology or weightsManifest is not what TensorFlow.js reads', async () => {
    for (const [name, edit, message] of [
      ['topology-string', (j: Record<string, unknown>) => ({ ...j, modelTopology: 'x' }), 'modelTopology is a string, not an object'],
      ['topology-null', (j: Record<string, unknown>) => ({ ...j, modelTopology: null }), 'modelTopology is null'],
      ['manifest-number', (j: Record<string, unknown>) => ({ ...j, weightsManifest: 5 }), 'weightsManifest is a number'],
      ['manifest-escapes', (j: Record<string, unknown>) => ({ ...j, weightsManifest: [{ paths: ['../../x.bin'], weights: [] }] }), 'paths are not file names beside model.json'],
      ['not-object', () => [], 'it is not a JSON object'],
    ] as const) {
      const r = await archc('predict', damaged(name, 'model.json', edit), image, '--backend', 'wasm');
      expect(r.status, name).toBe(2);
      expect(r.err, name).toContain(message);
      noTrace(r);
    }
  });

  it('refuses a training.json whose std is zero or whose parts are missing, instead of printing NaN%', async () => {
    for (const [name, edit, message] of [
      ['std-zero', (j: Record<string, unknown>) => ({ ...j, normalize: { mean: [0.5], std: [0] } }), "normalize's std is [0]"],
      ['no-normalize', (j: Record<string, unknown>) => ({ ...j, normalize: null }), 'normalize is not a mean and std per channel'],
      ['classes-number', (j: Record<string, unknown>) => ({ ...j, classes: 5 }), 'classes is not a list of class names'],
      ['input-null', (j: Record<string, unknown>) => ({ ...j, input: null }), 'input is not an input name with its shape'],
    ] as const) {
      const dir = damaged(name, 'training.json', edit);
      for (const argv of [['predict', dir, image], ['eval', dir, '--data', join(data, 'test')]]) {
        const r = await archc(...argv, '--backend', 'wasm');
        expect(r.status, `${argv[0]} ${name}`).toBe(2);
        expect(r.err).toContain(message);
        expect(r.out).not.toContain('NaN');
        noTrace(r);
      }
    }
  });
});
