// Segmentation data: `<data>/images/` and `<data>/masks/` with the same file names (the mask is
// always a PNG: `images/a.jpg` pairs with `masks/a.png`), plus an optional `classes.json`. A mask
// pixel holds its class index: a grey or palette PNG stores it directly; a colour PNG needs the
// colours listed in classes.json. Pairs that cannot be used (no mask, sizes that differ, a class
// index the model does not have) are skipped and counted; loading fails only when none remain.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { MAX_IMAGE_BYTES, readRegularFile } from '../../compiler/node-host.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import type { DataProblem, ImageSet, LoadReport, SampleShape } from './dataset.js';
import { decodeImage, imageExtensions, resize, toChannels, type Pixels } from './image.js';
import { pngInfo, vocPalette, type Rgb } from './palette-png.js';

/** The value masks hold in memory for pixels that no loss or metric counts. */
export const IGNORE = 255;

/** Images with one class index per pixel; `labels` are all 0 (there is no image-level class). */
export interface SegmentationSet extends ImageSet {
  readonly task: 'segmentation';
  /** count × height × width class indices, IGNORE where unlabelled. */
  readonly masks: Uint8Array;
  /** One colour per class, for mask PNGs and overlays. */
  readonly palette: readonly Rgb[];
}

export const isSegmentationSet = (set: ImageSet): set is SegmentationSet => (set as Partial<SegmentationSet>).task === 'segmentation';

export interface MaskOptions {
  /** The model's scores per pixel (K): class indices must lie in [0, K). */
  readonly classes: number;
  /** The mask value that marks unlabelled pixels (PASCAL VOC's 255 by default). */
  readonly ignoreIndex: number;
  /** A trained model's class names: the data's classes.json must agree. */
  readonly expectedClasses?: readonly string[];
}

export interface SegLoadReport extends LoadReport {
  /**
   * The masks were black and white (0 and 255 only) for a 2-class model: 255 was read as class 1,
   * not as the ignore index, which would have left no foreground pixel to learn from.
   */
  readonly blackAndWhite?: boolean;
}

/** What is said when readAsBlackAndWhite applied. */
export const BLACK_AND_WHITE_NOTE = 'black-and-white masks: 255 read as class 1, not as the ignore index';

export type SegLoadResult =
  | { ok: true; set: SegmentationSet; report: SegLoadReport }
  | { ok: false; problem: DataProblem };

/** Whether `root` is laid out for segmentation (it has both images/ and masks/). */
export function isSegmentationFolder(root: string): boolean {
  return isDir(join(root, 'images')) && isDir(join(root, 'masks'));
}

export function loadSegmentationFolder(root: string, shape: SampleShape, options: MaskOptions): SegLoadResult {
  const fail = (message: string, path?: string, hint?: string, notes?: string[]): SegLoadResult => ({ ok: false, problem: { message, path, hint, notes } });
  if (!isDir(root)) return { ok: false, problem: { message: `the data folder ${root} does not exist`, path: root, io: true } };
  if (!isSegmentationFolder(root)) {
    return fail(`${root} is not a segmentation dataset`, root, 'put the images in <data>/images/ and their PNG masks, with the same names, in <data>/masks/');
  }
  const named = readClassesJson(root, options.classes);
  if (!named.ok) return { ok: false, problem: named.problem };
  const { classes, colours } = named;
  if (options.expectedClasses && options.expectedClasses.join('\n') !== classes.join('\n')) {
    return fail(`the data's classes (${classes.join(', ')}) are not the model's (${options.expectedClasses.join(', ')})`, join(root, 'classes.json'));
  }
  const imageDir = join(root, 'images');
  const maskDir = join(root, 'masks');
  const candidates = walk(imageDir);
  const images = candidates.filter((f) => (imageExtensions as readonly string[]).includes(extname(f).toLowerCase()));
  if (images.length === 0) return fail(`${imageDir} has no PNG or JPEG images`, imageDir);
  const paired = new Set<string>();
  const skipped: { file: string; reason: string }[] = [];
  const pixels: Uint8Array[] = [];
  const masks: Uint8Array[] = [];
  const files: string[] = [];
  for (const image of images) {
    const rel = relative(imageDir, image);
    const maskPath = join(maskDir, rel.slice(0, rel.length - extname(rel).length) + '.png');
    paired.add(maskPath);
    const pair = loadPair(image, maskPath, shape, { ...options, colours });
    if (!pair.ok) {
      skipped.push({ file: image, reason: pair.reason });
      continue;
    }
    pixels.push(pair.pixels);
    masks.push(pair.mask);
    files.push(image);
  }
  if (files.length === 0) {
    const notes = skipped.slice(0, 3).map((s) => `${relative(root, s.file)}: ${s.reason}`);
    return fail(`none of the ${images.length} images in ${imageDir} has a usable mask`, root, 'each image needs masks/<same name>.png of its size, holding class indices', notes);
  }
  const orphans = walk(maskDir).filter((m) => !paired.has(m)).length;
  const allMasks = concatChunks(masks);
  const blackAndWhite = options.classes === 2 && options.ignoreIndex === IGNORE && readAsBlackAndWhite(allMasks);
  const set: SegmentationSet = {
    task: 'segmentation',
    classes,
    shape,
    count: files.length,
    pixels: concatChunks(pixels),
    labels: new Int32Array(files.length),
    files,
    masks: allMasks,
    palette: colours ?? vocPalette(classes.length),
  };
  return { ok: true, set, report: { loaded: files.length, skipped, ignored: candidates.length - images.length + orphans, ...(blackAndWhite && { blackAndWhite }) } };
}

