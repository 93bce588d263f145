// A trained-model folder: the tfjs model (model.json + weights.bin, loadable with
// tf.loadLayersModel), the IR-named weights as model.safetensors (for ONNX export and resuming),
// the optimizer slots, and training.json (classes, normalization, training state). Every file is
// written atomically; training.json goes last, so it never describes weights that are not there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readSafetensors, safetensorsChunks } from '../../compiler/weights/safetensors.js';
import type { WeightTensor, Weights } from '../../compiler/weights/tensor.js';
import type { Normalize } from '../data/batch.js';
import { writeFileAtomic, writeJsonAtomic } from './files.js';
import type { LossSpec, OutputKind } from '../train/losses.js';
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
  readonly normalize: Normalize;
  readonly output: OutputKind;
  readonly loss: LossSpec;
  /** Epochs the saved weights were trained for. */
  readonly epoch: number;
  readonly backend: string;
  readonly savedAt: string;
  readonly state: {
    readonly history: readonly EpochRecord[];
    readonly schedule: PlateauState;
    readonly early?: EarlyStopState;
    readonly optimizerStep: number;
  };
}

export interface SaveRequest {
  readonly model: tfl.LayersModel;
  readonly info: TrainingInfo;
  /** The weights by IR name in IR layout; omitted when the model has no IR bindings. */
  readonly irWeights?: Weights;
  readonly optimizer?: ReadonlyMap<string, tf.Tensor>;
}

export async function saveTrainedModel(dir: string, request: SaveRequest): Promise<void> {
  await request.model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData;
    const data = weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData];
    writeFileAtomic(join(dir, files.weights), data.map((b) => new Uint8Array(b)));
    const json: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: 'archc',
      weightsManifest: [{ paths: [`./${files.weights}`], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.userDefinedMetadata && { userDefinedMetadata: artifacts.userDefinedMetadata }),
    };
    writeJsonAtomic(join(dir, files.topology), json);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (request.irWeights) {
    const metadata = { format: 'archc', model: request.info.model };
    writeFileAtomic(join(dir, files.safetensors), safetensorsChunks(request.irWeights, metadata));
  }
  if (request.optimizer && request.optimizer.size) {
    const slots = new Map<string, WeightTensor>();
    for (const [name, t] of request.optimizer) slots.set(name, { shape: t.shape, data: t.dataSync() as Float32Array });
    writeFileAtomic(join(dir, files.optimizer), safetensorsChunks(slots, { step: String(request.info.state.optimizerStep) }));
  }
  writeJsonAtomic(join(dir, files.training), request.info);
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string; hint?: string };

/** Reads training.json, checking it is one. */
export function readTrainingInfo(dir: string): Loaded<TrainingInfo> {
  const path = join(dir, files.training);
  if (!existsSync(path)) {
    return { ok: false, message: `${dir} is not a trained archc model (no ${files.training})`, hint: 'pass the -o folder of `archc train`' };
  }
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as TrainingInfo;
    if (info.format !== TRAINING_FORMAT) {
      return { ok: false, message: `${path}: unknown format ${JSON.stringify(info.format)} (expected ${TRAINING_FORMAT})` };
    }
    return { ok: true, value: info };
  } catch (e) {
    return { ok: false, message: `${path} is not valid JSON: ${(e as Error).message}` };
  }
}

/** Loads model.json + its weight files as a tf.LayersModel (archc's custom layers must be registered). */
export async function loadSavedModel(dir: string): Promise<Loaded<tfl.LayersModel>> {
  const path = join(dir, files.topology);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    return { ok: false, message: `cannot read ${path}: ${(e as Error).message}` };
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers: ArrayBuffer[] = [];
  for (const file of json.weightsManifest.flatMap((g) => g.paths)) {
    try {
      const bytes = readFileSync(join(dir, file));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    } catch (e) {
      return { ok: false, message: `cannot read the weights ${join(dir, file)}: ${(e as Error).message}` };
    }
  }
  try {
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: buffers,
      format: json.format,
      userDefinedMetadata: json.userDefinedMetadata,
    };
    return { ok: true, value: await tfl.loadLayersModel(tf.io.fromMemory(artifacts)) };
  } catch (e) {
    return { ok: false, message: `${path} cannot be loaded: ${(e as Error).message}` };
  }
}

/** The IR-named weights of model.safetensors, or of optimizer.safetensors with its step. */
export function readWeightsFile(path: string): Loaded<{ weights: Map<string, WeightTensor>; metadata: Record<string, string> }> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return { ok: false, message: `cannot read ${path}: ${(e as Error).message}` };
  }
  const result = readSafetensors(bytes);
  if (!result.ok) return { ok: false, message: `${path}: ${result.error}` };
  return { ok: true, value: { weights: result.weights, metadata: result.metadata } };
}
