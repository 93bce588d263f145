// archc explain and archc features end to end, in process, on the cpu backend: a run folder trained
// for one epoch, real PNGs, the pictures decoded back; and every kind of bad input refused with one
// message, its exit code, and nothing written.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSafetensors } from '../../compiler/weights/safetensors.js';
import { makeTinyDataset } from '../../tools/dev/make-tiny-dataset.js';
import { tempDir, writeFile } from '../train/fixtures.js';
import { archcInProcess } from '../archc-in-process.js';

const root = tempDir('archc-explain-');
const data = join(root, 'shapes');
const arch = join(root, 'small.arch');
const run = join(root, 'run');
const small = `model small(classes = 3) {
  input image: [3, 16, 16]
  x = image |> conv(4, 3, pad=1, name="conv1") |> relu |> maxpool(2)
  x = x |> conv(6, 3, pad=1, name="conv2") |> relu(name="act2")
  output logits = x |> global_avgpool |> flatten |> dense(classes, name="fc")
}
`;
const twoHeads = `model two {
  input image: [3, 16, 16]
  x = image |> conv(4, 3, pad=1, name="conv1") |> relu
  output logits = x |> global_avgpool |> flatten |> dense(3, name="fc")
  output side = x |> conv(2, 1, name="side")
}
`;
const segmenter = `model seg {
  input image: [3, 16, 16]
  output mask = image |> conv(4, 3, pad=1) |> relu |> conv(2, 1)
}
`;
let image = '';

interface Run {
  status: number;
  out: string;
  err: string;
}

const archc = archcInProcess;

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  makeTinyDataset(data, { perClass: 4, testPerClass: 1, seed: 2 });
  writeFile(arch, small);
  writeFile(join(root, 'seg.arch'), segmenter);
  writeFile(join(root, 'two.arch'), twoHeads);
  image = join(data, 'test', 'circle', readdirSync(join(data, 'test', 'circle'))[0]!);
  const r = await archc('train', arch, '--data', join(data, 'train'), '-o', run, '--backend', 'cpu', '--epochs', '1', '-b', '4', '--val', '0');
  expect(r.status, r.err).toBe(0);
}, 60_000);

const png = (path: string) => PNG.sync.read(readFileSync(path));

