// What a trained-model folder says besides its weights: training.json (the model's source, classes,
// normalization, training state) and the preprocessing that predict needs, which archc also writes
// into model.json's metadata and the exported ONNX file's metadata_props. No TensorFlow.js here:
// the onnxruntime engine and `archc export` read run folders too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Normalize } from '../data/batch.js';
import type { LossSpec, OutputKind } from '../train/losses.js';
import type { SegLossSpec } from '../train/seg-losses.js';
import type { Rgb } from '../data/palette-png.js';
import type { EarlyStopState, PlateauState } from '../train/schedules.js';
import type { EpochRecord } from '../train/trainer.js';

export const TRAINING_FORMAT = 'archc-training-1';

export const files = {
  topology: 'model.json',
  weights: 'weights.bin',
  safetensors: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  training: 'training.json',
  metrics: 'metrics.json',
  plot: 'curves.svg',
} as const;

/** What predict, eval and a resumed run need to know beyond the weights. */
export interface TrainingInfo {
  readonly format: typeof TRAINING_FORMAT;
  readonly model: string;
  /** The .arch file and the compile options the model was built with. */
  readonly source: {
    readonly file: string;
    readonly model?: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly inputs: Readonly<Record<string, readonly number[]>>;
  };
  /** The image input, IR shape [C, H, W]. */
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  readonly classes: readonly string[];
  /** What the model was trained for; absent in folders written before segmentation (classification). */
  readonly task?: 'classification' | 'segmentation';
  /** Segmentation: each class's colour in predicted mask PNGs and overlays. */
  readonly palette?: readonly Rgb[];
  readonly normalize: Normalize;
  readonly output: OutputKind;
  readonly loss: LossSpec | SegLossSpec;
  /** Epochs the saved weights were trained for. */
  readonly epoch: number;
  readonly backend: string;
  readonly savedAt: string;
  /** Size and SHA-256 of each file of this checkpoint (checkpoint-manifest.ts); absent in older folders. */
  readonly checkpoint?: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
  readonly state: {
    readonly history: readonly EpochRecord[];
    readonly schedule: PlateauState;
    readonly early?: EarlyStopState;
    readonly optimizerStep: number;
  };
}

/** A failure with `io` is the folder's or the file system's (exit 2), not the model's (exit 1). */
export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string; hint?: string; io?: boolean };

/** Reads training.json, checking it is one. */
export function readTrainingInfo(dir: string): Loaded<TrainingInfo> {
  const path = join(dir, files.training);
  if (!existsSync(path)) {
    return { ok: false, message: `${dir} is not a trained archc model (no ${files.training})`, hint: 'pass the -o folder of `archc train`' };
  }
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as TrainingInfo;
    if (info?.format !== TRAINING_FORMAT) {
      return { ok: false, message: `${path}: unknown format ${JSON.stringify(info?.format)} (expected ${TRAINING_FORMAT})` };
    }
    const problem = trainingInfoProblem(info);
    if (problem) return { ok: false, message: `${path}: ${problem}`, hint: 'the file is damaged: train again, or restore the folder' };
    return { ok: true, value: info };
  } catch (e) {
    return { ok: false, message: `${path} is not valid JSON: ${(e as Error).message}` };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isList = (v: unknown, item: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(item);
const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

/**
 * What is wrong with a training.json that predict, eval, export or a resumed run would otherwise
 * trip over later (a zero std divides every pixel by zero and prints NaN%); undefined when nothing.
 */
function trainingInfoProblem(info: TrainingInfo): string | undefined {
  const i = info as unknown as Record<string, unknown>;
  if (!isList(i['classes'], (c) => typeof c === 'string') || (i['classes'] as unknown[]).length === 0) return 'classes is not a list of class names';
  const input = i['input'];
  if (!isRecord(input) || typeof input['name'] !== 'string' || !isList(input['shape'], (d) => Number.isInteger(d) && (d as number) > 0)) {
    return 'input is not an input name with its shape';
  }
  const normalize = i['normalize'];
  if (!isRecord(normalize) || !isList(normalize['mean'], finite) || !isList(normalize['std'], finite)) return 'normalize is not a mean and std per channel';
  const { mean, std } = normalize as { mean: number[]; std: number[] };
  if (mean.length === 0 || mean.length !== std.length) return `normalize has ${mean.length} means and ${std.length} standard deviations`;
  if (std.some((x) => x <= 0)) return `normalize's std is ${JSON.stringify(std)}: every pixel would be divided by a number that is not positive`;
  if (typeof i['output'] !== 'string') return 'output does not say what the model outputs';
  // A folder made by hand for predict may leave out the training state; a resumed run needs it (verifyCheckpoint).
  if (i['epoch'] !== undefined && (!Number.isInteger(i['epoch']) || (i['epoch'] as number) < 0)) return 'epoch is not a count of epochs';
  const source = i['source'];
  if (!isRecord(source) || typeof source['file'] !== 'string' || !isRecord(source['params']) || !isRecord(source['inputs'])) return 'source does not name the .arch file and its settings';
  const state = i['state'];
  if (state !== undefined && (!isRecord(state) || !Array.isArray(state['history']) || !finite(state['optimizerStep']))) return 'state does not hold the training history and optimizer step';
  const checkpoint = i['checkpoint'];
  if (checkpoint !== undefined && !(isRecord(checkpoint) && Object.values(checkpoint).every((f) => isRecord(f) && finite(f['bytes']) && typeof f['sha256'] === 'string'))) {
    return 'checkpoint does not list the files of the checkpoint';
  }
  return undefined;
}

/** How to turn an image into the model's input and its output into class probabilities. */
export interface Preprocessing {
  readonly classes: readonly string[];
  /** The image input's name and IR shape [C, H, W]. */
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** Pixels scaled to [0, 1], then (x - mean) / std per channel. */
  readonly normalize: Normalize;
  /** What the output holds: logits (apply softmax, or sigmoid for one unit), or probabilities. */
  readonly output: OutputKind;
  /** classification: scores [K]; segmentation: a score map [K, H, W], the class of a pixel its argmax. */
  readonly task: 'classification' | 'segmentation';
}

export function preprocessingOf(info: TrainingInfo): Preprocessing {
  return { classes: info.classes, input: info.input, normalize: info.normalize, output: info.output, task: info.task ?? 'classification' };
}

/** The preprocessing as ONNX metadata_props: plain strings (JSON for the lists). */
export function onnxMetadata(p: Preprocessing): Record<string, string> {
  return {
    classes: JSON.stringify(p.classes),
    input_name: p.input.name,
    input_shape: JSON.stringify(p.input.shape),
    normalize_mean: JSON.stringify(p.normalize.mean),
    normalize_std: JSON.stringify(p.normalize.std),
    pixel_scale: '1/255',
    output: p.output,
    task: p.task,
  };
}
