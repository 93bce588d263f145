// Segmentation data: the images/ + masks/ layout with grey, palette and colour masks, the pairs
// that are skipped and counted (missing mask, size mismatch, class out of range), black-and-white
// binary masks, masks that
// follow the image's flip and shift, and the palette PNG writer read back by pngjs.
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../runtime/data/rng.js';
import { IGNORE, loadSegmentationFolder, pixelCounts, resizeNearest } from '../../runtime/data/masks.js';
import { encodePalettePng, pngInfo, vocPalette } from '../../runtime/data/palette-png.js';
import { makeSegBatch, warpMask } from '../../runtime/data/seg-batch.js';
import { syntheticSegSet } from '../../runtime/data/seg-synthetic.js';
import { pngBytes, tempDir, writeFile } from './fixtures.js';

const shape = { height: 4, width: 4, channels: 3 as const };
// A 4×4 mask: left half class 0, right half class 1, bottom-right pixel unlabelled (255).
const mask = (x: number, y: number) => (x === 3 && y === 3 ? 255 : x < 2 ? 0 : 1);
const greyMask = pngBytes(4, 4, (x, y) => [mask(x, y), mask(x, y), mask(x, y)]);
const image = pngBytes(4, 4, (x) => [x * 60, 0, 0]);

describe('loadSegmentationFolder', () => {
  it('reads grey masks as class indices, maps the ignore index and skips bad pairs with reasons', () => {
    const root = tempDir('archc-seg-');
    writeFile(join(root, 'images', 'a.png'), image);
    writeFile(join(root, 'masks', 'a.png'), greyMask);
    writeFile(join(root, 'images', 'missing.png'), image);
    writeFile(join(root, 'images', 'small.png'), pngBytes(2, 2, () => [0, 0, 0]));
    writeFile(join(root, 'masks', 'small.png'), greyMask);
    writeFile(join(root, 'images', 'range.png'), image);
    writeFile(join(root, 'masks', 'range.png'), pngBytes(4, 4, () => [7, 7, 7]));
    const r = loadSegmentationFolder(root, shape, { classes: 2, ignoreIndex: 255 });
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.set.count).toBe(1);
    expect(r.set.classes).toEqual(['class0', 'class1']);
    expect(Array.from(r.set.masks)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, IGNORE]);
    expect(pixelCounts(r.set)).toEqual([8, 7]);
    const reasons = Object.fromEntries(r.report.skipped.map((s) => [s.file.split('/').pop(), s.reason]));
    expect(reasons['missing.png']).toMatch(/^no mask .*missing\.png$/);
    expect(reasons['small.png']).toBe('the mask is 4×4 but the image is 2×2');
    expect(reasons['range.png']).toMatch(/class index 7 at \(0, 0\) is out of range: the model has 2 classes/);
  });

  it('--ignore-index names another unlabelled value, which then is not out of range', () => {
    const root = tempDir('archc-seg-');
    writeFile(join(root, 'images', 'a.png'), image);
    writeFile(join(root, 'masks', 'a.png'), pngBytes(4, 4, (x) => (x === 0 ? [7, 7, 7] : [1, 1, 1])));
    const r = loadSegmentationFolder(root, shape, { classes: 2, ignoreIndex: 7 });
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.report.skipped).toEqual([]);
    expect(Array.from(r.set.masks.subarray(0, 4))).toEqual([IGNORE, 1, 1, 1]);
  });

  it('reads black-and-white masks (0 and 255 only) of a 2-class model as background and class 1', () => {
    const root = tempDir('archc-seg-');
    const bw = (x: number, y: number) => (x + y > 3 ? 255 : 0);
    writeFile(join(root, 'images', 'a.png'), image);
    writeFile(join(root, 'masks', 'a.png'), pngBytes(4, 4, (x, y) => [bw(x, y), bw(x, y), bw(x, y)]));
    const r = loadSegmentationFolder(root, shape, { classes: 2, ignoreIndex: 255 });
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.report.blackAndWhite).toBe(true);
    expect(pixelCounts(r.set)).toEqual([10, 6]);
    // A class-1 pixel anywhere means 255 is the ignore index, as in the first case above.
    writeFile(join(root, 'masks', 'a.png'), greyMask);
    const indexed = loadSegmentationFolder(root, shape, { classes: 2, ignoreIndex: 255 });
    if (!indexed.ok) throw new Error(indexed.problem.message);
    expect(indexed.report.blackAndWhite).toBeUndefined();
    expect(pixelCounts(indexed.set)).toEqual([8, 7]);
  });

  it('fails with a message when no pair is usable, and names the layout when it is not one', () => {
    const root = tempDir('archc-seg-');
    writeFile(join(root, 'images', 'a.png'), image);
    writeFile(join(root, 'masks', 'b.png'), greyMask);
    const r = loadSegmentationFolder(root, shape, { classes: 2, ignoreIndex: 255 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.message).toMatch(/none of the 1 images in .*images has a usable mask/);
      expect(r.problem.notes?.[0]).toMatch(/a\.png: no mask/);
    }
    const flat = tempDir('archc-seg-');
    writeFile(join(flat, 'cat', 'a.png'), image);
    const notSeg = loadSegmentationFolder(flat, shape, { classes: 2, ignoreIndex: 255 });
    expect(!notSeg.ok && notSeg.problem.message).toMatch(/is not a segmentation dataset/);
  });

  it('reads palette masks by index and colour masks through classes.json colours', () => {
    const root = tempDir('archc-seg-');
    const indices = Uint8Array.from({ length: 16 }, (_, i) => (i % 4 < 2 ? 0 : 2));
    writeFile(join(root, 'images', 'p.jpg'), image);
    writeFile(join(root, 'masks', 'p.png'), encodePalettePng(indices, 4, 4, vocPalette(3)));
    writeFile(join(root, 'images', 'c.png'), image);
    writeFile(join(root, 'masks', 'c.png'), pngBytes(4, 4, (x) => (x < 2 ? [10, 20, 30] : [200, 100, 0])));
    writeFile(join(root, 'classes.json'), JSON.stringify([{ name: 'sky', color: [10, 20, 30] }, { name: 'sea', color: [1, 1, 1] }, { name: 'sun', color: [200, 100, 0] }]));
    const r = loadSegmentationFolder(root, shape, { classes: 3, ignoreIndex: 255 });
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.report.skipped).toEqual([]);
    expect(r.set.classes).toEqual(['sky', 'sea', 'sun']);
    expect(r.set.palette[2]).toEqual([200, 100, 0]);
    // c.png comes first (code-point order); both masks hold 0 on the left and 2 on the right.
    expect(Array.from(r.set.masks)).toEqual([...indices, ...indices]);
    const wrong = loadSegmentationFolder(root, shape, { classes: 4, ignoreIndex: 255 });
    expect(!wrong.ok && wrong.problem.message).toMatch(/classes\.json names 3 classes but the model scores 4 per pixel/);
  });
});

