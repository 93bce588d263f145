// archc train <file|zoo-name> --data <folder|synthetic> -o <dir>: train a compiled model on an image
// folder (or synthetic images) with the TensorFlow.js runtime and save it for predict, eval, export.
import { probeGraphs } from '../../../compiler/symbolic/probes.js';
import { join } from 'node:path';
import { parseArgs, UsageError, type Parsed } from '../args.js';
import { splitPatterns } from '../../../compiler/weights/match.js';
import { parseAugment } from '../../../runtime/data/augment.js';
import { normalizePresets, type NormalizePreset } from '../../../runtime/data/batch.js';
import { files } from '../../../runtime/persist/checkpoint.js';
import { folderProblem } from '../../../runtime/persist/files.js';
import { lossKinds, type LossKind } from '../../../runtime/train/losses.js';
import { segLossKinds, type SegLossKind } from '../../../runtime/train/seg-losses.js';
import { optimizerDefaults, optimizerKinds, type OptimizerSpec } from '../../../runtime/train/optimizers.js';
import { formatLoss } from '../../../runtime/display/progress.js';
import { scheduleKinds, type ScheduleSpec } from '../../../runtime/train/schedules.js';
import { runTrainingSession, type TrainRequest } from '../../../runtime/train/session.js';
import type { TrainOutcome } from '../../../runtime/train/trainer.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, isIoFailure, printDiagnostics } from './common.js';
import type { Command } from './common.js';
import { runTorchSession } from '../../../engines/torch/engine.js';
import type { TorchOptions } from '../../../engines/torch/job.js';
import { backendFlagUsage, choiceFlag, numberFlag, printProblem, quantizationBytesFlag, startBackend } from './training-flags.js';

const flags = {
  ...compileFlags,
  data: { type: 'string' },
  samples: { type: 'string' },
  val: { type: 'string' },
  normalize: { type: 'string' },
  augment: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string', short: 'b' },
  seed: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  nesterov: { type: 'boolean' },
  'weight-decay': { type: 'string' },
  schedule: { type: 'string' },
  'step-every': { type: 'string' },
  gamma: { type: 'string' },
  'min-lr': { type: 'string' },
  'plateau-patience': { type: 'string' },
  'plateau-factor': { type: 'string' },
  patience: { type: 'string' },
  loss: { type: 'string' },
  'label-smoothing': { type: 'string' },
  'class-weights': { type: 'string' },
  'ignore-index': { type: 'string' },
  freeze: { type: 'string', multiple: true },
  out: { type: 'string', short: 'o' },
  resume: { type: 'string' },
  weights: { type: 'string' },
  'init-missing': { type: 'string', multiple: true },
  force: { type: 'boolean' },
  backend: { type: 'string' },
  engine: { type: 'string' },
  nproc: { type: 'string' },
  device: { type: 'string' },
  torchrun: { type: 'string' },
  'quantization-bytes': { type: 'string' },
} as const;

