// eval and predict for a model trained for segmentation (training.json says task "segmentation"):
// eval compares predicted class maps with masks (pixel accuracy, per-class IoU and Dice, mIoU);
// predict writes each image's class map as a palette PNG and an overlay of it on the image.
import { basename, extname, join } from 'node:path';
import { PNG } from 'pngjs';
import { MAX_IMAGE_BYTES, readRegularFile } from '../../../compiler/node-host.js';
import { unlabelledSet } from '../../../runtime/data/dataset.js';
import { decodeImage, resize, toChannels } from '../../../runtime/data/image.js';
import { BLACK_AND_WHITE_NOTE, loadSegmentationFolder, resizeNearest, type SegmentationSet } from '../../../runtime/data/masks.js';
import { encodePalettePng, vocPalette } from '../../../runtime/data/palette-png.js';
import { syntheticSegSet } from '../../../runtime/data/seg-synthetic.js';
import { classShares, engineClassMaps, overlay } from '../../../runtime/infer/seg-infer.js';
import { ioReason, isFileError, writeFileAtomic } from '../../../runtime/persist/files.js';
import type { TrainingInfo } from '../../../runtime/persist/training-info.js';
import { isSegLoss } from '../../../runtime/train/seg-loss-spec.js';
import { addToConfusion, emptyConfusion, formatSegEvaluation, segEvaluation } from '../../../runtime/train/seg-metrics.js';
import type { Parsed } from '../args.js';
import { savedModelPredictor } from './inference.js';
import { numberFlag, printProblem } from './training-flags.js';

const shapeOf = (info: TrainingInfo) => {
  const [c, h, w] = info.input.shape as [1 | 3, number, number];
  return { channels: c, height: h, width: w };
};

const ignoreIndexOf = (info: TrainingInfo): number => (isSegLoss(info.loss) ? info.loss.ignoreIndex : 255);