/**
 * Binary masks are most often saved black and white (0 and 255), and 255 is also the usual ignore
 * index: when a 2-class dataset has ignored pixels but not one pixel of class 1, its 255s are the
 * foreground. Rewrites them to class 1 in place and says whether it did.
 */
function readAsBlackAndWhite(masks: Uint8Array): boolean {
  let ignored = 0;
  for (const v of masks) {
    if (v === 1) return false;
    if (v === IGNORE) ignored++;
  }
  if (ignored === 0) return false;
  for (let i = 0; i < masks.length; i++) if (masks[i] === IGNORE) masks[i] = 1;
  return true;
}

type Named = { ok: true; classes: string[]; colours?: Rgb[] } | { ok: false; problem: DataProblem };

/**
 * classes.json: a list of names (["background", "cat"]) or of {name, color: [r, g, b]}. Without it
 * the classes are class0 … class{K-1}.
 */
export function readClassesJson(root: string, count: number): Named {
  const path = join(root, 'classes.json');
  const problem = (message: string, hint?: string): Named => ({ ok: false, problem: { message: `${path}: ${message}`, path, hint } });
  if (!existsSync(path)) return { ok: true, classes: Array.from({ length: count }, (_, k) => `class${k}`) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return problem(`not valid JSON: ${(e as Error).message}`);
  }
  const shapeHint = 'write ["background", "cat", ...] or [{"name": "background", "color": [0, 0, 0]}, ...]';
  if (!Array.isArray(parsed) || parsed.length === 0) return problem('expected a list of class names', shapeHint);
  const classes: string[] = [];
  const colours: Rgb[] = [];
  for (const [i, entry] of parsed.entries()) {
    if (typeof entry === 'string') classes.push(entry);
    else if (entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
      const { name, color } = entry as { name: string; color?: unknown };
      classes.push(name);
      if (color !== undefined) {
        const ok = Array.isArray(color) && color.length === 3 && color.every((v) => Number.isInteger(v) && v >= 0 && v <= 255);
        if (!ok) return problem(`class ${i} (${name}): color must be [r, g, b] with whole numbers 0–255`);
        colours.push(color as unknown as Rgb);
      }
    } else return problem(`entry ${i} is neither a name nor {name, color}`, shapeHint);
  }
  if (colours.length && colours.length !== classes.length) return problem('give a color for every class or for none');
  if (classes.length !== count) {
    return { ok: false, problem: { message: `${path} names ${classes.length} classes but the model scores ${count} per pixel`, path, hint: `compile the model for ${classes.length} classes, e.g. --set classes=${classes.length}` } };
  }
  return { ok: true, classes, ...(colours.length && { colours }) };
}

type Pair = { ok: true; pixels: Uint8Array; mask: Uint8Array } | { ok: false; reason: string };

function loadPair(imagePath: string, maskPath: string, shape: SampleShape, options: MaskOptions & { colours?: readonly Rgb[] }): Pair {
  if (!existsSync(maskPath)) return { ok: false, reason: `no mask ${maskPath}` };
  const imageBytes = readRegularFile(imagePath, MAX_IMAGE_BYTES);
  if ('error' in imageBytes) return { ok: false, reason: `cannot read: ${imageBytes.error}` };
  const image = decodeImage(imageBytes.bytes);
  if (!image.ok) return image;
  const maskBytes = readRegularFile(maskPath, MAX_IMAGE_BYTES);
  if ('error' in maskBytes) return { ok: false, reason: `cannot read the mask ${maskPath}: ${maskBytes.error}` };
  const mask = decodeMask(maskBytes.bytes, options);
  if (!mask.ok) return { ok: false, reason: `mask ${maskPath}: ${mask.reason}` };
  const { width, height } = image.pixels;
  if (mask.width !== width || mask.height !== height) {
    return { ok: false, reason: `the mask is ${mask.width}×${mask.height} but the image is ${width}×${height}` };
  }
  if (width === 0 || height === 0) return { ok: false, reason: 'the image is empty (0 pixels)' };
  const pixels = resize(toChannels(image.pixels, shape.channels), shape.width, shape.height).data;
  return { ok: true, pixels, mask: resizeNearest(mask.indices, width, height, shape.width, shape.height) };
}

