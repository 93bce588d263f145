// archc eval <saved-model> --data <folder|synthetic>: accuracy, per-class precision/recall/F1 and
// the confusion matrix of a model saved by `archc train`, on labelled images; for a segmentation
// model, pixel accuracy, per-class IoU and Dice and mIoU on images with masks (./segmentation.ts).
import { parseArgs, UsageError } from '../args.js';
import { readTrainingInfo, type TrainingInfo } from '../../../runtime/persist/training-info.js';
import { loadImageFolder, syntheticSet, type ImageSet } from '../../../runtime/data/dataset.js';
import { argmaxRows, evaluate, formatEvaluation } from '../../../runtime/train/metrics.js';
import type { Command } from './common.js';
import { accuracyOf, checkOnnxFileFlags, compatibility, formatComparison, isOnnxPath, onnxFileProbabilities, readOnnxFile, type ComparedModel, type OnnxFile } from './eval-onnx.js';
import { savedModelProbabilities } from './inference.js';
import { evalSegmentation } from './segmentation.js';
import { backendFlagUsage, choiceFlag, ENGINE_CHOICES, engineFlagUsage, weightsFlagUsage, numberFlag, printProblem } from './training-flags.js';

export const evalCommand: Command = {
  usage: `archc eval <saved-model|model.onnx> --data <folder|synthetic> [--json] [--compare FILE.onnx]...
  <saved-model>           a folder written by 'archc train -o'
  <model.onnx>            a file written by 'archc export <saved-model>' (float32, --quantize int8 or
                          --dtype float16), run by onnxruntime with the preprocessing its metadata states
      --compare FILE      also evaluate this exported .onnx on the same images and print size and
                          accuracy beside the first model's (repeatable)
      --data PATH         one subfolder of images per class (class names as in training), or 'synthetic';
                          segmentation: images/ + masks/ (+ classes.json) as in training
      --samples N         synthetic images (default 256)
      --seed N            synthetic images' seed (default 1: not the training images, which use 0)
  -b, --batch-size N      (default 64; segmentation 16)
      --json              print the evaluation as JSON
${weightsFlagUsage}
${engineFlagUsage}
${backendFlagUsage}`,
  async run(argv) {
    const parsed = parseArgs(argv, {
      data: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'batch-size': { type: 'string', short: 'b' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
      engine: { type: 'string' }, weights: { type: 'string' },
      compare: { type: 'string', multiple: true },
    });
    if (parsed.positionals.length !== 1) throw new UsageError('eval takes one saved model folder');
    const data = parsed.flags['data'] as string | undefined;
    if (!data) throw new UsageError('--data is required: an image folder or \'synthetic\'');
    const json = parsed.flags['json'] === true;
    const dir = parsed.positionals[0]!;
    const onnxFile = isOnnxPath(dir) ? readOnnxFile(dir) : undefined;
    if (onnxFile) {
      if (!onnxFile.ok) return refuse(onnxFile, onnxFile.io ? 2 : 1);
      checkOnnxFileFlags(parsed);
    }
    const info = onnxFile?.ok ? { ok: true as const, value: { classes: onnxFile.value.classes, input: { shape: onnxFile.value.shape } } } : readTrainingInfo(dir);
    if (!info.ok) {
      printProblem('eval', info);
      return 2;
    }
    if (!onnxFile && (info.value as TrainingInfo).task === 'segmentation') {
      if (parsed.flags['compare'] !== undefined) throw new UsageError('--compare compares classifiers\' accuracy; it does not apply to a segmentation model');
      return evalSegmentation(dir, info.value as TrainingInfo, data, parsed);
    }
    const batchSize = numberFlag(parsed, 'batch-size', { min: 1, integer: true }, 64);
    const compared: OnnxFile[] = [];
    for (const path of (parsed.flags['compare'] as string[] | undefined) ?? []) {
      const file = readOnnxFile(path);
      if (!file.ok) return refuse(file, file.io ? 2 : 1);
      const problem = compatibility(file.value, info.value.classes, info.value.input.shape);
      if (problem) return refuse({ message: `--compare: ${problem}` }, 1);
      compared.push(file.value);
    }
    const { classes } = info.value;
    const [c, h, w] = info.value.input.shape as [1 | 3, number, number];
    const shape = { channels: c, height: h, width: w };
    let set: ImageSet;
    if (data === 'synthetic') {
      const samples = numberFlag(parsed, 'samples', { min: 1, integer: true }, 256);
      const seed = numberFlag(parsed, 'seed', { min: 0, integer: true }, 1);
      const synthetic = syntheticSet({ classes: classes.length, samples, shape, seed });
      if (synthetic.classes.some((name, i) => name !== classes[i])) {
        const message = `${dir} was trained on an image folder (classes ${classes.join(', ')}), not on synthetic images`;
        printProblem('eval', { message, hint: 'pass --data with a folder of those classes' });
        return 1;
      }
      set = synthetic;
    } else {
      const loaded = loadImageFolder(data, shape, classes);
      if (!loaded.ok) {
        printProblem('eval', loaded.problem);
        return 1;
      }
      for (const s of loaded.report.skipped) process.stderr.write(`archc eval: skipped ${s.file}: ${s.reason}\n`);
      set = loaded.set;
    }
    const log = (line: string) => void (json ? undefined : process.stdout.write(`${line}\n`));
    const computed = onnxFile?.ok
      ? { ok: true as const, value: await onnxFileProbabilities(onnxFile.value, set, batchSize) }
      : await savedModelProbabilities(dir, info.value as TrainingInfo, set, parsed, { batchSize, log });
    if (!computed.ok) {
      printProblem('eval', computed);
      return !onnxFile && computed.io ? 2 : 1;
    }
    if (onnxFile?.ok) log(`engine: onnxruntime (cpu)${onnxFile.value.quantization ? `; ${onnxFile.value.quantization}` : ''}`);
    const p = computed.value;
    const result = evaluate(set.labels, argmaxRows(p.values, p.rows, p.columns), classes);
    const comparison = compared.length ? await compare(dir, onnxFile?.ok ? onnxFile.value : undefined, result.accuracy, set, compared, batchSize) : undefined;
    if (json) process.stdout.write(`${JSON.stringify(comparison ? { ...result, comparison } : result, null, 2)}\n`);
    else process.stdout.write(`${set.count} images from ${data}\n${formatEvaluation(result)}${comparison ? formatComparison(comparison, set.count) : ''}`);
    return 0;
  },
};

/** The first model's row (its float32 ONNX size for a run folder) and one row per --compare file. */
async function compare(dir: string, first: OnnxFile | undefined, accuracy: number, set: ImageSet, files: readonly OnnxFile[], batchSize: number): Promise<ComparedModel[]> {
  const rows: ComparedModel[] = [];
  const correct = Math.round(accuracy * set.count);
  if (first) rows.push({ name: dir, bytes: first.bytes.length, accuracy, correct, what: first.quantization ?? 'float32' });
  else rows.push({ name: dir, bytes: await float32OnnxBytes(dir), accuracy, correct, what: 'float32 (the run folder, as archc export writes it)' });
  for (const file of files) {
    const p = await onnxFileProbabilities(file, set, batchSize);
    rows.push({ name: file.path, bytes: file.bytes.length, ...accuracyOf(set, p, file.classes), what: file.quantization ?? 'float32' });
  }
  return rows;
}

/** The size of the run folder's model as `archc export <run-folder>` writes it (float32 ONNX). */
async function float32OnnxBytes(dir: string): Promise<number> {
  const { openRunFolder } = await import('../../../runtime/persist/run-folder.js');
  const { onnxMetadata, preprocessingOf } = await import('../../../runtime/persist/training-info.js');
  const { buildExport } = await import('./export.js');
  const { encodedLength } = await import('../../../compiler/lower-onnx/encode.js');
  const run = openRunFolder(dir);
  if (!run.ok) return NaN;
  const metadata = onnxMetadata(preprocessingOf(run.value.info));
  const built = buildExport(run.value.graph, { format: 'onnx', weights: { loaded: run.value.weights, origin: dir }, metadata });
  return built.chunks ? encodedLength(built.chunks) : NaN;
}

function refuse(problem: { message: string; hint?: string }, exitCode: number): number {
  printProblem('eval', problem);
  return exitCode;
}
