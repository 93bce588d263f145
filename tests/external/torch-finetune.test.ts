// The pretrained bridge end to end through the torch engine: a torchvision resnet18 state dict
// saved by PyTorch as safetensors, loaded by name into the zoo's resnet18, and a new 3-class head
// trained with `--engine torch` (the module written by compiler/lower-pytorch) on the tiny shapes dataset (at 32×32, with the backbone frozen so
// that the loaded tensors must come back out unchanged).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/node-host.js';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import { findPython } from '../../engines/torch/python.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir } from '../train/fixtures.js';

const root = tempDir('archc-torch-finetune-');
const data = join(root, 'shapes');
const tv = join(root, 'tv.safetensors');
const python = findPython();
const env = { ...process.env, NO_COLOR: '1' };

function archc(args: readonly string[]): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out, err })));
}

describe.runIf(typeof python !== 'string')('fine-tuning torchvision weights with --engine torch', { timeout: 300_000 }, () => {
  beforeAll(() => {
    makeTinyDataset(data, { perClass: 8, testPerClass: 2, seed: 3 });
    const script = join(packageRoot, 'tests', 'python', 'save_torchvision_state.py');
    const saved = spawnSync((python as { python: string }).python, [script, 'resnet18', tv], { encoding: 'utf8' });
    if (saved.status !== 0) throw new Error(saved.stderr);
  });

  it('archc train resnet18 --weights tv.safetensors --init-missing "fc.*" --set classes=3 --engine torch trains a new head', async () => {
    const run = join(root, 'run');
    const backbone = ['conv1', 'bn1', 'layer1', 'layer2', 'layer3', 'layer4'];
    const r = await archc([
      'train', 'resnet18', '--weights', tv, '--init-missing', 'fc.*', '--set', 'classes=3', '--input', 'image=3x32x32',
      '--engine', 'torch', '--data', join(data, 'train'), '-o', run, '--epochs', '1', '-b', '8', '--freeze', backbone.join(','),
    ]);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toContain(`weights: 100 of 102 tensors from ${tv}; initialized afresh (--init-missing): fc.weight, fc.bias`);
    expect(r.out).toContain('trained 1 epoch');
    const given = readSafetensors(readFileSync(tv));
    const trained = readSafetensors(readFileSync(join(run, 'model.safetensors')));
    if (!given.ok || !trained.ok) throw new Error('unreadable safetensors');
    expect(trained.weights.get('fc.weight')!.shape).toEqual([3, 512]);
    // The frozen backbone, batch-norm statistics included, comes back bit for bit.
    const changed = [...given.weights.keys()]
      .filter((name) => !name.startsWith('fc.'))
      .filter((name) => !trained.weights.get(name)!.data.every((v, i) => v === given.weights.get(name)!.data[i]));
    expect(changed).toEqual([]);
    const evaluated = await archc(['eval', run, '--data', join(data, 'test'), '--json']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({ count: 6 });
  });
});
