// archc eval <saved-model> --data <folder|synthetic>: accuracy, per-class precision/recall/F1 and
// the confusion matrix of a model saved by `archc train`, on labelled images.
import { parseArgs, UsageError } from '../args.js';
import { readTrainingInfo } from '../../../runtime/persist/training-info.js';
import { loadImageFolder, syntheticSet, type ImageSet } from '../../../runtime/data/dataset.js';
import { argmaxRows, evaluate, formatEvaluation } from '../../../runtime/train/metrics.js';
import type { Command } from './common.js';
import { savedModelProbabilities } from './inference.js';
import { backendFlagUsage, engineFlagUsage, weightsFlagUsage, numberFlag, printProblem } from './training-flags.js';

export const evalCommand: Command = {
  usage: `archc eval <saved-model> --data <folder|synthetic> [--json]
  <saved-model>           a folder written by 'archc train -o'
      --data PATH         one subfolder of images per class (class names as in training), or 'synthetic'
      --samples N         synthetic images (default 256)
      --seed N            synthetic images' seed (default 1: not the training images, which use 0)
  -b, --batch-size N      (default 64)
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
    });
    if (parsed.positionals.length !== 1) throw new UsageError('eval takes one saved model folder');
    const data = parsed.flags['data'] as string | undefined;
    if (!data) throw new UsageError('--data is required: an image folder or \'synthetic\'');
    const batchSize = numberFlag(parsed, 'batch-size', { min: 1, integer: true }, 64);
    const json = parsed.flags['json'] === true;
    const dir = parsed.positionals[0]!;
    const info = readTrainingInfo(dir);
    if (!info.ok) {
      printProblem('eval', info);
      return 2;
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
    const computed = await savedModelProbabilities(dir, info.value, set, parsed, { batchSize, log });
    if (!computed.ok) {
      printProblem('eval', computed);
      return 1;
    }
    const p = computed.value;
    const result = evaluate(set.labels, argmaxRows(p.values, p.rows, p.columns), classes);
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${set.count} images from ${data}\n${formatEvaluation(result)}`);
    return 0;
  },
};