export const train: Command = {
  usage: `archc train <file|zoo-name> --data <folder|synthetic> -o <dir> [options]
${compileFlagsUsage}
data
      --data PATH         a folder with one subfolder of PNG/JPEG images per class, or 'synthetic';
                          for a segmentation model (output [K, H, W]): images/ + masks/ (docs/training.md)
      --samples N         synthetic images to make (default 512)
      --val FRACTION      share of each class held out for validation (default 0.2)
      --normalize NAME    unit [0,1], symmetric [-1,1] or imagenet mean/std (default symmetric)
      --augment LIST      e.g. flip,rotate=15,crop=4,brightness=0.2,contrast=0.2,noise=0.02
training
      --epochs N          total epochs, also when resuming (default 10)
  -b, --batch-size N      (default 32)
      --optimizer NAME    sgd, adam or rmsprop (default adam)
      --lr X              learning rate (default 0.001; sgd 0.01)
      --momentum X        sgd and rmsprop momentum (default: sgd 0.9, rmsprop 0)
      --nesterov          Nesterov momentum (sgd)
      --weight-decay X    L2 decay of kernels; decoupled (AdamW) for adam (default 0)
      --schedule NAME     constant, step, cosine or plateau (default constant)
      --step-every N      step: epochs between decays (default 10)
      --gamma X           step: decay factor (default 0.1)
      --min-lr X          cosine and plateau floor (default 0; plateau 1e-6)
      --plateau-patience N, --plateau-factor X   plateau: epochs without improvement, factor (5, 0.5)
      --patience N        stop after N epochs without a better validation loss; keep the best weights
      --loss NAME         ce, bce or mse (default ce; bce for one output unit); segmentation:
                          ce (per pixel), dice or dice-ce (default ce)
      --ignore-index N    segmentation: the mask value of unlabelled pixels (default 255)
      --label-smoothing X cross-entropy label smoothing ε (default 0)
      --class-weights W   'balanced' or one weight per class: 1,2,0.5
      --weights PATH      start from these weights (.safetensors, .onnx or a trained-model folder),
                          matched strictly by name and shape (docs/pretrained.md)
      --init-missing GLOB start the weights GLOB names afresh instead of loading them, e.g. "fc.*"
                          for a new head (repeat or comma-separate)
      --freeze NAME       freeze a layer or block and everything under it (repeat or comma-separate)
      --seed N            data split, shuffling, augmentation and initial weights (default 0)
output
  -o, --out DIR           checkpoint folder: model.json + weights.bin, model.safetensors, training.json,
                          metrics.json, curves.svg (written after every epoch)
      --resume DIR        continue from a checkpoint folder (weights, optimizer, schedule, history)
      --force             replace a trained model already in --out
      --quantization-bytes N  store model.json's weights as uint8 (1) or uint16 (2), TensorFlow.js's
                          weight quantization (a 4× or 2× smaller weights.bin); model.safetensors,
                          which resume and export read, stays float32
${backendFlagUsage}
engine
      --engine NAME       tfjs (default) or torch: PyTorch runs the steps, the run folder is the same
      --nproc N           torch: N processes with DistributedDataParallel (gloo on CPU, NCCL on CUDA);
                          --batch-size is the global batch, split between them
      --device NAME       torch: auto (CUDA when torch sees a GPU), cpu or cuda (default auto)
      --torchrun "ARGS"   torch: torchrun options for several machines, e.g.
                          "--nnodes 2 --node-rank 0 --rdzv-endpoint host0:29400" (docs/training.md)`,
  async run(argv) {
    const parsed = parseArgs(argv, flags);
    if (parsed.positionals.length !== 1) throw new UsageError('train takes one file or zoo name');
    const data = parsed.flags['data'] as string | undefined;
    const out = parsed.flags['out'] as string | undefined;
    if (!data) throw new UsageError('--data is required: an image folder or \'synthetic\'');
    if (!out) throw new UsageError('-o/--out is required: the folder to save the model in');
    const unwritable = folderProblem(out);
    if (unwritable) {
      process.stderr.write(`archc train: cannot write to ${out}: ${unwritable}\n`);
      return 2;
    }
    const settings = readSettings(parsed);
    const options = compileOptions(parsed);
    const result = compileTarget(parsed.positionals[0]!, options);
    // Expects that pin the published configuration (W0107 under --set classes=3) get one line.
    const pinned = result.diagnostics.filter((d) => d.code === 'W0107').length;
    printDiagnostics({ ...result, diagnostics: result.diagnostics.filter((d) => d.code !== 'W0107') });
    if (!result.ok || !result.graph) return isIoFailure(result) ? 2 : 1;
    const log = (line: string) => void process.stdout.write(`${line}\n`);
    if (pinned) {
      const lines = pinned > 1 ? `${pinned} expect lines of ${result.graph.model} describe` : `1 expect line of ${result.graph.model} describes`;
      log(`note: ${lines} its default configuration, not this one (archc check shows them)`);
    }
    const torch = readTorchOptions(parsed, settings.batchSize);
    const backend = torch ? 'torch' : await startBackend(parsed, log);
    // A size-generic model trains at its default size and saves a model that takes any admissible one.
    const probed = !torch && result.sizes && result.compileAt ? probeGraphs(result.graph, { analysis: result.sizes, compileAt: result.compileAt }) : undefined;
    const request: TrainRequest = {
      ...settings,
      graph: result.graph,
      ...(probed && 'graphs' in probed ? { probes: probed.graphs } : {}),
      source: {
        file: result.graph.file,
        ...(options.model && { model: options.model }),
        params: options.params ?? {},
        inputs: options.inputs ?? {},
      },
      data: data === 'synthetic'
        ? { kind: 'synthetic', samples: numberFlag(parsed, 'samples', { min: 1, integer: true }, 512) }
        : { kind: 'folder', path: data },
      out,
      resume: parsed.flags['resume'] as string | undefined,
      weights: parsed.flags['weights'] as string | undefined,
      initMissing: splitPatterns((parsed.flags['init-missing'] as string[] | undefined) ?? []),
      force: parsed.flags['force'] === true,
      backend,
    };
    const io = { log, progress: process.stdout };
    const session = torch ? await runTorchSession(request, torch, io) : await runTrainingSession(request, io);
    if (!session.ok) {
      printProblem('train', session.problem);
      return 'interrupted' in session && session.interrupted ? 130 : session.problem.io ? 2 : 1;
    }
    return report(session.outcome, out);
  },
};

