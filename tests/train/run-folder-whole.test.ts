// Every command that loads a trained-model folder checks it against the list training.json keeps
// (runtime/persist/checkpoint-manifest.ts readPiece): the sizes of all its files, and the SHA-256 of
// each file it reads. A missing, truncated or foreign file (the same file of another run, which has
// the same size) is refused by name with exit 2 instead of predicting with a mixture. Real
// training on the wasm backend, in process.
import { copyFileSync, cpSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir, writeFile } from './fixtures.js';
import { archcInProcess as archc } from '../archc-in-process.js';

const root = tempDir('archc-run-folder-');
const data = join(root, 'shapes');
const arch = join(root, 'tiny.arch');
const image = join(data, 'test', 'circle', 'circle-000.png');
const [trained, other] = [join(root, 'trained'), join(root, 'other')];

const train = (out: string, seed: string, ...extra: string[]) =>
  archc('train', arch, '--data', join(data, 'train'), '-o', out, '--backend', 'wasm', '-b', '8', '--epochs', '1', '--seed', seed, ...extra);

/** Each command that opens a run folder, by the files it reads. */
const commands: Record<string, { reads: readonly string[]; run: (dir: string) => string[] }> = {
  predict: { reads: ['model.json', 'weights.bin'], run: (dir) => ['predict', dir, image, '--backend', 'wasm'] },
  'predict --engine onnxruntime': { reads: ['model.safetensors'], run: (dir) => ['predict', dir, image, '--engine', 'onnxruntime'] },
  eval: { reads: ['model.json', 'weights.bin'], run: (dir) => ['eval', dir, '--data', join(data, 'test'), '--backend', 'wasm'] },
  export: { reads: ['model.safetensors'], run: (dir) => ['export', dir, '-o', join(root, 'out.onnx')] },
  explain: { reads: ['model.safetensors'], run: (dir) => ['explain', dir, image, '-o', join(root, 'explained'), '--backend', 'wasm'] },
  features: { reads: ['model.safetensors'], run: (dir) => ['features', dir, image, '--layer', 'relu1', '-o', join(root, 'features.png'), '--backend', 'wasm'] },
  'train --weights': { reads: ['model.safetensors'], run: (dir) => ['train', arch, '--data', join(data, 'train'), '-o', join(root, 'fine'), '--force', '--epochs', '1', '--backend', 'wasm', '--weights', dir] },
};
const pieces = ['model.json', 'weights.bin', 'model.safetensors', 'optimizer.safetensors'];

/** A copy of the trained folder with one change. */
function broken(name: string, change: (dir: string) => void): string {
  const dir = join(root, `broken-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(trained, dir, { recursive: true });
  change(dir);
  return dir;
}

beforeAll(async () => {
  makeTinyDataset(data, { perClass: 4, testPerClass: 1, seed: 3 });
  writeFile(arch, `model tiny {\n  input image: [3, 12, 12]\n  output logits = image |> conv(2, 3) |> relu |> global_avgpool |> flatten |> dense(3)\n}\n`);
  expect((await train(trained, '1', '--optimizer', 'adam')).status).toBe(0);
  expect((await train(other, '2', '--optimizer', 'adam')).status).toBe(0);
}, 120_000);

describe('a trained folder is checked wherever it is loaded', () => {
  it.each(Object.keys(commands))('%s loads a whole folder', async (command) => {
    const r = await archc(...commands[command]!.run(trained));
    expect(r.err).not.toMatch(/not whole|internal error/);
    expect(r.status).toBe(0);
  });

  it.each(pieces)('every command refuses the folder by name when %s is missing or truncated', async (piece) => {
    const missing = broken(`${piece}-missing`, (dir) => rmSync(join(dir, piece)));
    const truncated = broken(`${piece}-truncated`, (dir) => truncateSync(join(dir, piece), 20));
    for (const [command, { run }] of Object.entries(commands)) {
      const r1 = await archc(...run(missing));
      expect([command, r1.status, r1.err]).toEqual([command, 2, expect.stringContaining(`(epoch 1) is not whole: ${piece} is missing`)]);
      const r2 = await archc(...run(truncated));
      expect([command, r2.status, r2.err]).toEqual([command, 2, expect.stringMatching(new RegExp(`is not whole: ${piece.replace('.', '\\.')} holds 20 bytes where training\\.json records [\\d,]+`))]);
      for (const r of [r1, r2]) expect(r.err).not.toMatch(/internal error|\n {4}at /);
    }
  }, 120_000);

  it('refuses a file of the same size from another run in the commands that read it', async () => {
    for (const [command, { reads, run }] of Object.entries(commands)) {
      for (const piece of reads) {
        if (piece === 'model.json') continue; // the same model's topology is the same file
        const foreign = broken(`${piece}-foreign`, (dir) => copyFileSync(join(other, piece), join(dir, piece)));
        const r = await archc(...run(foreign));
        expect([command, r.status, r.err]).toEqual([command, 2, expect.stringContaining(`is not whole: ${piece} is not the file training.json records (its SHA-256 differs)`)]);
      }
    }
  }, 120_000);
});
