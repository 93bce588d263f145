// A trained-model folder: the tfjs model (model.json + weights.bin, loadable with
// tf.loadLayersModel; its metadata names the classes, the input size and the normalization), the
// IR-named weights as model.safetensors (for ONNX export and resuming), the optimizer slots, and
// training.json (the same plus the training state; runtime/persist/training-info.ts). Every file is
// written atomically; training.json goes last and lists each file's size and SHA-256, so a resumed
// run can tell a whole checkpoint from one interrupted while saving (checkpoint-manifest.ts).
import { MAX_WEIGHTS_BYTES, readRegularFile } from '../../compiler/node-host.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readSafetensors, safetensorsChunks } from '../../compiler/weights/safetensors.js';
import type { WeightTensor, Weights } from '../../compiler/weights/tensor.js';
import { writeFileAtomic, writeJsonAtomic } from './files.js';
import { digestOf, readPiece, type FileDigest } from './checkpoint-manifest.js';
import { portableTopology } from './portable.js';
import { quantizeWeightData, type QuantizationBytes } from './tfjs-quantize.js';
import { files, preprocessingOf, readTrainingInfo, type Loaded, type Preprocessing, type TrainingInfo } from './training-info.js';

export { files, readTrainingInfo, TRAINING_FORMAT, type Loaded, type Preprocessing, type TrainingInfo } from './training-info.js';

export interface SaveRequest {
  readonly model: tfl.LayersModel;
  readonly info: TrainingInfo;
  /** The weights by IR name in IR layout; omitted when the model has no IR bindings. */
  readonly irWeights?: Weights;
  readonly optimizer?: ReadonlyMap<string, tf.Tensor>;
  /** Store model.json's weights with 1 or 2 bytes per value (model.safetensors stays float32). */
  readonly quantizationBytes?: QuantizationBytes;
}

export async function saveTrainedModel(dir: string, request: SaveRequest): Promise<void> {
  const manifest: Record<string, FileDigest> = {};
  const write = (name: string, data: string | readonly Uint8Array[]) => {
    manifest[name] = digestOf(data);
    writeFileAtomic(join(dir, name), data);
  };
  await saveTfjsModel(dir, request.model, { preprocessing: preprocessingOf(request.info), quantizationBytes: request.quantizationBytes, write });
  if (request.irWeights) {
    const metadata = { format: 'archc', model: request.info.model };
    write(files.safetensors, safetensorsChunks(request.irWeights, metadata));
  }
  if (request.optimizer && request.optimizer.size) {
    const slots = new Map<string, WeightTensor>();
    for (const [name, t] of request.optimizer) slots.set(name, { shape: t.shape, data: t.dataSync() as Float32Array });
    write(files.optimizer, safetensorsChunks(slots, { step: String(request.info.state.optimizerStep) }));
  }
  writeJsonAtomic(join(dir, files.training), { ...request.info, checkpoint: manifest });
}

/**
 * model.json + weights.bin (tf.loadLayersModel reads them), weights.bin first so that model.json never
 * names weights that are not there; with `quantizationBytes`, tfjs-converter's weight quantization.
 */
export async function saveTfjsModel(
  dir: string,
  model: tfl.LayersModel,
  options: {
    readonly preprocessing?: Preprocessing;
    readonly quantizationBytes?: QuantizationBytes;
    /** How each file is written (default: atomically); a checkpoint also records its digest. */
    readonly write?: (name: string, data: string | readonly Uint8Array[]) => void;
  },
): Promise<void> {
  const write = options.write ?? ((name: string, data: string | readonly Uint8Array[]) => writeFileAtomic(join(dir, name), data));
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData;
    let data: Uint8Array[] = (weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData]).map((b) => new Uint8Array(b));
    let specs = artifacts.weightSpecs ?? [];
    if (options.quantizationBytes) {
      const joined = new Uint8Array(data.reduce((n, c) => n + c.length, 0));
      data.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
      const quantized = quantizeWeightData(specs, joined, options.quantizationBytes);
      data = [quantized.data];
      specs = quantized.specs;
    }
    write(files.weights, data);
    const meta = artifacts.userDefinedMetadata;
    const json: tf.io.ModelJSON = {
      modelTopology: portableTopology(artifacts.modelTopology as object),
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: 'archc',
      weightsManifest: [{ paths: [`./${files.weights}`], weights: specs }],
      // What a program needs to feed the model (classes, input size, normalization) travels with it.
      ...(options.preprocessing ? { userDefinedMetadata: withPreprocessing(meta, options.preprocessing) } : meta ? { userDefinedMetadata: meta } : {}),
    };
    write(files.topology, `${JSON.stringify(json, null, 2)}\n`);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/**
 * Loads model.json + its weight files as a tf.LayersModel (archc's custom layers must be registered),
 * each file checked against the list in training.json when the folder has one (readPiece).
 */
