// Datasets in memory: an image folder (one subfolder per class) or a synthetic set for demos,
// held as 8-bit HWC pixels at the model's input size, plus a stratified validation split.
import { isUtf8 } from 'node:buffer';
import { readdirSync, statSync } from 'node:fs';
import { MAX_IMAGE_BYTES, readRegularFile } from '../../compiler/node-host.js';
import { basename, extname, join } from 'node:path';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import { imageExtensions, loadPixels, type DecodeResult } from './image.js';
import { Rng } from './rng.js';

/** One sample's size, in the tfjs (NHWC) order the pixels are stored in. */
export interface SampleShape {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
}

export interface ImageSet {
  readonly classes: readonly string[];
  readonly shape: SampleShape;
  readonly count: number;
  /** count × height × width × channels bytes. */
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
  /** The file each sample came from ('' for synthetic samples). */
  readonly files: readonly string[];
}

/** A problem with the data that stops training; `path` is the file or folder it is about. */
export interface DataProblem {
  readonly message: string;
  readonly path?: string;
  readonly notes?: readonly string[];
  readonly hint?: string;
  /** A usage or I/O problem (a missing folder, an unwritable output): exit code 2, not 1. */
  readonly io?: boolean;
}

export interface LoadReport {
  readonly loaded: number;
  /** Image files that could not be decoded, with the reason. */
  readonly skipped: readonly { file: string; reason: string }[];
  /** Files that are not PNG or JPEG by extension (README.txt, .DS_Store, ...). */
  readonly ignored: number;
}

export type LoadResult = { ok: true; set: ImageSet; report: LoadReport } | { ok: false; problem: DataProblem };

export const sampleSize = (s: SampleShape): number => s.height * s.width * s.channels;

/**
 * Reads `root/<class>/**.{png,jpg,jpeg}`. Classes are the subfolder names in code-point order (as
 * torchvision's ImageFolder); `expectedClasses` (a trained model's) fixes the label order instead.
 */
export function loadImageFolder(root: string, shape: SampleShape, expectedClasses?: readonly string[]): LoadResult {
  const stat = statOrUndefined(root);
  if (!stat) return { ok: false, problem: { message: `the data folder ${root} does not exist`, path: root, io: true } };
  if (!stat.isDirectory()) return { ok: false, problem: { message: `--data must be a folder with one subfolder per class, and ${root} is a file`, path: root, io: true } };
  const entries = readdirSync(root, { withFileTypes: true, encoding: 'buffer' });
  const misnamed = entries.find((e) => e.isDirectory() && !isUtf8(e.name));
  if (misnamed) {
    const message = `the class folder ${escapedName(misnamed.name)} in ${root} has a name that is not valid UTF-8`;
    return fail(message, root, 'rename it: class names are kept as text in training.json and the exported model');
  }
  const folders = entries
    .map((e) => ({ name: e.name.toString('utf8'), isDirectory: e.isDirectory() }))
    .filter((e) => e.isDirectory && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byCodePoint);
  if (folders.length === 0) {
    return fail(`no class folders in ${root}`, root, 'put each class in its own subfolder: <data>/cat/1.png, <data>/dog/2.jpg, ...');
  }
  const classes = expectedClasses ?? folders;
  const unknown = folders.filter((f) => !classes.includes(f));
  if (unknown.length) {
    return fail(`the data has classes the model was not trained on: ${unknown.join(', ')}`, root, `the model knows ${classes.join(', ')}`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  const chunks: Uint8Array[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let ignored = 0;
  for (const folder of folders) {
    const misnamedFiles: string[] = [];
    const candidates = walk(join(root, folder), misnamedFiles);
    for (const file of misnamedFiles) skipped.push({ file, reason: 'its name is not valid UTF-8 (rename it)' });
    const images = candidates.filter((f) => (imageExtensions as readonly string[]).includes(extname(f).toLowerCase()));
    ignored += candidates.length - images.length;
    if (images.length === 0) {
      return fail(`the class folder ${join(root, folder)} has no PNG or JPEG images`, join(root, folder), 'add images to it or remove the folder');
    }
    let usable = 0;
    for (const file of images) {
      const decoded = readImageFile(file, shape);
      if (!decoded.ok) {
        skipped.push({ file, reason: decoded.reason });
        continue;
      }
      chunks.push(decoded.pixels.data);
      files.push(file);
      labels.push(classes.indexOf(folder));
      usable++;
    }
    if (usable === 0) {
      const notes = skipped.slice(-3).map((s) => `${basename(s.file)}: ${s.reason}`);
      const message = `every image in the class folder ${join(root, folder)} is unreadable (${images.length} skipped)`;
      return fail(message, join(root, folder), undefined, notes);
    }
  }
  const pixels = new Uint8Array(chunks.length * sampleSize(shape));
  chunks.forEach((c, i) => pixels.set(c, i * sampleSize(shape)));
  const set: ImageSet = { classes, shape, count: labels.length, pixels, labels: Int32Array.from(labels), files };
  return { ok: true, set, report: { loaded: labels.length, skipped, ignored } };
}

/**
 * A learnable synthetic set: class k is a grating at angle k·180°/K with a class-specific tint,
 * random phase and frequency jitter, plus pixel noise. Conv nets separate the classes in a few epochs.
 */
export function syntheticSet(options: { classes: number; samples: number; shape: SampleShape; seed: number }): ImageSet {
  const { classes, samples, shape, seed } = options;
  const rng = new Rng(seed);
  const size = sampleSize(shape);
  const pixels = new Uint8Array(samples * size);
  const labels = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const k = s % classes;
    labels[s] = k;
    const angle = (Math.PI * k) / classes;
    const frequency = (2 * Math.PI * rng.uniform(2.5, 3.5)) / Math.max(shape.width, shape.height);
    const phase = rng.uniform(0, 2 * Math.PI);
    const tint = [0, 1, 2].map((c) => 0.6 + 0.4 * Math.cos(angle * 2 + (c * 2 * Math.PI) / 3));
    for (let y = 0; y < shape.height; y++) {
      for (let x = 0; x < shape.width; x++) {
        const wave = 0.5 + 0.4 * Math.sin(frequency * (x * Math.cos(angle) + y * Math.sin(angle)) + phase);
        for (let c = 0; c < shape.channels; c++) {
          const value = wave * (shape.channels === 3 ? tint[c]! : 1) + 0.05 * rng.normal();
          pixels[s * size + (y * shape.width + x) * shape.channels + c] = Math.round(255 * Math.min(1, Math.max(0, value)));
        }
      }
    }
  }
  const names = Array.from({ length: classes }, (_, k) => `class${k}`);
  return { classes: names, shape, count: samples, pixels, labels, files: Array<string>(samples).fill('') };
}

export interface Split {
  readonly train: Int32Array;
  readonly val: Int32Array;
}

/** Stratified: each class gives round(n·fraction) samples (at least one when it has two or more). */
export function splitIndices(set: ImageSet, fraction: number, seed: number): Split {
  const rng = new Rng(seed);
  const train: number[] = [];
  const val: number[] = [];
  for (let k = 0; k < set.classes.length; k++) {
    const members = rng.shuffle(indicesOf(set, k));
    let take = Math.round(members.length * fraction);
    if (fraction > 0 && take === 0 && members.length >= 2) take = 1;
    if (take >= members.length) take = members.length - 1;
    // A loop, not push(...spread): a class of 130,000 images would overflow the stack.
    members.forEach((m, j) => (j < take ? val : train).push(m));
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), val: Int32Array.from(val.sort((a, b) => a - b)) };
}

export function classCounts(set: ImageSet, indices?: ArrayLike<number>): number[] {
  const counts = new Array<number>(set.classes.length).fill(0);
  const n = indices ? indices.length : set.count;
  for (let i = 0; i < n; i++) counts[set.labels[indices ? indices[i]! : i]!]!++;
  return counts;
}

function indicesOf(set: ImageSet, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < set.count; i++) if (set.labels[i] === k) out.push(i);
  return out;
}