type Settings = Omit<TrainRequest, 'graph' | 'source' | 'data' | 'out' | 'resume' | 'weights' | 'force' | 'backend'>;

function readSettings(parsed: Parsed): Settings {
  const kind = choiceFlag(parsed, 'optimizer', optimizerKinds, 'adam');
  const momentum = numberFlag(parsed, 'momentum', { min: 0, max: 1, exclusiveMin: false }, kind === 'sgd' ? 0.9 : 0);
  if (kind === 'adam' && parsed.flags['momentum'] !== undefined) {
    throw new UsageError('--momentum applies to sgd and rmsprop; adam has its own moments');
  }
  const nesterov = parsed.flags['nesterov'] === true;
  if (nesterov && (kind !== 'sgd' || momentum === 0)) throw new UsageError('--nesterov needs --optimizer sgd with momentum > 0');
  const weightDecay = numberFlag(parsed, 'weight-decay', { min: 0 }, 0);
  const optimizer: OptimizerSpec = { ...optimizerDefaults, kind, momentum, nesterov, weightDecay };
  const epochs = numberFlag(parsed, 'epochs', { min: 1, integer: true }, 10);
  const augment = parseAugment((parsed.flags['augment'] as string | undefined) ?? '');
  if (!augment.ok) throw new UsageError(`--augment: ${augment.message}`);
  const preset = choiceFlag(parsed, 'normalize', Object.keys(normalizePresets) as NormalizePreset[], 'symmetric');
  return {
    epochs,
    batchSize: numberFlag(parsed, 'batch-size', { min: 1, integer: true }, 32),
    valFraction: numberFlag(parsed, 'val', { min: 0, max: 0.9 }, 0.2),
    lr: numberFlag(parsed, 'lr', { min: 0, exclusiveMin: true }, kind === 'sgd' ? 0.01 : 0.001),
    optimizer,
    schedule: readSchedule(parsed, epochs),
    loss: choiceFlag(parsed, 'loss', [...new Set([...lossKinds, ...segLossKinds])] as (LossKind | SegLossKind)[]),
    ignoreIndex: numberFlag(parsed, 'ignore-index', { min: 0, max: 255, integer: true }),
    smoothing: numberFlag(parsed, 'label-smoothing', { min: 0, max: 0.5 }, 0),
    classWeights: readClassWeights(parsed.flags['class-weights'] as string | undefined),
    augment: augment.augment,
    normalize: normalizePresets[preset],
    freeze: ((parsed.flags['freeze'] as string[] | undefined) ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean),
    patience: numberFlag(parsed, 'patience', { min: 1, integer: true }),
    seed: numberFlag(parsed, 'seed', { min: 0, integer: true }, 0),
    quantizationBytes: quantizationBytesFlag(parsed),
  };
}

/** The torch engine's options, or undefined for the tfjs engine (whose flags they are not). */
function readTorchOptions(parsed: Parsed, batchSize: number): TorchOptions | undefined {
  const engine = choiceFlag(parsed, 'engine', ['tfjs', 'torch'] as const, 'tfjs');
  const torchOnly = ['nproc', 'device', 'torchrun'].filter((f) => parsed.flags[f] !== undefined);
  if (engine === 'tfjs') {
    if (torchOnly.length) throw new UsageError(`--${torchOnly[0]} belongs to --engine torch`);
    return undefined;
  }
  if (parsed.flags['backend'] !== undefined) {
    throw new UsageError('--backend chooses the TensorFlow.js backend; --engine torch takes --device auto, cpu or cuda');
  }
  const nproc = numberFlag(parsed, 'nproc', { min: 1, integer: true }, 1);
  if (batchSize < nproc) throw new UsageError(`--batch-size ${batchSize} is the global batch: it needs at least one image per process (--nproc ${nproc})`);
  const torchrun = parsed.flags['torchrun'] as string | undefined;
  return {
    nproc,
    device: choiceFlag(parsed, 'device', ['auto', 'cpu', 'cuda'] as const, 'auto'),
    ...(torchrun !== undefined && { torchrun: torchrun.split(/\s+/).filter(Boolean) }),
  };
}

