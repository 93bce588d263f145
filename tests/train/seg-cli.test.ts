// archc train / eval / predict for segmentation, in process, on the wasm backend: the walkthrough's
// small U-Net (docs/examples/tiny_unet.arch) at 32×32 on a generated images/ + masks/ folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { packageRoot } from '../../compiler/node-host.js';
import { pngInfo } from '../../runtime/data/palette-png.js';
import { makeTinySegDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir } from './fixtures.js';
import { archcInProcess } from '../archc-in-process.js';

const root = tempDir('archc-seg-cli-');
const data = join(root, 'scenes');
const unet = join(packageRoot, 'docs', 'examples', 'tiny_unet.arch');
const run = join(root, 'run');

beforeAll(() => {
  makeTinySegDataset(data, { images: 24, size: 32, seed: 4 });
});

const archc = archcInProcess;

afterEach(() => vi.restoreAllMocks());

describe('segmentation with archc train, eval and predict', () => {
  it('trains: the loss falls, the skipped image is reported, training.json records the task', async () => {
    const r = await archc('train', unet, '--data', join(data, 'train'), '-o', run, '--backend', 'wasm',
      '--epochs', '4', '-b', '6', '--lr', '0.01', '--augment', 'flip,crop=2', '--loss', 'dice-ce', '--val', '0.25');
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/data: 24 images with masks \(pixels: background .*%, circle .*%, square .*%, triangle .*%\), 1 skipped/);
    expect(r.out).toMatch(/skipped .*no-mask\.png: no mask/);
    expect(r.out).toMatch(/val_miou \d\.\d{3}/);
    const history = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')).history as { loss: number; valMiou: number }[];
    expect(history).toHaveLength(4);
    expect(history[3]!.loss).toBeLessThan(history[0]!.loss);
    expect(history[3]!.valMiou).toBeGreaterThan(0);
    const info = JSON.parse(readFileSync(join(run, 'training.json'), 'utf8'));
    expect(info.task).toBe('segmentation');
    expect(info.classes).toEqual(['background', 'circle', 'square', 'triangle']);
    expect(info.loss).toMatchObject({ kind: 'dice-ce', ignoreIndex: 255 });
    expect(info.palette[1]).toEqual([128, 0, 0]);
  }, 240_000);

  it('eval prints pixel accuracy, mIoU and the per-class table; predict writes masks that agree with it', async () => {
    const text = await archc('eval', run, '--data', join(data, 'test'), '--backend', 'wasm');
    expect(text.status).toBe(0);
    expect(text.out).toMatch(/pixel accuracy \d\.\d{3} \(6144 labelled pixels in 6 images\)/);
    expect(text.out).toMatch(/mIoU \d\.\d{3}  mean Dice \d\.\d{3}/);
    expect(text.out).toMatch(/^class\s+IoU\s+Dice\s+pixels\s+predicted$/m);
    const json = await archc('eval', run, '--data', join(data, 'test'), '--backend', 'wasm', '--json');
    const e = JSON.parse(json.out) as { pixelAccuracy: number; confusion: number[][]; perClass: { name: string }[] };
    expect(e.perClass.map((c) => c.name)).toEqual(['background', 'circle', 'square', 'triangle']);

    const images = readdirSync(join(data, 'test', 'images')).sort().map((f) => join(data, 'test', 'images', f));
    const out = join(root, 'predicted');
    const p = await archc('predict', run, ...images, '-o', out, '--backend', 'wasm', '--json');
    expect(p.status).toBe(0);
    const results = JSON.parse(p.out) as { file: string; mask: string; overlay: string; classes: Record<string, number> }[];
    expect(results).toHaveLength(6);
    // Decode each predicted mask: a 32×32 palette PNG of the training palette; its indices, compared
    // with the true masks, give eval's confusion matrix exactly.
    const confusion = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    for (const r of results) {
      const bytes = readFileSync(r.mask);
      expect(pngInfo(bytes)?.header).toMatchObject({ width: 32, height: 32, colourType: 3 });
      expect(pngInfo(bytes)?.palette).toEqual([[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]]);
      const predicted = indicesOf(bytes);
      const truth = indicesOf(readFileSync(r.file.replace('/images/', '/masks/')));
      truth.forEach((t, i) => confusion[t]![predicted[i]!]!++);
      const shares = Object.values(r.classes);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const overlay = PNG.sync.read(readFileSync(r.overlay));
      expect([overlay.width, overlay.height]).toEqual([32, 32]);
    }
    expect(confusion).toEqual(e.confusion);
  }, 120_000);

  it('refuses what does not fit: predict without -o, a class folder for a segmentation model, a seg folder for a classifier', async () => {
    const noOut = await archc('predict', run, join(data, 'test', 'images', 'scene-000.png'));
    expect(noOut.status).toBe(2);
    expect(noOut.err).toMatch(/is a segmentation model: its predictions are images; give -o DIR/);
    const flat = await archc('train', unet, '--data', join(data, 'test', 'images'), '-o', join(root, 'x'), '--backend', 'wasm');
    expect(flat.status).toBe(1);
    expect(flat.err).toMatch(/the model outputs a score map per class \(segmentation\), so --data needs .*images\/ and .*masks\//);
    const missing = await archc('train', unet, '--data', join(root, 'nowhere'), '-o', join(root, 'x'), '--backend', 'wasm');
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/the data folder .*nowhere does not exist/);
    const classifier = await archc('train', 'lenet5', '--data', join(data, 'train'), '-o', join(root, 'y'), '--backend', 'wasm');
    expect(classifier.status).toBe(1);
    expect(classifier.err).toMatch(/is a segmentation dataset \(images\/ \+ masks\/\) but lenet5 outputs 10 class scores per image/);
    // The paper's U-Net (unpadded convs) scores a smaller map than its input: not every pixel has a class.
    const valid = await archc('train', 'unet', '--data', 'synthetic', '-o', join(root, 'z'), '--backend', 'wasm');
    expect(valid.status).toBe(1);
    expect(valid.err).toMatch(/unet's output scores is \[2, 388, 388\] but its input is 572×572; segmentation needs one score per class for every input pixel/);
  });
});

/** A palette PNG's pixels as palette indices (every colour of the palette is distinct here). */
function indicesOf(bytes: Buffer): number[] {
  const palette = pngInfo(bytes)!.palette!.map((c) => c.join(','));
  const png = PNG.sync.read(bytes);
  return Array.from({ length: png.width * png.height }, (_, i) => palette.indexOf(Array.from(png.data.subarray(4 * i, 4 * i + 3)).join(',')));
}
