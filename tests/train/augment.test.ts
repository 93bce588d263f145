// Augmentations: the option syntax, and each transform's effect on a real image buffer.
import { describe, expect, it } from 'vitest';
import { augmentImage, parseAugment, warp, type Augment } from '../../runtime/data/augment.js';
import { makeBatch, normalizePresets } from '../../runtime/data/batch.js';
import { syntheticSet } from '../../runtime/data/dataset.js';
import { Rng } from '../../runtime/data/rng.js';

const h = 6;
const w = 5;
const image = () => Float32Array.from({ length: h * w }, (_, i) => (i % w) / (w - 1));

function run(a: Augment, seed = 1, input = image()): Float32Array<ArrayBuffer> {
  augmentImage(input, h, w, 1, a, new Rng(seed), new Float32Array(input.length));
  return input;
}

describe('parseAugment', () => {
  it('reads flags and key=value pairs', () => {
    expect(parseAugment('flip, rotate=15,crop=4,brightness=0.2,contrast=0.1,noise=0.02')).toEqual({
      ok: true,
      augment: { flip: true, rotate: 15, crop: 4, brightness: 0.2, contrast: 0.1, noise: 0.02 },
    });
  });

  it('refuses unknown names and bad values with the reason', () => {
    expect(parseAugment('flop')).toEqual({ ok: false, message: "unknown augmentation 'flop' (known: flip, rotate, crop, brightness, contrast, noise)" });
    expect(parseAugment('rotate')).toEqual({ ok: false, message: "'rotate' needs a value in [0, 180], e.g. rotate=15" });
    expect(parseAugment('crop=1.5')).toEqual({ ok: false, message: "'crop' is a whole number of pixels" });
    expect(parseAugment('brightness=2').ok).toBe(false);
  });
});

describe('augmentImage', () => {
  it('does nothing when every transform is off or zero', () => {
    expect(run({ rotate: 0, crop: 0 })).toEqual(image());
  });

  it('mirrors left-right when the coin says so, and flips back exactly', () => {
    const runs = Array.from({ length: 40 }, (_, seed) => run({ flip: true }, seed));
    const mirrored = runs.filter((f) => f[0] === 1);
    expect(mirrored.length).toBeGreaterThan(10);
    expect(mirrored.length).toBeLessThan(30);
    for (const f of runs) expect(f[0] === 1 || f[0] === 0).toBe(true);
    expect([...mirrored[0]!.slice(0, w)]).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const seed = runs.indexOf(mirrored[0]!);
    expect(run({ flip: true }, seed, run({ flip: true }, seed))).toEqual(image());
  });

  it('rotates about the centre: 90° turns rows into columns, 180° reverses the image', () => {
    const square = Float32Array.from({ length: 9 }, (_, i) => i);
    const out = new Float32Array(9);
    warp(square, out, 3, 3, 1, { flip: false, angle: Math.PI / 2, dx: 0, dy: 0 });
    expect([...out].map(Math.round)).toEqual([2, 5, 8, 1, 4, 7, 0, 3, 6]);
    warp(square, out, 3, 3, 1, { flip: false, angle: Math.PI, dx: 0, dy: 0 });
    expect([...out].map((v) => Math.round(v))).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const rotated = run({ rotate: 30 }, 3);
    expect(rotated).not.toEqual(image());
    for (const v of rotated) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('shifts by whole pixels with reflected borders for crop', () => {
    const out = run({ crop: 1 }, 5);
    const rows = Array.from({ length: h }, (_, y) => [...out.slice(y * w, y * w + w)]);
    // Every row is still a (shifted, reflected) copy of 0, .25, .5, .75, 1.
    for (const row of rows) for (const v of row) expect([0, 0.25, 0.5, 0.75, 1]).toContain(v);
  });

  it('changes brightness and contrast within their ranges and keeps values in [0, 1]', () => {
    const bright = run({ brightness: 0.5 }, 2);
    const ratio = bright[1]! / image()[1]!;
    expect(ratio).toBeGreaterThanOrEqual(0.5);
    expect(ratio).toBeLessThanOrEqual(1.5);
    const contrast = run({ contrast: 0.5 }, 2);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(contrast)).toBeCloseTo(mean(image()), 5);
    for (const v of run({ noise: 1 }, 4)) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('repeats exactly for the same seed', () => {
    const a: Augment = { flip: true, rotate: 20, crop: 2, brightness: 0.2, contrast: 0.2, noise: 0.05 };
    expect(run(a, 9)).toEqual(run(a, 9));
    expect(run(a, 9)).not.toEqual(run(a, 10));
  });
});

describe('makeBatch', () => {
  it('normalizes per channel into NHWC floats with the labels', () => {
    const set = syntheticSet({ classes: 2, samples: 4, shape: { height: 2, width: 2, channels: 3 }, seed: 1 });
    const batch = makeBatch(set, [3, 0], 0, 2, { normalize: normalizePresets.imagenet });
    expect([...batch.labels]).toEqual([1, 0]);
    expect(batch.x.length).toBe(2 * 12);
    const first = set.pixels[3 * 12 + 1]! / 255;
    expect(batch.x[1]).toBeCloseTo((first - 0.456) / 0.224, 5);
    const symmetric = makeBatch(set, [0], 0, 1, { normalize: normalizePresets.symmetric });
    for (const v of symmetric.x) expect(v >= -1 && v <= 1).toBe(true);
  });
});
