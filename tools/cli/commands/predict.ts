// archc predict <saved-model|model.onnx> <image>...: the top-k classes of each image under a model
// saved by `archc train` (or exported from one, run in onnxruntime), with their probabilities; for a
// segmentation model, -o DIR receives each image's predicted mask (palette PNG) and an overlay
// (./segmentation.ts).
import { MAX_IMAGE_BYTES, readRegularFile } from '../../../compiler/node-host.js';
import { parseArgs, UsageError } from '../args.js';
import { readTrainingInfo, type TrainingInfo } from '../../../runtime/persist/training-info.js';
import { checkOnnxFileFlags, isOnnxPath, onnxFileProbabilities, readOnnxFile } from './eval-onnx.js';
import { unlabelledSet } from '../../../runtime/data/dataset.js';
import { loadPixels } from '../../../runtime/data/image.js';
import { topK } from '../../../runtime/train/metrics.js';
import type { Command } from './common.js';
import { savedModelProbabilities } from './inference.js';
import { predictSegmentation } from './segmentation.js';
import { backendFlagUsage, engineFlagUsage, weightsFlagUsage, numberFlag, printProblem } from './training-flags.js';

export const predict: Command = {
  usage: `archc predict <saved-model|model.onnx> <image>... [-k N] [--json]
       archc predict <segmentation-model> <image>... -o DIR [--json]
  <saved-model>           a folder written by 'archc train -o'
  <model.onnx>            a classifier written by 'archc export <saved-model>' (float32, int8 or
                          float16), run by onnxruntime with the preprocessing its metadata states
  -k, --top N             classes to show per image (default 5)
  -o, --out DIR           segmentation: write DIR/<name>.mask.png (the class of each pixel as a
                          palette PNG) and DIR/<name>.overlay.png (the classes' colours on the image)
      --json              print [{file, top: [{class, probability}]}]; segmentation:
                          [{file, mask, overlay, classes: {name: share of pixels}}]
${weightsFlagUsage}
${engineFlagUsage}
${backendFlagUsage}`,
  async run(argv) {
    const parsed = parseArgs(argv, { top: { type: 'string', short: 'k' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, backend: { type: 'string' }, engine: { type: 'string' }, weights: { type: 'string' } });
    const [dir, ...images] = parsed.positionals;
    if (!dir || images.length === 0) throw new UsageError('predict takes a saved model folder and at least one image');
    const k = numberFlag(parsed, 'top', { min: 1, integer: true }, 5);
    const json = parsed.flags['json'] === true;
    const onnxFile = isOnnxPath(dir) ? readOnnxFile(dir, 'predict') : undefined;
    if (onnxFile && !onnxFile.ok) return problem(onnxFile, onnxFile.io ? 2 : 1);
    if (onnxFile) {
      if (parsed.flags['out'] !== undefined) throw new UsageError('-o/--out is for segmentation models; a classifier prints its classes');
      checkOnnxFileFlags(parsed);
    }
    const info = onnxFile?.ok ? { ok: true as const, value: { classes: onnxFile.value.classes, input: { shape: onnxFile.value.shape }, task: 'classification' as const } } : readTrainingInfo(dir);
    if (!info.ok) return problem(info, 2);
    const segmentation = info.value.task === 'segmentation';
    if (segmentation && parsed.flags['out'] === undefined) throw new UsageError(`${dir} is a segmentation model: its predictions are images; give -o DIR for them`);
    if (!segmentation && parsed.flags['out'] !== undefined) throw new UsageError('-o/--out is for segmentation models; a classifier prints its classes');
    if (segmentation) {
      if (parsed.flags['top'] !== undefined) throw new UsageError('-k/--top lists classes of a classifier; a segmentation model writes masks');
      return predictSegmentation(dir, info.value as TrainingInfo, images, parsed);
    }
    const { classes } = info.value;
    const [c, h, w] = info.value.input.shape as [1 | 3, number, number];
    const shape = { channels: c, height: h, width: w };
    const readable: { file: string; pixels: Uint8Array }[] = [];
    let skipped = 0;
    for (const file of images) {
      const result = readImage(file, shape);
      if (result.ok) readable.push({ file, pixels: result.pixels.data });
      else {
        skipped++;
        process.stderr.write(`archc predict: skipped ${file}: ${result.reason}\n`);
      }
    }
    if (readable.length === 0) return problem({ message: 'none of the images could be read' });
    const set = unlabelledSet(classes, shape, readable);
    const log = (line: string) => void (json ? undefined : process.stderr.write(`${line}\n`));
    const computed = onnxFile?.ok
      ? { ok: true as const, value: await onnxFileProbabilities(onnxFile.value, set, 32) }
      : await savedModelProbabilities(dir, info.value as TrainingInfo, set, parsed, { batchSize: 32, log });
    if (!computed.ok) return problem(computed, computed.io ? 2 : 1);
    const p = computed.value;
    const results = readable.map((r, i) => {
      const row = p.values.subarray(i * p.columns, (i + 1) * p.columns);
      return { file: r.file, top: topK(row, Math.min(k, classes.length)).map((j) => ({ class: classes[j]!, probability: row[j]! })) };
    });
    if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      for (const r of results) {
        process.stdout.write(`${r.file}\n${r.top.map((t) => `  ${(100 * t.probability).toFixed(1).padStart(5)}%  ${t.class}`).join('\n')}\n`);
      }
    }
    return skipped ? 1 : 0;
  },
};

function readImage(file: string, shape: { channels: 1 | 3; height: number; width: number }) {
  const read = readRegularFile(file, MAX_IMAGE_BYTES);
  if ('error' in read) return { ok: false as const, reason: read.error };
  try {
    return loadPixels(read.bytes, shape);
  } catch (e) {
    return { ok: false as const, reason: (e as Error).message };
  }
}

/** Prints the problem; exit 2 when the saved-model folder itself is wrong, else 1. */
function problem(p: { message: string; hint?: string }, status = 1): number {
  printProblem('predict', p);
  return status;
}