export type MaskDecode = { ok: true; width: number; height: number; indices: Uint8Array } | { ok: false; reason: string };

/**
 * A mask PNG's class indices, IGNORE for the ignore index. Palette PNGs give the palette index,
 * grey ones the grey level, colour ones the class whose classes.json colour they have.
 */
export function decodeMask(bytes: Uint8Array, options: MaskOptions & { colours?: readonly Rgb[] }): MaskDecode {
  const info = pngInfo(bytes);
  if (!info) return { ok: false, reason: 'not a PNG (masks must be PNG: JPEG compression changes class values at edges)' };
  const { header, palette } = info;
  if (header.bitDepth === 16) return { ok: false, reason: 'a 16-bit PNG; save masks with 8 bits per value' };
  const decoded = decodeImage(bytes);
  if (!decoded.ok) return decoded;
  const p: Pixels = decoded.pixels;
  const n = p.width * p.height;
  const indices = new Uint8Array(n);
  const colourIndex = new Map<number, number>();
  const colourList = header.colourType === 3 ? palette : options.colours;
  colourList?.forEach((c, i) => {
    const key = (c[0] << 16) | (c[1] << 8) | c[2];
    if (!colourIndex.has(key)) colourIndex.set(key, i);
  });
  const grey = header.colourType === 0 || header.colourType === 4;
  // pngjs stretches grey levels of 1, 2 and 4 bits to 0–255; undo it to get the stored value.
  const greyScale = grey && header.bitDepth < 8 ? 255 / ((1 << header.bitDepth) - 1) : 1;
  for (let i = 0; i < n; i++) {
    const r = p.data[i * 4]!, g = p.data[i * 4 + 1]!, b = p.data[i * 4 + 2]!;
    let value: number | undefined;
    if (colourList) value = colourIndex.get((r << 16) | (g << 8) | b);
    else if (grey || (r === g && g === b)) value = Math.round(r / greyScale);
    if (value === undefined) {
      const where = `(${i % p.width}, ${Math.floor(i / p.width)})`;
      return colourList
        ? { ok: false, reason: `colour (${r}, ${g}, ${b}) at ${where} is not a class colour` }
        : { ok: false, reason: `a colour mask (pixel ${where} is (${r}, ${g}, ${b})); list the class colours in classes.json or store class indices as grey levels` };
    }
    if (value === options.ignoreIndex) indices[i] = IGNORE;
    else if (value >= options.classes) {
      return { ok: false, reason: `class index ${value} at (${i % p.width}, ${Math.floor(i / p.width)}) is out of range: the model has ${options.classes} classes (0–${options.classes - 1}; ignore index ${options.ignoreIndex})` };
    } else indices[i] = value;
  }
  return { ok: true, width: p.width, height: p.height, indices };
}

/** Nearest-neighbour resize with half-pixel centres: class indices are never blended. */
export function resizeNearest(src: Uint8Array, w: number, h: number, outW: number, outH: number): Uint8Array {
  if (w === outW && h === outH) return src;
  const out = new Uint8Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / outH));
    for (let x = 0; x < outW; x++) out[y * outW + x] = src[sy * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / outW))]!;
  }
  return out;
}

/** Labelled pixels per class over `indices` (for --class-weights balanced and the data summary). */
export function pixelCounts(set: SegmentationSet, indices?: ArrayLike<number>): number[] {
  const counts = new Array<number>(set.classes.length).fill(0);
  const size = set.shape.height * set.shape.width;
  const n = indices ? indices.length : set.count;
  for (let i = 0; i < n; i++) {
    const offset = (indices ? indices[i]! : i) * size;
    for (let j = 0; j < size; j++) {
      const k = set.masks[offset + j]!;
      if (k !== IGNORE) counts[k]!++;
    }
  }
  return counts;
}

// Collects into one array rather than returning and spreading arrays: a folder of 130,000 images
// spread into push() would overflow the stack.
function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile()) out.push(path);
  }
  return out;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
