// What explain and features share: the model to look inside (a run folder from `archc train`, or a
// .arch file / zoo name with --weights), its input preprocessing exactly as predict applies it, and
// the images, each decoded at the model's input size and at the size pictures are drawn at.
import type { CompileResult } from '../../../compiler/compile.js';
import type { IrGraph } from '../../../compiler/ir.js';
import { MAX_IMAGE_BYTES, readRegularFile } from '../../../compiler/node-host.js';
import type { Weights } from '../../../compiler/weights/tensor.js';
import { makeBatch, normalizePresets, type Normalize, type NormalizePreset } from '../../../runtime/data/batch.js';
import { decodeImage, resize, toChannels, type Pixels } from '../../../runtime/data/image.js';
import { displaySize } from '../../../runtime/explain/render.js';
import { pretrainedWeights } from '../../../runtime/persist/pretrained.js';
import { isRunFolder, openRunFolder } from '../../../runtime/persist/run-folder.js';
import type { OutputKind } from '../../../runtime/train/losses.js';
import { UsageError, type FlagSpec, type Parsed } from '../args.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, isIoFailure, printDiagnostics } from './common.js';
import { choiceFlag } from './training-flags.js';

export const targetFlags: Record<string, FlagSpec> = { ...compileFlags, weights: { type: 'string' }, normalize: { type: 'string' }, backend: { type: 'string' } };

export const targetUsage = `  <run-folder>            a folder written by 'archc train -o' (its weights, classes, normalization)
  <model>                 or a .arch file or zoo name, with:
      --weights FILE      its weights (safetensors or ONNX, matched by name, strictly; also with a run folder)
      --normalize NAME    the input normalization it was trained with: unit, symmetric or imagenet
                          (default symmetric, as archc train's)
${compileFlagsUsage}`;

export interface Target {
  readonly graph: IrGraph;
  /** Undefined: the model's seeded initial weights. */
  readonly weights?: Weights;
  readonly origin?: string;
  /** Class names, when the run folder has them. */
  readonly classes?: readonly string[];
  readonly normalize: Normalize;
  readonly output: OutputKind;
}

/** A problem and its exit status: 1 the model does not fit, 2 usage or I/O. */
export interface Failure {
  readonly message: string;
  readonly hint?: string;
  readonly status: 1 | 2;
  /** Compiler diagnostics to print instead of the message. */
  readonly compiled?: CompileResult;
}

export type Opened<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & Failure);

export function openTarget(path: string, parsed: Parsed): Opened<Target> {
  const weightsFile = parsed.flags['weights'] as string | undefined;
  if (isRunFolder(path)) {
    for (const flag of ['normalize', 'model', 'set', 'input']) {
      if (parsed.flags[flag] !== undefined) throw new UsageError(`--${flag} does not apply to a run folder: its training.json says how the model was built and fed`);
    }
    const run = openRunFolder(path);
    if (!run.ok) return { ok: false, message: run.message, hint: run.hint, status: 2 };
    const { info, graph } = run.value;
    const weights = weightsFile ? readWeights(graph, weightsFile) : { ok: true as const, value: run.value.weights };
    if (!weights.ok) return weights;
    return { ok: true, value: { graph, weights: weights.value, origin: weightsFile ?? path, classes: info.classes, normalize: info.normalize, output: info.output } };
  }
  const compiled = compileTarget(path, compileOptions(parsed));
  if (!compiled.ok || !compiled.graph) return { ok: false, message: 'the model does not compile', status: isIoFailure(compiled) ? 2 : 1, compiled };
  const graph = compiled.graph;
  const weights = weightsFile ? readWeights(graph, weightsFile) : undefined;
  if (weights && !weights.ok) return weights;
  const preset = choiceFlag(parsed, 'normalize', Object.keys(normalizePresets) as NormalizePreset[], 'symmetric');
  const last = graph.nodes[graph.outputs[0]?.node ?? -1];
  const output: OutputKind = last?.op === 'softmax' ? 'softmax' : last?.op === 'sigmoid' ? 'sigmoid' : 'logits';
  return { ok: true, value: { graph, weights: weights?.value, origin: weightsFile, normalize: normalizePresets[preset], output } };
}

function readWeights(graph: IrGraph, file: string): Opened<Weights> {
  const read = pretrainedWeights(graph, file, 0);
  if (!read.ok) return { ok: false, message: read.problem.message, hint: [...(read.problem.notes ?? []), read.problem.hint].filter(Boolean).join('; ') || undefined, status: 2 };
  return { ok: true, value: read.weights };
}

export interface InputImage {
  readonly file: string;
  /** At the model's input size and channel count, 8-bit HWC. */
  readonly model: Pixels;
  /** RGB at the size pictures are drawn at (render.ts displaySize). */
  readonly display: Pixels;
}

/** Reads every image, or says which one cannot be read (before anything is computed or written). */
export function readImages(files: readonly string[], shape: { channels: 1 | 3; height: number; width: number }): Opened<InputImage[]> {
  const out: InputImage[] = [];
  for (const file of files) {
    const read = readRegularFile(file, MAX_IMAGE_BYTES);
    if ('error' in read) return { ok: false, message: `cannot read the image ${file}: ${read.error}`, status: 2 };
    const decoded = decodeImage(read.bytes);
    if (!decoded.ok) return { ok: false, message: `cannot read the image ${file}: ${decoded.reason}`, status: 2 };
    const { pixels } = decoded;
    if (pixels.width === 0 || pixels.height === 0) return { ok: false, message: `cannot read the image ${file}: it is empty (0 pixels)`, status: 2 };
    // As runtime/data/image.ts loadPixels (what predict uses) makes the model's input.
    const model = resize(toChannels(pixels, shape.channels), shape.width, shape.height);
    const size = displaySize(pixels.width, pixels.height);
    out.push({ file, model, display: resize(toChannels(pixels, 3), size.width, size.height) });
  }
  return { ok: true, value: out };
}

/** The model's input for one image: normalized NHWC floats, through the batching predict uses. */
export function modelInput(image: InputImage, normalize: Normalize): Float32Array {
  const { width, height, channels, data } = image.model;
  const set = { classes: [], shape: { width, height, channels: channels as 1 | 3 }, count: 1, pixels: data, labels: new Int32Array(1), files: [image.file] };
  return makeBatch(set, [0], 0, 1, { normalize }).x;
}

/** Prints a failure (diagnostics for a model that does not compile) and returns its exit status. */
export function report(command: string, failure: Failure): number {
  if (failure.compiled) printDiagnostics(failure.compiled);
  else process.stderr.write(`archc ${command}: ${failure.message}\n${failure.hint ? `  hint: ${failure.hint}\n` : ''}`);
  return failure.status;
}
