// What predict and eval share: the class probabilities of a set of images under a saved model,
// through the engine --engine names. TensorFlow.js (the default) and onnxruntime-node are each
// imported only when chosen, so either one alone is enough.
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Predictor } from '../../../engines/engine.js';
import type { Probabilities } from '../../../runtime/infer/infer.js';
import { engineProbabilities } from '../../../runtime/infer/engine-infer.js';
import type { ImageSet } from '../../../runtime/data/dataset.js';
import { openRunFolder, type RunFolder } from '../../../runtime/persist/run-folder.js';
import { pretrainedWeights } from '../../../runtime/persist/pretrained.js';
import type { Loaded, TrainingInfo } from '../../../runtime/persist/training-info.js';
import { UsageError, type Parsed } from '../args.js';
import { join } from 'node:path';
import { nonFiniteWeights } from '../../../compiler/weights/check.js';
import type { Weights } from '../../../compiler/weights/tensor.js';
import { files } from '../../../runtime/persist/training-info.js';
import { choiceFlag, ENGINE_CHOICES, startBackend } from './training-flags.js';

export async function savedModelProbabilities(
  dir: string,
  info: TrainingInfo,
  set: ImageSet,
  parsed: Parsed,
  options: { readonly batchSize: number; readonly log: (line: string) => void },
): Promise<Loaded<Probabilities>> {
  const settings = { normalize: info.normalize, output: info.output, batchSize: options.batchSize };
  const weightsFile = parsed.flags['weights'] as string | undefined;
  if (choiceFlag(parsed, 'engine', ENGINE_CHOICES, 'tfjs') === 'onnxruntime') {
    if (parsed.flags['backend'] !== undefined) throw new UsageError('--backend picks a TensorFlow.js backend; --engine onnxruntime runs on the CPU');
    const run = openWithWeights(dir, weightsFile, options.log);
    if (!run.ok) return run;
    const bad = nonFinite(run.value.weights, weightsFile ?? join(dir, files.safetensors));
    if (bad) return bad;
    const { onnxruntimeEngine } = await import('../../../engines/onnxruntime/index.js');
    options.log('engine: onnxruntime (cpu)');
    const predictor = await onnxruntimeEngine.load(run.value.graph, run.value.weights);
    try {
      return { ok: true, value: await engineProbabilities(predictor, set, settings) };
    } finally {
      await predictor.dispose();
    }
  }
  await startBackend(parsed, options.log);
  const { loadSavedModel } = await import('../../../runtime/persist/checkpoint.js');
  const { classProbabilities } = await import('../../../runtime/infer/infer.js');
  const loaded = checkedModel(weightsFile ? await buildWithWeights(dir, weightsFile, options.log) : await loadSavedModel(dir), weightsFile ?? join(dir, files.weights));
  if (!loaded.ok) return loaded;
  const p = classProbabilities(loaded.value, set, settings);
  loaded.value.dispose();
  return { ok: true, value: p };
}

/**
 * The saved model behind the engine --engine names, as a Predictor (NCHW in, first output out):
 * what segmentation's predict and eval run. The caller disposes it.
 */
export async function savedModelPredictor(dir: string, parsed: Parsed, log: (line: string) => void): Promise<Loaded<Predictor>> {
  const weightsFile = parsed.flags['weights'] as string | undefined;
  if (choiceFlag(parsed, 'engine', ENGINE_CHOICES, 'tfjs') === 'onnxruntime') {
    if (parsed.flags['backend'] !== undefined) throw new UsageError('--backend picks a TensorFlow.js backend; --engine onnxruntime runs on the CPU');
    const run = openWithWeights(dir, weightsFile, log);
    if (!run.ok) return run;
    const bad = nonFinite(run.value.weights, weightsFile ?? join(dir, files.safetensors));
    if (bad) return bad;
    const { onnxruntimeEngine } = await import('../../../engines/onnxruntime/index.js');
    log('engine: onnxruntime (cpu)');
    return { ok: true, value: await onnxruntimeEngine.load(run.value.graph, run.value.weights) };
  }
  await startBackend(parsed, log);
  const { loadSavedModel } = await import('../../../runtime/persist/checkpoint.js');
  const { tfjsPredictor } = await import('../../../runtime/infer/tfjs-predictor.js');
  const loaded = checkedModel(weightsFile ? await buildWithWeights(dir, weightsFile, log) : await loadSavedModel(dir), weightsFile ?? join(dir, files.weights));
  if (!loaded.ok) return loaded;
  return { ok: true, value: tfjsPredictor(loaded.value) };
}

/**
 * Weights holding NaN or infinite values make every prediction NaN: predict and eval refuse them,
 * naming the tensors (export only warns, W0108: it passes the weights on).
 */
function nonFinite(weights: Weights, origin: string): { ok: false; message: string; hint?: string } | undefined {
  const found = nonFiniteWeights(weights, origin);
  return found && { ok: false, message: found.message, ...(found.hint && { hint: found.hint }) };
}

/** A loaded tfjs model whose weights are all finite (disposed otherwise). */
function checkedModel(loaded: Loaded<LayersModel>, origin: string): Loaded<LayersModel> {
  if (!loaded.ok) return loaded;
  const weights: Weights = new Map(loaded.value.weights.map((w) => [w.originalName ?? w.name, { shape: w.shape as number[], data: w.read().dataSync() as Float32Array }]));
  const bad = nonFinite(weights, origin);
  if (!bad) return loaded;
  loaded.value.dispose();
  return bad;
}

/** The run folder's model with the weights of `--weights FILE` when given (strict: every name must match). */
function openWithWeights(dir: string, file: string | undefined, log: (line: string) => void): Loaded<RunFolder> {
  const run = openRunFolder(dir);
  if (!run.ok || !file) return run;
  const read = pretrainedWeights(run.value.graph, file, 0);
  if (!read.ok) return { ok: false, message: read.problem.message, hint: [...(read.problem.notes ?? []), read.problem.hint].filter(Boolean).join('; ') || undefined };
  log(`weights: ${read.loaded} tensors from ${file}`);
  return { ok: true, value: { ...run.value, weights: read.weights } };
}

async function buildWithWeights(dir: string, file: string, log: (line: string) => void): Promise<Loaded<LayersModel>> {
  const run = openWithWeights(dir, file, log);
  if (!run.ok) return run;
  const { buildModel } = await import('../../../runtime/index.js');
  const built = buildModel(run.value.graph, { weights: run.value.weights, origin: file });
  if (!built.ok) return { ok: false, message: built.diagnostics.map((d) => d.message).join('; ') };
  return { ok: true, value: built.model };
}