function readSchedule(parsed: Parsed, epochs: number): ScheduleSpec {
  const kind = choiceFlag(parsed, 'schedule', scheduleKinds, 'constant');
  const owners: Record<string, readonly string[]> = {
    'step-every': ['step'],
    gamma: ['step'],
    'min-lr': ['cosine', 'plateau'],
    'plateau-patience': ['plateau'],
    'plateau-factor': ['plateau'],
  };
  for (const [flag, kinds] of Object.entries(owners)) {
    if (parsed.flags[flag] !== undefined && !kinds.includes(kind)) {
      throw new UsageError(`--${flag} belongs to --schedule ${kinds.join(' or ')}`);
    }
  }
  switch (kind) {
    case 'constant':
      return { kind };
    case 'step':
      return {
        kind,
        every: numberFlag(parsed, 'step-every', { min: 1, integer: true }, 10),
        gamma: numberFlag(parsed, 'gamma', { min: 0, exclusiveMin: true, max: 1 }, 0.1),
      };
    case 'cosine':
      return { kind, epochs, minLr: numberFlag(parsed, 'min-lr', { min: 0 }, 0) };
    case 'plateau':
      return {
        kind,
        factor: numberFlag(parsed, 'plateau-factor', { min: 0, exclusiveMin: true, max: 1 }, 0.5),
        patience: numberFlag(parsed, 'plateau-patience', { min: 1, integer: true }, 5),
        minLr: numberFlag(parsed, 'min-lr', { min: 0 }, 1e-6),
      };
  }
}

function readClassWeights(text: string | undefined): 'balanced' | number[] | undefined {
  if (text === undefined || text === 'balanced') return text;
  const weights = text.split(',').map((w) => Number(w.trim()));
  if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new UsageError(`--class-weights needs 'balanced' or non-negative numbers like 1,2,0.5, got '${text}'`);
  }
  return weights;
}

function report(outcome: TrainOutcome, out: string): number {
  const written = [files.safetensors, files.training, files.metrics, files.plot].join(', ');
  const saved = `${out}: ${files.topology} + ${files.weights} (tfjs), ${written}`;
  if (outcome.status === 'nan') {
    const kept = outcome.lastCheckpoint
      ? `the checkpoint of epoch ${outcome.lastCheckpoint} in ${out} is kept`
      : `no checkpoint was written (${join(out, files.metrics)} has the epochs before)`;
    process.stderr.write(
      `archc train: the loss became NaN or infinite in epoch ${outcome.epoch}, step ${outcome.step} ` +
        `(learning rate ${outcome.lr}); training stopped and ${kept}\n` +
        `  hint: lower --lr, add --weight-decay or check the data; --resume ${out} continues from the checkpoint\n`,
    );
    return 1;
  }
  const best = outcome.history.find((r) => r.epoch === outcome.bestEpoch);
  const figures = !best
    ? ''
    : best.valLoss !== undefined
      ? `val_loss ${formatLoss(best.valLoss)}, val_acc ${best.valAccuracy!.toFixed(3)}${best.valMiou !== undefined ? `, val_miou ${best.valMiou.toFixed(3)}` : ''}`
      : `loss ${formatLoss(best.loss)}, acc ${best.accuracy.toFixed(3)}`;
  const what = outcome.status === 'early-stopped'
    ? `stopped early after epoch ${outcome.history.at(-1)?.epoch}: kept the weights of epoch ${outcome.bestEpoch} (${figures})`
    : `trained ${epochs(outcome.history.at(-1)?.epoch ?? 0)}; saved the weights of epoch ${outcome.bestEpoch} (${figures})`;
  process.stdout.write(`${what}\nsaved ${saved}\n`);
  return 0;
}

const epochs = (n: number): string => `${n} epoch${n === 1 ? '' : 's'}`;
