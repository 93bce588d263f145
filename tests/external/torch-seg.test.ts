// Segmentation on the torch engine: its losses and pixel counts equal the tfjs engine's on the same
// batch (tests/python/check_torch_seg.py against runtime/train/seg-losses.ts), its masks move with
// their images, and `archc train --engine torch` trains the walkthrough's small U-Net on a
// generated images/ + masks/ folder into a run folder that eval and predict read.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/node-host.js';
import { pngInfo } from '../../runtime/data/palette-png.js';
import { findPython } from '../../engines/torch/python.js';
import { IGNORE } from '../../runtime/data/masks.js';
import { segLoss, type SegLossSpec } from '../../runtime/train/seg-losses.js';
import { makeTinySegDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir } from '../train/fixtures.js';

const root = tempDir('archc-torch-seg-');
const data = join(root, 'scenes');
const unet = join(packageRoot, 'docs', 'examples', 'tiny_unet.arch');
const python = findPython();
const env = { ...process.env, NO_COLOR: '1', OMP_NUM_THREADS: '1' };

function archc(args: readonly string[]): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out, err })));
}

beforeAll(async () => {
  makeTinySegDataset(data, { images: 18, size: 32, seed: 6 });
  await tf.setBackend('cpu');
});

describe.runIf(typeof python !== 'string')('segmentation on the torch engine', { timeout: 240_000 }, () => {
  it('computes the losses, hits and confusion the tfjs engine computes, and moves masks with images', () => {
    const py = typeof python === 'string' ? '' : python.python;
    const r = spawnSync(py, [join(packageRoot, 'tests', 'python', 'check_torch_seg.py'), join(packageRoot, 'engines', 'torch')], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout);
    // The same batch in tfjs's NHWC layout.
    const scores = [[2, 0], [0, 1], [0, 3], [1, 1]];
    const tfjs = (spec: Partial<SegLossSpec>, outputs = 1, softmax = false) => tf.tidy(() => {
      const y = tf.tensor4d(scores.flat(), [1, 2, 2, 2]);
      const masks = tf.tensor3d([0, 1, 1, IGNORE], [1, 2, 2], 'int32');
      const full: SegLossSpec = { kind: 'ce', task: 'segmentation', ignoreIndex: 255, auxWeight: 0.5, ...spec };
      const ys = Array.from({ length: outputs }, () => (softmax ? tf.softmax(y) : y));
      return segLoss(full, softmax ? 'softmax' : 'logits', ys, masks).dataSync()[0]!;
    });
    expect(got.losses.ce).toBeCloseTo(tfjs({ kind: 'ce' }), 5);
    expect(got.losses.ce_weighted).toBeCloseTo(tfjs({ kind: 'ce', classWeights: [3, 1] }), 5);
    expect(got.losses.ce_softmax).toBeCloseTo(tfjs({ kind: 'ce' }, 1, true), 5);
    expect(got.losses.dice).toBeCloseTo(tfjs({ kind: 'dice' }), 5);
    expect(got.losses.dice_ce).toBeCloseTo(tfjs({ kind: 'dice-ce' }), 5);
    expect(got.losses.aux).toBeCloseTo(tfjs({ kind: 'ce' }, 2), 5);
    expect(got.hits).toEqual([3, 3]);
    expect(got.confusion).toEqual([[1, 0], [0, 2]]);
    expect(got.moved).toBe(true);
    expect(got.rotated_agreement).toBeGreaterThan(0.97);
    expect(got.shifted_agreement).toBe(1);
  });

  it('trains a small U-Net with PyTorch; eval and predict read the run folder', async () => {
    const out = join(root, 'run');
    const r = await archc(['train', unet, '--data', join(data, 'train'), '-o', out, '--engine', 'torch',
      '--epochs', '3', '-b', '6', '--lr', '0.01', '--augment', 'flip,rotate=10,crop=2', '--loss', 'dice-ce', '--val', '0.2']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/data: 18 images with masks .*, 1 skipped/);
    expect(r.out).toMatch(/epoch 3\/3 .* val_miou \d\.\d{3}/);
    const history = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).history as { loss: number; valMiou: number }[];
    expect(history[2]!.loss).toBeLessThan(history[0]!.loss);
    expect(history[2]!.valMiou).toBeGreaterThan(0);
    const info = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(info).toMatchObject({ task: 'segmentation', backend: expect.stringMatching(/^torch /), loss: { kind: 'dice-ce' } });

    const e = await archc(['eval', out, '--data', join(data, 'test'), '--json']);
    expect(e.status).toBe(0);
    const evaluation = JSON.parse(e.out);
    expect(evaluation.images).toBe(5);
    expect(evaluation.pixels).toBe(5 * 32 * 32);
    expect(evaluation.meanIoU).toBeGreaterThan(0);

    const image = join(data, 'test', 'images', 'scene-000.png');
    const p = await archc(['predict', out, image, '-o', join(root, 'masks')]);
    expect(p.status).toBe(0);
    const mask = readFileSync(join(root, 'masks', 'scene-000.mask.png'));
    expect(pngInfo(mask)?.header).toMatchObject({ width: 32, height: 32, colourType: 3 });
    expect(pngInfo(mask)?.palette).toEqual(info.palette);
  });
});
