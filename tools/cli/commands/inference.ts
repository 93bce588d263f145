// What predict and eval share: the class probabilities of a set of images under a saved model,
// through the engine --engine names. TensorFlow.js (the default) and onnxruntime-node are each
// imported only when chosen, so either one alone is enough.
import type { Probabilities } from '../../../runtime/infer/infer.js';
import { engineProbabilities } from '../../../runtime/infer/engine-infer.js';
import type { ImageSet } from '../../../runtime/data/dataset.js';
import { openRunFolder } from '../../../runtime/persist/run-folder.js';
import type { Loaded, TrainingInfo } from '../../../runtime/persist/training-info.js';
import { UsageError, type Parsed } from '../args.js';
import { choiceFlag, ENGINE_CHOICES, startBackend } from './training-flags.js';

export async function savedModelProbabilities(
  dir: string,
  info: TrainingInfo,
  set: ImageSet,
  parsed: Parsed,
  options: { readonly batchSize: number; readonly log: (line: string) => void },
): Promise<Loaded<Probabilities>> {
  const settings = { normalize: info.normalize, output: info.output, batchSize: options.batchSize };
  if (choiceFlag(parsed, 'engine', ENGINE_CHOICES, 'tfjs') === 'onnxruntime') {
    if (parsed.flags['backend'] !== undefined) throw new UsageError('--backend picks a TensorFlow.js backend; --engine onnxruntime runs on the CPU');
    const run = openRunFolder(dir);
    if (!run.ok) return run;
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
  const loaded = await loadSavedModel(dir);
  if (!loaded.ok) return loaded;
  const p = classProbabilities(loaded.value, set, settings);
  loaded.value.dispose();
  return { ok: true, value: p };
}