describe('archc explain', () => {
  it('writes a heat map and an overlay per image, named after it, and prints the class by name', async () => {
    const out = join(root, 'cam');
    const r = await archc('explain', run, image, '-o', out, '--backend', 'cpu', '--json');
    expect(r.status, r.err).toBe(0);
    const [result] = JSON.parse(r.out);
    expect(result.layer).toBe('act2');
    expect(['circle', 'square', 'triangle']).toContain(result.className);
    expect(result.probability).toBeGreaterThan(0);
    // 32×32 images are drawn at 256×256 (the longer side at least 256).
    for (const file of [result.heatmap, result.overlay]) expect([png(file).width, png(file).height]).toEqual([256, 256]);
    expect(readdirSync(out).sort()).toEqual(['circle-000-gradcam-overlay.png', 'circle-000-gradcam.png']);

    const text = await archc('explain', run, image, '-o', out, '--backend', 'cpu', '--class', 'square', '--layer', 'conv1');
    expect(text.status, text.err).toBe(0);
    expect(text.out).toMatch(/class 1 \(square\), score -?\d+\.\d+, probability \d\.\d+/);
  });

  it('saliency and integrated gradients, and a model with --weights', async () => {
    const out = join(root, 'ig');
    const s = await archc('explain', run, image, '-o', out, '--backend', 'cpu', '--method', 'saliency');
    expect(s.status, s.err).toBe(0);
    const ig = await archc('explain', arch, image, '--weights', join(run, 'model.safetensors'), '-o', out, '--backend', 'cpu',
      '--method', 'integrated-gradients', '--baseline', 'blurred', '--steps', '16', '--class', '2', '--json');
    expect(ig.status, ig.err).toBe(0);
    const [result] = JSON.parse(ig.out);
    expect(result.class).toBe(2);
    expect(result.className).toBeUndefined(); // a .arch file has no class names
    const { sum, difference } = result.completeness;
    expect(Math.abs(difference)).toBeGreaterThan(0);
    expect(Math.abs(sum - difference)).toBeLessThan(0.05 * Math.abs(difference) + 1e-3);
    expect(result.note).toMatch(/^attributions sum to .*; score\(image\) − score\(baseline\) = .* \(16 steps, blurred baseline\)$/);
    expect(readdirSync(out)).toContain('circle-000-integrated-gradients-overlay.png');
  });

  it('refuses bad input with one message and its exit code, writing nothing', async () => {
    const out = join(root, 'never');
    const broken = join(root, 'broken.png');
    writeFile(broken, 'not an image');
    const cases: [string[], number, RegExp][] = [
      [[run, image, '--layer', 'act'], 2, /has no layer named 'act'; did you mean 'act2'\?/],
      [[run, image, '--layer', 'image'], 2, /'image' is small's input, not a layer/],
      [[join(root, 'two.arch'), image, '--layer', 'side'], 2, /layer 'side' does not feed the class scores \(output 'logits'\)/],
      [[run, image, '--layer', 'fc'], 2, /layer 'fc' \(dense\) outputs \[3\] \(rank 1\); Grad-CAM needs a spatial map/],
      [[run, image, broken], 2, /cannot read the image .*broken\.png: not a PNG or JPEG file/],
      [[join(root, 'seg.arch'), image, '--weights', join(root, 'nothing.safetensors')], 2, /cannot read the weights/],
      [[join(root, 'seg.arch'), image], 1, /output 'mask' is \[2, 16, 16\] \(rank 3\); Grad-CAM explains a class score/],
      [[run, image, '--class', '7'], 2, /--class needs a class name \(circle, square, triangle\) or a class index from 0 to 2, got '7'/],
      [[run, image, '--method', 'saliency', '--layer', 'act2'], 2, /--layer chooses Grad-CAM's layer/],
      [[run, image, '--steps', '8'], 2, /--steps is an option of --method integrated-gradients/],
      [[join(root, 'nope'), image], 2, /no file or zoo model named|cannot read/],
    ];
    for (const [args, status, message] of cases) {
      const r = await archc('explain', ...args, '-o', out, '--backend', 'cpu');
      expect(r.status, `${args.join(' ')}: ${r.err}`).toBe(status);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('archc features', () => {
  it("draws a layer's maps as a grid, and the first convolution's kernels", async () => {
    const grid = join(root, 'grid.png');
    const r = await archc('features', run, image, '--layer', 'conv2', '-o', grid, '--backend', 'cpu');
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/conv2 \(conv\): 6 maps of 8×8/);
    // 6 tiles: 3 columns × 2 rows of 8×8 maps enlarged 6× (to about 48 pixels), 2 pixels apart.
    expect([png(grid).width, png(grid).height]).toEqual([3 * 50 + 2, 2 * 50 + 2]);
    const filters = join(root, 'filters.png');
    const f = await archc('features', run, '--filters', '-o', filters);
    expect(f.status, f.err).toBe(0);
    expect(f.out).toMatch(/conv1: 4 kernels/);
    // Four 3×3 RGB kernels enlarged 16× in a 2×2 grid; each pixel is 0.5 + w / (2·max|w|) of the
    // trained weights, channel by channel.
    const drawn = png(filters);
    expect([drawn.width, drawn.height]).toEqual([2 * 50 + 2, 2 * 50 + 2]);
    const w = readSafetensors(readFileSync(join(run, 'model.safetensors')));
    if (!w.ok) throw new Error(w.error);
    const kernel = w.weights.get('conv1.weight')!; // [4, 3, 3, 3]
    const max = kernel.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const at = (o: number, c: number, y: number, x: number) => Math.round(255 * (0.5 + kernel.data[((o * 3 + c) * 3 + y) * 3 + x]! / (2 * max)));
    for (const [o, y, x] of [[0, 0, 0], [1, 2, 1], [3, 1, 2]] as const) {
      // Kernel o's tile starts at (2 + 50·column, 2 + 50·row); its cell (y, x) covers 16×16 pixels.
      const px = 2 + 50 * (o % 2) + 16 * x + 8;
      const py = 2 + 50 * Math.floor(o / 2) + 16 * y + 8;
      const i = (py * drawn.width + px) * 4;
      expect([drawn.data[i], drawn.data[i + 1], drawn.data[i + 2]]).toEqual([0, 1, 2].map((c) => at(o, c, y, x)));
    }
    const bad = await archc('features', run, image, '--layer', 'fc', '-o', join(root, 'no.png'), '--backend', 'cpu');
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/a grid of feature maps needs a spatial map/);
    expect(existsSync(join(root, 'no.png'))).toBe(false);
  });
});