export async function loadSavedModel(dir: string): Promise<Loaded<tfl.LayersModel>> {
  const path = join(dir, files.topology);
  const damaged = 'the file is damaged: train again, or restore the folder';
  let info: TrainingInfo | undefined;
  if (existsSync(join(dir, files.training))) {
    const read = readTrainingInfo(dir);
    if (!read.ok) return { ...read, io: true };
    info = read.value;
  }
  let json: tf.io.ModelJSON;
  const read = readPiece(dir, info, files.topology);
  if (!read.ok) return read;
  try {
    json = JSON.parse(read.value.toString('utf8')) as tf.io.ModelJSON;
  } catch (e) {
    return { ok: false, io: true, message: `${path} is not valid JSON: ${(e as Error).message}`, hint: damaged };
  }
  const problem = modelJsonProblem(json);
  if (problem) return { ok: false, io: true, message: `${path}: ${problem}`, hint: damaged };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers: ArrayBuffer[] = [];
  for (const file of json.weightsManifest.flatMap((g) => g.paths)) {
    const weights = readPiece(dir, info, file.replace(/^\.\//, ''));
    if (!weights.ok) return weights;
    const bytes = weights.value;
    buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with the shape of a model.json, before TensorFlow.js reads it; undefined when nothing. */
function modelJsonProblem(json: unknown): string | undefined {
  if (!isRecord(json)) return 'it is not a JSON object';
  if (!isRecord(json['modelTopology'])) return `modelTopology is ${describe(json['modelTopology'])}, not an object holding the model's layers`;
  const manifest = json['weightsManifest'];
  if (!Array.isArray(manifest) || !manifest.every(isRecord)) return `weightsManifest is ${describe(manifest)}, not a list of weight groups`;
  for (const group of manifest) {
    if (!Array.isArray(group['weights']) || !group['weights'].every(isRecord)) return 'a weightsManifest group has no list of weights';
    const paths = group['paths'];
    // Weight files sit beside model.json: a name, never a path out of the folder.
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && /^(\.\/)?[^/\\]+$/.test(p) && !/^(\.\/)?\.\.?$/.test(p))) {
      return 'a weightsManifest group\'s paths are not file names beside model.json';
    }
  }
  return undefined;
}

const describe = (v: unknown): string => (v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`);

/** The IR-named weights of model.safetensors, or of optimizer.safetensors with its step. */
export function readWeightsFile(path: string): Loaded<{ weights: Map<string, WeightTensor>; metadata: Record<string, string> }> {
  const read = readRegularFile(path, MAX_WEIGHTS_BYTES);
  if ('error' in read) return { ok: false, message: `cannot read ${path}: ${read.error}` };
  const result = readSafetensors(read.bytes);
  if (!result.ok) return { ok: false, message: `${path}: ${result.error}` };
  return { ok: true, value: { weights: result.weights, metadata: result.metadata } };
}

/** The model's user-defined metadata with the preprocessing added to archc's entry. */
function withPreprocessing(meta: object | undefined, preprocessing: object): { [key: string]: object } {
  const archc = (meta as { archc?: object } | undefined)?.archc;
  return { ...meta, archc: { ...archc, preprocessing } };
}
