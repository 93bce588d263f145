// The segmentation side of a training session (runtime/train/session.ts): which task a model and
// its data ask for, checked against each other; the segmentation data (an images/ + masks/
// folder, or synthetic scenes); and the loss settings. The model decides the task by its output:
// class scores [K] are classification, a score map [K, H, W] at the input's size is segmentation.
import { existsSync } from 'node:fs';
import type { IrGraph } from '../../compiler/ir.js';
import { formatShape } from '../../compiler/ir.js';
import type { DataProblem, SampleShape } from '../data/dataset.js';
import { BLACK_AND_WHITE_NOTE, IGNORE, isSegmentationFolder, loadSegmentationFolder, pixelCounts, type SegLoadReport, type SegmentationSet } from '../data/masks.js';
import { syntheticSegSet } from '../data/seg-synthetic.js';
import { balancedClassWeights, type OutputKind } from './losses.js';
import { segLossKinds, type SegLossKind, type SegLossSpec } from './seg-losses.js';

export interface SegModelIo {
  readonly classes: number;
  readonly output: OutputKind;
  /** Score outputs: the main one first, then auxiliary heads (fcn_resnet50's aux). */
  readonly outputs: number;
}

type Fail = { ok: false; problem: DataProblem };
const fail = (message: string, hint?: string): Fail => ({ ok: false, problem: { message, hint } });

/** The model as a segmentation network, when its first output is a [K, H, W] score map; else undefined. */
export function segModelIo(graph: IrGraph, sample: SampleShape): { ok: true; io: SegModelIo } | Fail | undefined {
  const outputs = graph.outputs.map((o) => ({ name: o.name, node: graph.nodes[o.node]! }));
  const main = outputs[0]!;
  if (main.node.shape.length !== 3) return undefined;
  const [k, h, w] = main.node.shape as [number, number, number];
  if (h !== sample.height || w !== sample.width) {
    return fail(
      `${graph.model}'s output ${main.name} is ${formatShape(main.node.shape)} but its input is ${sample.height}×${sample.width}; segmentation needs one score per class for every input pixel`,
      'up-sample the scores to the input size (upsample(size=[H, W], mode="bilinear")), or use a "same" padded network such as unet_same',
    );
  }
  if (k < 2 || k > IGNORE) return fail(`${graph.model} scores ${k} classes per pixel; segmentation takes 2 to ${IGNORE}`, k < 2 ? 'give it two classes (background and object), e.g. --set classes=2' : undefined);
  for (const other of outputs.slice(1)) {
    if (formatShape(other.node.shape) !== formatShape(main.node.shape)) {
      return fail(`${graph.model}'s output ${other.name} is ${formatShape(other.node.shape)}; besides the main score map ${main.name}, segmentation takes only auxiliary score maps of the same shape`);
    }
  }
  const op = main.node.op;
  if (op === 'sigmoid') return fail(`${graph.model} ends in sigmoid; segmentation trains K ≥ 2 class scores per pixel with softmax`, 'end the model in logits (a conv to the classes)');
  if (op === 'softmax' && (main.node.attrs as { axis: number }).axis !== 0) {
    return fail(`${graph.model}'s softmax is not over the class axis (axis=0 of [K, H, W])`, 'use softmax(axis=0), or end the model in logits');
  }
  return { ok: true, io: { classes: k, output: op === 'softmax' ? 'softmax' : 'logits', outputs: outputs.length } };
}

export interface SegDataRequest {
  readonly data: { readonly kind: 'folder'; readonly path: string } | { readonly kind: 'synthetic'; readonly samples: number };
  readonly ignoreIndex: number;
  readonly seed: number;
}

/** The segmentation data for a model scoring `classes` per pixel (a resumed run's class names, if any). */
export function loadSegData(req: SegDataRequest, sample: SampleShape, classes: number, expected?: readonly string[]): { ok: true; set: SegmentationSet; report?: SegLoadReport } | Fail {
  if (req.data.kind === 'synthetic') {
    const set = syntheticSegSet({ classes, samples: req.data.samples, shape: sample, seed: req.seed });
    if (!set) return fail(`synthetic segmentation scenes have 2, 3 or 4 classes (background and up to circle, square, triangle); the model scores ${classes}`, 'compile it with --set classes=4, or train on a folder');
    return { ok: true, set };
  }
  // A folder that does not exist is an I/O problem (exit 2), which the loader words.
  if (!existsSync(req.data.path)) return loadSegmentationFolder(req.data.path, sample, { classes, ignoreIndex: req.ignoreIndex });
  if (!isSegmentationFolder(req.data.path)) {
    return fail(
      `the model outputs a score map per class (segmentation), so --data needs ${req.data.path}/images/ and ${req.data.path}/masks/`,
      'masks/ holds one PNG per image, with the same name, whose pixels are class indices (docs/training.md, "Segmentation")',
    );
  }
  return loadSegmentationFolder(req.data.path, sample, { classes, ignoreIndex: req.ignoreIndex, expectedClasses: expected });
}

/** A classification model given a segmentation folder: say so rather than find no class folders. */
export function segFolderForClassifier(path: string, model: string, units: number): Fail | undefined {
  if (!isSegmentationFolder(path)) return undefined;
  return fail(
    `${path} is a segmentation dataset (images/ + masks/) but ${model} outputs ${units} class scores per image`,
    'train a segmentation model (its output a [K, H, W] score map, e.g. unet_same), or give a folder with one subfolder per class',
  );
}

export interface SegLossRequest {
  readonly loss?: string;
  readonly smoothing: number;
  readonly classWeights?: 'balanced' | readonly number[];
  readonly ignoreIndex: number;
}

export function segLossSpec(req: SegLossRequest, set: SegmentationSet, train: ArrayLike<number>): SegLossSpec | DataProblem {
  const kind = (req.loss ?? 'ce') as SegLossKind;
  if (!segLossKinds.includes(kind)) return { message: `--loss ${req.loss} is for classification; segmentation takes ${segLossKinds.join(', ')}` };
  if (req.smoothing > 0) return { message: '--label-smoothing applies to classification' };
  let classWeights: number[] | undefined;
  if (req.classWeights === 'balanced') classWeights = balancedClassWeights(pixelCounts(set, train));
  else if (req.classWeights) {
    if (req.classWeights.length !== set.classes.length) {
      return { message: `--class-weights gives ${req.classWeights.length} weights for ${set.classes.length} classes` };
    }
    classWeights = [...req.classWeights];
  }
  if (classWeights && kind === 'dice') return { message: '--class-weights weighs the cross-entropy term: use --loss ce or dice-ce' };
  return { kind, task: 'segmentation', ignoreIndex: req.ignoreIndex, auxWeight: 0.5, ...(classWeights && { classWeights }) };
}

export function describeSegSet(set: SegmentationSet, report?: SegLoadReport): string {
  const counts = pixelCounts(set);
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const shares = set.classes.map((c, i) => `${c} ${((100 * counts[i]!) / total).toFixed(1)}%`).join(', ');
  const skipped = report?.skipped.length ? `, ${report.skipped.length} skipped` : '';
  const bw = report?.blackAndWhite ? ` (${BLACK_AND_WHITE_NOTE})` : '';
  const { height, width, channels } = set.shape;
  return `${set.count} images with masks${bw} (pixels: ${shares})${skipped}, resized to ${height}×${width}×${channels}`;
}