export async function evalSegmentation(dir: string, info: TrainingInfo, data: string, parsed: Parsed): Promise<number> {
  const json = parsed.flags['json'] === true;
  const batchSize = numberFlag(parsed, 'batch-size', { min: 1, integer: true }, 16);
  const shape = shapeOf(info);
  let set: SegmentationSet;
  if (data === 'synthetic') {
    const samples = numberFlag(parsed, 'samples', { min: 1, integer: true }, 64);
    const seed = numberFlag(parsed, 'seed', { min: 0, integer: true }, 1);
    const synthetic = syntheticSegSet({ classes: info.classes.length, samples, shape, seed });
    if (!synthetic || synthetic.classes.join('\n') !== info.classes.join('\n')) {
      printProblem('eval', { message: `${dir} was trained on a folder (classes ${info.classes.join(', ')}), not on synthetic scenes`, hint: 'pass --data with an images/ + masks/ folder of those classes' });
      return 1;
    }
    set = synthetic;
  } else {
    const loaded = loadSegmentationFolder(data, shape, { classes: info.classes.length, ignoreIndex: ignoreIndexOf(info), expectedClasses: info.classes });
    if (!loaded.ok) {
      printProblem('eval', loaded.problem);
      return loaded.problem.io ? 2 : 1;
    }
    for (const s of loaded.report.skipped) process.stderr.write(`archc eval: skipped ${s.file}: ${s.reason}\n`);
    if (loaded.report.blackAndWhite) process.stderr.write(`archc eval: ${BLACK_AND_WHITE_NOTE}\n`);
    set = loaded.set;
  }
  const log = (line: string) => void (json ? undefined : process.stdout.write(`${line}\n`));
  const predictor = await savedModelPredictor(dir, parsed, log);
  if (!predictor.ok) {
    printProblem('eval', predictor);
    return predictor.io ? 2 : 1;
  }
  let maps: Uint8Array;
  try {
    maps = await engineClassMaps(predictor.value, set, { normalize: info.normalize, batchSize });
  } finally {
    await predictor.value.dispose();
  }
  const confusion = emptyConfusion(info.classes.length);
  addToConfusion(confusion, set.masks, maps);
  const result = segEvaluation(confusion, info.classes, set.count);
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${set.count} images from ${data}\n${formatSegEvaluation(result)}`);
  return 0;
}

interface Readable {
  readonly file: string;
  /** At the model's input size. */
  readonly pixels: Uint8Array;
  /** The image as decoded, RGB, for the overlay. */
  readonly original: { width: number; height: number; rgb: Uint8Array };
}

export async function predictSegmentation(dir: string, info: TrainingInfo, images: readonly string[], parsed: Parsed): Promise<number> {
  const out = parsed.flags['out'] as string;
  const json = parsed.flags['json'] === true;
  const shape = shapeOf(info);
  const readable: Readable[] = [];
  let skipped = 0;
  for (const file of images) {
    const read = readRegularFile(file, MAX_IMAGE_BYTES);
    const decoded = 'error' in read ? { ok: false as const, reason: read.error } : decodeImage(read.bytes);
    if (!decoded.ok || decoded.pixels.width === 0 || decoded.pixels.height === 0) {
      skipped++;
      process.stderr.write(`archc predict: skipped ${file}: ${decoded.ok ? 'the image is empty (0 pixels)' : decoded.reason}\n`);
      continue;
    }
    const rgb = toChannels(decoded.pixels, 3);
    const pixels = resize(toChannels(decoded.pixels, shape.channels), shape.width, shape.height).data;
    readable.push({ file, pixels, original: { width: rgb.width, height: rgb.height, rgb: rgb.data } });
  }
  if (readable.length === 0) {
    printProblem('predict', { message: 'none of the images could be read' });
    return 1;
  }
  const set = unlabelledSet(info.classes, shape, readable);
  const log = (line: string) => void (json ? undefined : process.stderr.write(`${line}\n`));
  const predictor = await savedModelPredictor(dir, parsed, log);
  if (!predictor.ok) {
    printProblem('predict', predictor);
    return predictor.io ? 2 : 1;
  }
  let maps: Uint8Array;
  try {
    maps = await engineClassMaps(predictor.value, set, { normalize: info.normalize, batchSize: 8 });
  } finally {
    await predictor.value.dispose();
  }
  const palette = info.palette ?? vocPalette(info.classes.length);
  const area = shape.height * shape.width;
  const used = new Set<string>();
  const results = [];
  try {
    for (const [i, r] of readable.entries()) {
      const { width, height, rgb } = r.original;
      // The class map at the image's own size, so that mask and overlay line up with the file given.
      const map = resizeNearest(maps.subarray(i * area, (i + 1) * area), shape.width, shape.height, width, height);
      const stem = uniqueStem(basename(r.file, extname(r.file)), used);
      const mask = join(out, `${stem}.mask.png`);
      const picture = join(out, `${stem}.overlay.png`);
      writeFileAtomic(mask, encodePalettePng(map, width, height, palette), { createFolders: true });
      const png = new PNG({ width, height });
      png.data.set(overlay(rgb, map, palette));
      writeFileAtomic(picture, PNG.sync.write(png));
      const shares = classShares(map, info.classes.length);
      results.push({ file: r.file, mask, overlay: picture, classes: Object.fromEntries(info.classes.map((c, k) => [c, shares[k]!])) });
    }
  } catch (e) {
    if (!isFileError(e)) throw e;
    printProblem('predict', { message: `cannot write to ${out}: ${ioReason(e)}` });
    return 2;
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    for (const r of results) {
      const present = Object.entries(r.classes).filter(([, share]) => share > 0).sort((a, b) => b[1] - a[1]);
      const shares = present.map(([name, share]) => `${name} ${(100 * share).toFixed(1)}%`).join(', ');
      process.stdout.write(`${r.file}\n  ${r.mask}\n  ${r.overlay}\n  ${shares}\n`);
    }
  }
  return skipped ? 1 : 0;
}

/** `stem`, or stem-2, stem-3 ... when two images share a name. */
function uniqueStem(stem: string, used: Set<string>): string {
  let name = stem;
  for (let n = 2; used.has(name); n++) name = `${stem}-${n}`;
  used.add(name);
  return name;
}
