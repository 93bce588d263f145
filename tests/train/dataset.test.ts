// Image-folder datasets on real files: classes, skipped and ignored files, the errors that stop
// training, the synthetic set and the stratified split.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCounts, loadImageFolder, splitIndices, syntheticSet } from '../../runtime/data/dataset.js';
import { jpegBytes, pngBytes, solid, tempDir, writeFile } from './fixtures.js';

const shape = { height: 8, width: 8, channels: 3 } as const;

describe('loadImageFolder', () => {
  const root = tempDir();
  const good = join(root, 'good');
  writeFile(join(good, 'cat', 'a.png'), pngBytes(10, 10, solid(255, 0, 0)));
  writeFile(join(good, 'cat', 'nested', 'b.PNG'), pngBytes(12, 9, solid(250, 5, 5)));
  writeFile(join(good, 'dog', 'c.jpg'), jpegBytes(16, 16, solid(0, 0, 255)));
  writeFile(join(good, 'dog', 'd.jpeg'), jpegBytes(20, 10, solid(0, 0, 250)));
  writeFile(join(good, 'dog', 'broken.png'), pngBytes(16, 16, solid(1, 2, 3)).subarray(0, 40));
  writeFile(join(good, 'dog', 'notes.txt'), 'not an image');
  writeFile(join(good, 'dog', '.DS_Store'), 'hidden');

  it('labels classes by folder name in code-point order and resizes every image', () => {
    const r = loadImageFolder(good, shape);
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.set.classes).toEqual(['cat', 'dog']);
    expect([...r.set.labels]).toEqual([0, 0, 1, 1]);
    expect(r.set.pixels.length).toBe(4 * 8 * 8 * 3);
    expect([...r.set.pixels.slice(0, 3)]).toEqual([255, 0, 0]);
    expect(r.report.loaded).toBe(4);
    expect(r.report.ignored).toBe(1);
    expect(r.report.skipped.map((s) => s.file)).toEqual([join(good, 'dog', 'broken.png')]);
    expect(r.report.skipped[0]!.reason).toMatch(/corrupt PNG/);
  });

  it('keeps a trained model\'s label order and refuses classes it does not know', () => {
    const r = loadImageFolder(good, shape, ['dog', 'bird', 'cat']);
    expect(r.ok && [...r.set.labels]).toEqual([2, 2, 0, 0]);
    const bad = loadImageFolder(good, shape, ['dog']);
    expect(!bad.ok && bad.problem.message).toBe('the data has classes the model was not trained on: cat');
  });

  it('stops on an empty class folder, naming it', () => {
    const dir = join(root, 'empty');
    writeFile(join(dir, 'a', '1.png'), pngBytes(4, 4, solid(0, 0, 0)));
    writeFile(join(dir, 'b', 'readme.md'), '# nothing');
    const r = loadImageFolder(dir, shape);
    expect(!r.ok && r.problem.message).toBe(`the class folder ${join(dir, 'b')} has no PNG or JPEG images`);
  });

  it('stops when every image of a class is unreadable', () => {
    const dir = join(root, 'corrupt');
    writeFile(join(dir, 'a', '1.png'), pngBytes(4, 4, solid(0, 0, 0)));
    writeFile(join(dir, 'b', '1.jpg'), 'garbage');
    writeFile(join(dir, 'b', '2.png'), 'garbage');
    const r = loadImageFolder(dir, shape);
    expect(!r.ok && r.problem.message).toBe(`every image in the class folder ${join(dir, 'b')} is unreadable (2 skipped)`);
    expect(!r.ok && r.problem.notes).toEqual(['1.jpg: not a PNG or JPEG file', '2.png: not a PNG or JPEG file']);
  });

  it('counts an unreadable file as skipped', () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const dir = join(root, 'perm');
    writeFile(join(dir, 'a', '1.png'), pngBytes(4, 4, solid(0, 0, 0)));
    writeFile(join(dir, 'a', '2.png'), pngBytes(4, 4, solid(0, 0, 0)));
    chmodSync(join(dir, 'a', '2.png'), 0o000);
    const r = loadImageFolder(dir, shape);
    expect(r.ok && r.report.skipped).toEqual([{ file: join(dir, 'a', '2.png'), reason: 'permission denied' }]);
  });

  it('explains a missing folder, a file, and a folder without class subfolders', () => {
    const missing = loadImageFolder(join(root, 'nope'), shape);
    expect(!missing.ok && missing.problem.message).toMatch(/does not exist$/);
    writeFile(join(root, 'flat', 'x.png'), pngBytes(4, 4, solid(0, 0, 0)));
    const flat = loadImageFolder(join(root, 'flat'), shape);
    expect(!flat.ok && flat.problem.message).toBe(`no class folders in ${join(root, 'flat')}`);
    expect(!flat.ok && flat.problem.hint).toMatch(/own subfolder/);
    const file = loadImageFolder(join(root, 'flat', 'x.png'), shape);
    expect(!file.ok && file.problem.message).toMatch(/is a file$/);
  });

  it('converts to one channel for grey models', () => {
    const r = loadImageFolder(good, { height: 4, width: 4, channels: 1 });
    expect(r.ok && r.set.pixels.length).toBe(4 * 16);
    expect(r.ok && r.set.pixels[0]).toBe(Math.round(0.299 * 255));
  });
});

describe('syntheticSet and splitIndices', () => {
  const set = syntheticSet({ classes: 3, samples: 30, shape, seed: 7 });

  it('is balanced, deterministic and varied', () => {
    expect(classCounts(set)).toEqual([10, 10, 10]);
    expect(syntheticSet({ classes: 3, samples: 30, shape, seed: 7 }).pixels).toEqual(set.pixels);
    expect(syntheticSet({ classes: 3, samples: 30, shape, seed: 8 }).pixels).not.toEqual(set.pixels);
    expect(set.classes).toEqual(['class0', 'class1', 'class2']);
  });

  it('splits every class by the same fraction, reproducibly, without overlap', () => {
    const split = splitIndices(set, 0.2, 1);
    expect(classCounts(set, split.val)).toEqual([2, 2, 2]);
    expect(classCounts(set, split.train)).toEqual([8, 8, 8]);
    expect(new Set([...split.train, ...split.val]).size).toBe(30);
    expect(splitIndices(set, 0.2, 1)).toEqual(split);
    expect(splitIndices(set, 0, 1).val.length).toBe(0);
  });

  it('keeps at least one training sample per class', () => {
    const tiny = syntheticSet({ classes: 2, samples: 4, shape, seed: 1 });
    const split = splitIndices(tiny, 0.9, 1);
    expect(classCounts(tiny, split.train)).toEqual([1, 1]);
  });
});
