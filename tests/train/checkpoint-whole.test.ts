// A checkpoint is one unit: training.json, written last, records the size and SHA-256 of every file
// of its checkpoint, and --resume refuses a folder where any of them is missing, truncated or from
// another checkpoint (as a run killed while saving leaves it), naming the file, instead of silently
// restarting the optimizer or mixing two epochs. Real training on the wasm backend, in process.
import { copyFileSync, cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir, writeFile } from './fixtures.js';
import { archcInProcess } from '../archc-in-process.js';

const root = tempDir('archc-checkpoint-');
const data = join(root, 'shapes');
const arch = join(root, 'tiny.arch');
const first = join(root, 'epoch1');
const second = join(root, 'epoch2');

const archc = archcInProcess;
afterEach(() => vi.restoreAllMocks());

const train = (out: string, ...extra: string[]) =>
  archc('train', arch, '--data', join(data, 'train'), '-o', out, '--backend', 'wasm', '-b', '8', '--optimizer', 'adam', ...extra);

/** A copy of the epoch-2 folder with one change; resuming it must fail, naming the file. */
async function resumeBroken(name: string, change: (dir: string) => void) {
  const dir = join(root, `broken-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(second, dir, { recursive: true });
  change(dir);
  const before = readFileSync(join(dir, 'training.json'), 'utf8');
  const r = await train(dir, '--resume', dir, '--epochs', '3');
  expect(readFileSync(join(dir, 'training.json'), 'utf8')).toBe(before); // nothing trained, nothing written
  return r;
}

beforeAll(async () => {
  makeTinyDataset(data, { perClass: 4, testPerClass: 1, seed: 3 });
  writeFile(arch, `model tiny {\n  input image: [3, 12, 12]\n  output logits = image |> conv(2, 3) |> relu |> global_avgpool |> flatten |> dense(3)\n}\n`);
  expect((await train(first, '--epochs', '1')).status).toBe(0);
  cpSync(first, second, { recursive: true });
  expect((await train(second, '--resume', second, '--epochs', '2')).status).toBe(0);
}, 120_000);

describe('a checkpoint is one unit', () => {
  it('records every file of the checkpoint in training.json, and resumes a whole one', async () => {
    const info = JSON.parse(readFileSync(join(second, 'training.json'), 'utf8'));
    expect(Object.keys(info.checkpoint).sort()).toEqual(['model.json', 'model.safetensors', 'optimizer.safetensors', 'weights.bin']);
    expect(info.checkpoint['model.safetensors'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const whole = join(root, 'whole');
    cpSync(second, whole, { recursive: true });
    const r = await train(whole, '--resume', whole, '--epochs', '3');
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(['model.json', 'weights.bin', 'model.safetensors', 'optimizer.safetensors'])('refuses to resume when %s is missing, truncated or from another checkpoint', async (name) => {
    const missing = await resumeBroken(`${name}-missing`, (dir) => rmSync(join(dir, name)));
    expect(missing.status).not.toBe(0);
    expect(missing.err).toContain(`is not whole: ${name} is missing`);
    const truncated = await resumeBroken(`${name}-truncated`, (dir) => truncateSync(join(dir, name), 20));
    expect(truncated.err).toMatch(new RegExp(`is not whole: ${name.replace('.', '\\.')} holds 20 bytes where training.json records [\\d,]+`));
    for (const r of [missing, truncated]) expect(r.err).not.toMatch(/internal error|\n {4}at /);
    // The same file of the epoch before (a save interrupted after it); model.json does not change.
    if (readFileSync(join(first, name)).equals(readFileSync(join(second, name)))) return;
    const stale = await resumeBroken(`${name}-stale`, (dir) => copyFileSync(join(first, name), join(dir, name)));
    expect(stale.status).not.toBe(0);
    expect(stale.err).toMatch(new RegExp(`${name.replace('.', '\\.')} (is not the file training.json records|holds)`));
  });

  it('checks a folder written before the manifest by the optimizer step', async () => {
    const stale = await resumeBroken('old-stale', (dir) => {
      const info = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8'));
      delete info.checkpoint;
      writeFileSync(join(dir, 'training.json'), JSON.stringify(info));
      copyFileSync(join(first, 'optimizer.safetensors'), join(dir, 'optimizer.safetensors'));
    });
    expect(stale.err).toMatch(/optimizer\.safetensors is from optimizer step \d+, training\.json from step \d+/);
    const truncated = await resumeBroken('old-truncated', (dir) => {
      const info = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8'));
      delete info.checkpoint;
      writeFileSync(join(dir, 'training.json'), JSON.stringify(info));
      truncateSync(join(dir, 'optimizer.safetensors'), 20);
    });
    expect(truncated.status).not.toBe(0);
    expect(truncated.err).toContain('optimizer.safetensors');
  });
});
