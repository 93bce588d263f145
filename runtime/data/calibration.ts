// Calibration images for post-training quantization: every PNG or JPEG under a folder (flat, or one
// subfolder per class as for training; labels are not needed), decoded and resized exactly as
// predict and eval do. Files that do not decode are skipped and named; a folder with no usable
// image is an error.
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { imageExtensions } from './image.js';
import { readImageFile, unlabelledSet, walk, type DataProblem, type ImageSet, type SampleShape } from './dataset.js';

export type CalibrationResult =
  | { ok: true; set: ImageSet; skipped: readonly { file: string; reason: string }[]; unused: number }
  | { ok: false; problem: DataProblem; skipped: readonly { file: string; reason: string }[] };

/** At most `limit` images (the first in path order); more rarely moves a range and costs time. */
export function loadCalibrationImages(root: string, shape: SampleShape, limit: number): CalibrationResult {
  let stat;
  try {
    stat = statSync(root);
  } catch {
    return { ok: false, skipped: [], problem: { message: `the calibration folder ${root} does not exist`, path: root, io: true } };
  }
  if (!stat.isDirectory()) {
    return { ok: false, skipped: [], problem: { message: `--calibrate must be a folder of images, and ${root} is a file`, path: root, io: true } };
  }
  const images = walk(root).filter((f) => (imageExtensions as readonly string[]).includes(extname(f).toLowerCase()));
  const hint = 'put some of the images the model will see (a few hundred from the training set are typical) in the folder, as PNG or JPEG';
  if (images.length === 0) return { ok: false, skipped: [], problem: { message: `the calibration folder ${root} has no PNG or JPEG images`, path: root, hint, io: true } };
  const skipped: { file: string; reason: string }[] = [];
  const readable: { file: string; pixels: Uint8Array }[] = [];
  let next = 0;
  for (; next < images.length && readable.length < limit; next++) {
    const file = images[next]!;
    const decoded = readImageFile(file, shape);
    if (decoded.ok) readable.push({ file, pixels: decoded.pixels.data });
    else skipped.push({ file, reason: decoded.reason });
  }
  if (readable.length === 0) {
    const message = `none of the ${images.length} images in the calibration folder ${root} could be read`;
    return { ok: false, skipped, problem: { message, path: root, hint, io: true } };
  }
  return { ok: true, set: unlabelledSet([], shape, readable), skipped, unused: images.length - next };
}