describe('palette PNGs', () => {
  it('round-trip: pngjs decodes the palette colours and pngInfo reads the palette back', () => {
    const indices = Uint8Array.from([0, 1, 2, 3, 3, 2]);
    const bytes = encodePalettePng(indices, 3, 2, vocPalette(4));
    expect(pngInfo(bytes)?.header).toEqual({ width: 3, height: 2, bitDepth: 8, colourType: 3 });
    expect(pngInfo(bytes)?.palette).toEqual([[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]]);
    const png = PNG.sync.read(Buffer.from(bytes));
    expect(Array.from(png.data.subarray(4 * 5, 4 * 5 + 4))).toEqual([0, 128, 0, 255]);
  });

  it('VOC colours spread the index bits: class 15 (person) is (192, 128, 128)', () => {
    expect(vocPalette(16)[15]).toEqual([192, 128, 128]);
  });
});

describe('masks under augmentation', () => {
  it('a flip mirrors the mask with the image; a shift moves it by whole pixels', () => {
    const src = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const dst = new Uint8Array(9);
    warpMask(src, dst, 3, 3, { flip: true, angle: 0, dx: 0, dy: 0 });
    expect(Array.from(dst)).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6]);
    warpMask(src, dst, 3, 3, { flip: false, angle: 0, dx: 1, dy: 0 });
    // Output x reads source x - 1, reflected at the border (x = -1 reads x = 1).
    expect(Array.from(dst)).toEqual([1, 0, 1, 4, 3, 4, 7, 6, 7]);
  });

  it('in a batch the mask stays aligned with the image under flip, rotation and crop', () => {
    // Each scene's shapes are brighter than the background: after augmentation the bright
    // pixels and the labelled ones must still mostly coincide.
    const set = syntheticSegSet({ classes: 2, samples: 4, shape: { height: 32, width: 32, channels: 1 }, seed: 3 })!;
    const batch = makeSegBatch(set, [0, 1, 2, 3], 0, 4, { normalize: { mean: [0], std: [1] }, augment: { flip: true, rotate: 30, crop: 4 }, rng: new Rng(5) });
    let agree = 0;
    for (let i = 0; i < batch.masks.length; i++) agree += Number((batch.x[i]! > 0.45) === (batch.masks[i] === 1));
    expect(agree / batch.masks.length).toBeGreaterThan(0.95);
    const plain = makeSegBatch(set, [0, 1, 2, 3], 0, 4, { normalize: { mean: [0], std: [1] } });
    expect(Array.from(plain.masks)).toEqual(Array.from(set.masks));
    expect(Array.from(batch.masks)).not.toEqual(Array.from(set.masks));
  });

  it('nearest resizing never blends class indices', () => {
    expect(Array.from(resizeNearest(Uint8Array.from([0, 3, 1, 2]), 2, 2, 4, 2))).toEqual([0, 0, 3, 3, 1, 1, 2, 2]);
  });
});