/**
 * Every regular file under `dir`, hidden ones excluded, in code-point order. Names that are not
 * valid UTF-8 cannot be opened by a string path (Node decodes their bytes lossily): they go to
 * `misnamed`, escaped, instead.
 */
export function walk(dir: string, misnamed: string[] = []): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }).filter((e) => {
    if (isUtf8(e.name)) return true;
    misnamed.push(join(dir, escapedName(e.name)));
    return false;
  });
  const named = entries.map((e) => ({ name: e.name.toString('utf8'), isDirectory: () => e.isDirectory(), isFile: () => e.isFile(), isSymbolicLink: () => e.isSymbolicLink() }));
  for (const e of named.sort((a, b) => byCodePoint(a.name, b.name))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) for (const file of walk(path, misnamed)) out.push(file);
    else if (e.isFile() || (e.isSymbolicLink() && statOrUndefined(path)?.isFile())) out.push(path);
  }
  return out;
}

/** Reads and decodes one image file at `shape`, or says why it cannot be used. */
export function readImageFile(file: string, shape: SampleShape): DecodeResult {
  const bytes = readOrReason(file);
  return typeof bytes === 'string' ? { ok: false, reason: bytes } : loadPixels(bytes, shape);
}

/** Images without labels (predict, calibration) as one ImageSet. */
export function unlabelledSet(classes: readonly string[], shape: SampleShape, items: readonly { file: string; pixels: Uint8Array }[]): ImageSet {
  return {
    classes,
    shape,
    count: items.length,
    pixels: concatChunks(items.map((r) => r.pixels)),
    labels: new Int32Array(items.length),
    files: items.map((r) => r.file),
  };
}

export function readOrReason(file: string): Uint8Array | string {
  const read = readRegularFile(file, MAX_IMAGE_BYTES);
  return 'error' in read ? (read.error === 'permission denied' ? read.error : `cannot read: ${read.error}`) : read.bytes;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A file name's bytes as text, with each byte outside printable ASCII as \\xNN. */
export function escapedName(name: Buffer): string {
  return [...name].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function fail(message: string, path?: string, hint?: string, notes?: string[]): LoadResult {
  return { ok: false, problem: { message, path, hint, notes } };
}
