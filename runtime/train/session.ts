// One `archc train` run from a compiled graph: check the model against the data, freeze blocks,
// load the data, build the tfjs model (fresh or from a checkpoint), train, and keep the output
// folder current every epoch: checkpoint, metrics.json and curves.svg.
import type { QuantizationBytes } from '../persist/tfjs-quantize.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IrGraph } from '../../compiler/ir.js';
import type { WeightTensor } from '../../compiler/weights/tensor.js';
import { formatShape } from '../../compiler/ir.js';
import { buildModel, saveWeights } from '../index.js';
import type { Augment } from '../data/augment.js';
import type { Normalize } from '../data/batch.js';
import { files, readTrainingInfo, readWeightsFile, saveTrainedModel, TRAINING_FORMAT, type TrainingInfo } from '../persist/checkpoint.js';
import { readOptimizerFile, verifyCheckpoint } from '../persist/checkpoint-manifest.js';
import { classCounts, loadImageFolder, splitIndices, syntheticSet } from '../data/dataset.js';
import type { DataProblem, ImageSet, LoadReport, SampleShape, Split } from '../data/dataset.js';
import { ioReason, isFileError, makeFolders, writeFileAtomic, writeJsonAtomic } from '../persist/files.js';
import { curvesSvg } from '../display/plot.js';
import { freezeBlocks } from './freeze.js';
import { pretrainedWeights, type Pretrained } from '../persist/pretrained.js';
import { balancedClassWeights, type LossKind, type LossSpec, type OutputKind } from './losses.js';
import { isSegmentationSet } from '../data/masks.js';
import type { SegLossKind, SegLossSpec } from './seg-losses.js';
import { describeSegSet, loadSegData, segFolderForClassifier, segLossSpec, segModelIo } from './seg-session.js';
import type { TaskKind } from './task.js';
import type { OptimizerSpec } from './optimizers.js';
import type { ProgressStream } from '../display/progress.js';
import type { ScheduleSpec } from './schedules.js';
import { train, type EpochRecord, type TrainHooks, type TrainOutcome, type TrainState } from './trainer.js';

export interface TrainRequest {
  readonly graph: IrGraph;
  /**
   * The model at other admissible sizes (compiler/symbolic/probes.ts), for a size-generic model:
   * the saved model.json then takes any such size (null height and width), see runtime/build.ts.
   */
  readonly probes?: readonly IrGraph[];
  readonly source: TrainingInfo['source'];
  readonly data:
    | { readonly kind: 'folder'; readonly path: string }
    | { readonly kind: 'synthetic'; readonly samples: number };
  readonly out: string;
  /** Total epochs: a resumed run continues up to this many. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly valFraction: number;
  readonly lr: number;
  readonly optimizer: OptimizerSpec;
  readonly schedule: ScheduleSpec;
  /** Default: binary cross-entropy for one output unit, else cross-entropy (also per pixel). */
  readonly loss?: LossKind | SegLossKind;
  /** Segmentation: the mask value of unlabelled pixels (default 255, PASCAL VOC's). */
  readonly ignoreIndex?: number;
  readonly smoothing: number;
  readonly classWeights?: 'balanced' | readonly number[];
  readonly augment: Augment;
  readonly normalize: Normalize;
  readonly freeze: readonly string[];
  readonly resume?: string;
  /** Starting weights by IR name (.safetensors, .onnx or a trained-model folder), for fine-tuning. */
  readonly weights?: string;
  /** Globs of weight names that start afresh instead of loading from `weights` (a new head). */
  readonly initMissing?: readonly string[];
  /** Replace a trained model already in `out`. */
  readonly force?: boolean;
  readonly patience?: number;
  readonly seed: number;
  /** The active tfjs backend, recorded with the model. */
  readonly backend: string;
  /** model.json's weights stored with 1 or 2 bytes per value (tfjs weight quantization). */
  readonly quantizationBytes?: QuantizationBytes;
}

export interface SessionIo {
  log(line: string): void;
  readonly progress?: ProgressStream;
}

export type SessionResult =
  | { readonly ok: true; readonly outcome: TrainOutcome; readonly classes: readonly string[] }
  | { readonly ok: false; readonly problem: DataProblem };

/**
 * What training needs to know about the model: one image input, and one vector of class scores
 * (classification) or score maps [K, H, W] at the input's size (segmentation: the main output, then
 * any auxiliary heads).
 */
export interface ModelIo {
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  readonly sample: SampleShape;
  readonly units: number;
  readonly output: OutputKind;
  readonly task: TaskKind;
}

export function modelIo(graph: IrGraph): { ok: true; io: ModelIo } | { ok: false; problem: DataProblem } {
  const fail = (message: string, hint?: string) => ({ ok: false as const, problem: { message, hint } });
  if (graph.inputs.length !== 1 || graph.outputs.length === 0) {
    const counts = `${graph.inputs.length} inputs and ${graph.outputs.length} outputs`;
    return fail(`${graph.model} has ${counts}; training takes one image input and one class-score output`);
  }
  const input = graph.nodes[graph.inputs[0]!.node]!;
  const output = graph.nodes[graph.outputs[0]!.node]!;
  const [c, h, w] = input.shape;
  const inputName = graph.inputs[0]!.name;
  if (input.shape.length !== 3 || (c !== 1 && c !== 3)) {
    return fail(
      `${graph.model}'s input ${inputName} is ${formatShape(input.shape)}; image training needs [1, H, W] or [3, H, W]`,
      'grey images feed a [1, H, W] input, colour images a [3, H, W] one',
    );
  }
  const sample: SampleShape = { channels: c, height: h!, width: w! };
  const inputIo = { name: inputName, shape: [...input.shape] };
  const seg = segModelIo(graph, sample);
  if (seg && !seg.ok) return seg;
  if (seg) return { ok: true, io: { input: inputIo, sample, units: seg.io.classes, output: seg.io.output, task: 'segmentation' } };
  if (graph.outputs.length !== 1) {
    return fail(`${graph.model} has ${graph.outputs.length} outputs; training takes one class-score output (or score maps for segmentation)`);
  }
  if (output.shape.length !== 1) {
    return fail(
      `${graph.model}'s output ${graph.outputs[0]!.name} is ${formatShape(output.shape)}; classification needs one score per class, [K], and segmentation a score map [K, H, W]`,
      'end the model with global_avgpool |> flatten |> dense(classes)',
    );
  }
  const kind: OutputKind = output.op === 'softmax' ? 'softmax' : output.op === 'sigmoid' ? 'sigmoid' : 'logits';
  return { ok: true, io: { input: inputIo, sample, units: output.shape[0]!, output: kind, task: 'classification' } };
}

export async function runTrainingSession(req: TrainRequest, io: SessionIo): Promise<SessionResult> {
  const prepared = prepare(req, io);
  if (!prepared.ok) return prepared;
  const { graph, m, set, split, loss, resumed } = prepared;
  const weights = resumed?.weights ?? prepared.pretrained?.weights;
  const origin = resumed ? join(req.resume!, files.safetensors) : prepared.pretrained?.file;
  // The probes frozen like the model, so that their layers are configured alike.
  const probes = req.probes?.flatMap((p) => {
    const frozen = req.freeze.length ? freezeBlocks(p, req.freeze) : undefined;
    return frozen ? (frozen.ok ? [frozen.graph] : []) : [p];
  });
  const built = buildModel(graph, { weights, seed: req.seed, origin, probes });
  if (!built.ok) {
    const notes = built.diagnostics.map((d) => d.message);
    return { ok: false, problem: { message: `${graph.model} cannot be built for TensorFlow.js`, notes } };
  }
  const model = built.model;
  try {
    makeFolders(req.out);
    if (resumed) io.log(`resuming from ${req.resume} after epoch ${resumed.state.epoch}`);
    const info = (s: TrainState, optimizerStep: number) => trainingInfo(req, prepared, s, optimizerStep);
    const hooks: TrainHooks = {
      progress: io.progress,
      onEpoch: (_record, history) => writeRunFiles(req.out, graph.model, req.backend, history),
      onCheckpoint: async (s, optimizer) => {
        const { step, slots } = optimizer.state();
        const irWeights = saveWeights(model);
        await saveTrainedModel(req.out, { model, info: info(s, step), irWeights, optimizer: slots, quantizationBytes: req.quantizationBytes });
      },
    };
    const config = { ...req, loss, output: m.output };
    const outcome = await train(model, set, split, config, hooks, resumed?.state);
    return { ok: true, outcome, classes: set.classes };
  } catch (e) {
    if (!isFileError(e)) throw e;
    const hint = 'files already there are whole: each is replaced in one step';
    return { ok: false, problem: { message: `cannot write to ${req.out}: ${ioReason(e)}`, hint, io: true } };
  } finally {
    model.dispose();
  }
}

/** training.json for a checkpoint of `state`: everything predict, eval and a resumed run need. */
export function trainingInfo(req: TrainRequest, p: Prepared, s: TrainState, optimizerStep: number): TrainingInfo {
  return {
    format: TRAINING_FORMAT,
    model: p.graph.model,
    source: req.source,
    input: p.m.input,
    classes: p.set.classes,
    ...(isSegmentationSet(p.set) && { task: 'segmentation' as const, palette: p.set.palette }),
    normalize: req.normalize,
    output: p.m.output,
    loss: p.loss,
    epoch: s.epoch,
    backend: req.backend,
    savedAt: new Date().toISOString(),
    state: { history: s.history, schedule: s.schedule, ...(s.early && { early: s.early }), optimizerStep },
  };
}

/** A run that passed every check, with its data loaded: what an engine needs to start training. */
export interface Prepared {
  readonly ok: true;
  readonly graph: IrGraph;
  readonly m: ModelIo;
  readonly set: ImageSet;
  readonly split: Split;
  readonly loss: LossSpec | SegLossSpec;
  readonly resumed?: Checkpoint;
  readonly pretrained?: Pretrained & { ok: true };
}

/** Every check that can stop a run before a model is built: model, output folder, freeze, data. */
export function prepare(req: TrainRequest, io: SessionIo): Prepared | { ok: false; problem: DataProblem } {
  const fail = (problem: DataProblem) => ({ ok: false as const, problem });
  const described = modelIo(req.graph);
  if (!described.ok) return described;
  const m = described.io;
  if (!req.resume && !req.force && existsSync(join(req.out, files.training))) {
    const hint = `--resume ${req.out} continues it; --force replaces it`;
    return fail({ message: `${req.out} already holds a trained model`, hint });
  }
  const frozen = req.freeze.length ? freezeBlocks(req.graph, req.freeze) : undefined;
  if (frozen && !frozen.ok) return fail(frozen);
  if (frozen) {
    const params = frozen.frozenParams.toLocaleString('en-US');
    io.log(`frozen: ${req.freeze.join(', ')} (${plural(frozen.frozenNodes, 'layer')}, ${params} parameters)`);
  }
  const graph = frozen?.graph ?? req.graph;
  const resumed = req.resume ? readCheckpoint(req.resume, graph.model) : undefined;
  if (resumed && !resumed.ok) return fail(resumed.problem);
  if (resumed && resumed.state.epoch >= req.epochs) {
    const done = resumed.state.epoch;
    return fail({ message: `${req.resume} is already trained for ${done} epochs`, hint: `pass --epochs ${done + 5} to train 5 more` });
  }
  const data = loadData(req, m, resumed?.info.classes);
  if (!data.ok) return fail(data.problem);
  const { set, report } = data;
  const mismatch = m.task === 'classification' ? checkClasses(set.classes.length, m, req.graph.model) : undefined;
  if (mismatch) return fail(mismatch);
  const split = splitIndices(set, req.valFraction, req.seed);
  const summary = isSegmentationSet(set) ? describeSegSet(set, report) : describeSet(set, report);
  io.log(`data: ${summary}; ${split.train.length} training, ${split.val.length} validation`);
  for (const s of isSegmentationSet(set) ? report?.skipped.slice(0, 5) ?? [] : []) io.log(`  skipped ${s.file}: ${s.reason}`);
  if (isSegmentationSet(set) && (report?.skipped.length ?? 0) > 5) io.log(`  ... and ${report!.skipped.length - 5} more skipped`);
  if (split.train.length === 0) {
    return fail({ message: 'no training images are left after the validation split', hint: 'lower --val' });
  }
  const loss = isSegmentationSet(set)
    ? segLossSpec({ ...req, ignoreIndex: req.ignoreIndex ?? 255 }, set, split.train)
    : lossSpec(req, m, classCounts(set, split.train));
  if ('message' in loss) return fail(loss);
  if (req.weights && req.resume) return fail({ message: '--weights and --resume both give starting weights; pass one' });
  if (req.initMissing?.length && !req.weights) return fail({ message: '--init-missing chooses tensors of --weights to start afresh; give --weights too' });
  const pretrained = req.weights ? pretrainedWeights(graph, req.weights, req.seed, req.initMissing) : undefined;
  if (pretrained && !pretrained.ok) return fail(pretrained.problem);
  if (pretrained) {
    const fresh = pretrained.fresh.length ? `; initialized afresh (--init-missing): ${pretrained.fresh.join(', ')}` : '';
    const total = pretrained.loaded + pretrained.fresh.length;
    io.log(`weights: ${pretrained.loaded} of ${total} tensors from ${pretrained.file}${fresh}`);
  }
  return { ok: true, graph, m, set, split, loss, ...(resumed && { resumed }), ...(pretrained && { pretrained }) };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

type Loaded = { ok: true; set: ImageSet; report?: LoadReport } | { ok: false; problem: DataProblem };

function loadData(req: TrainRequest, m: ModelIo, classes?: readonly string[]): Loaded {
  if (req.ignoreIndex !== undefined && m.task === 'classification') {
    return { ok: false, problem: { message: '--ignore-index marks unlabelled mask pixels; it applies to segmentation' } };
  }
  if (m.task === 'segmentation') return loadSegData({ ...req, ignoreIndex: req.ignoreIndex ?? 255 }, m.sample, m.units, classes);
  const segFolder = req.data.kind === 'folder' ? segFolderForClassifier(req.data.path, req.graph.model, m.units) : undefined;
  if (segFolder) return segFolder;
  if (req.data.kind === 'synthetic') {
    const count = classes?.length ?? (m.units === 1 ? 2 : m.units);
    const set = syntheticSet({ classes: count, samples: req.data.samples, shape: m.sample, seed: req.seed });
    return { ok: true, set };
  }
  return loadImageFolder(req.data.path, m.sample, classes);
}

function describeSet(set: ImageSet, report?: LoadReport): string {
  const counts = classCounts(set);
  const few = set.classes.length <= 8;
  const classes = few ? set.classes.map((c, i) => `${c} ${counts[i]}`).join(', ') : `${set.classes.length} classes`;
  const skipped = report?.skipped.length ? `, ${report.skipped.length} unreadable skipped` : '';
  const ignored = report?.ignored ? `, ${report.ignored} non-image files ignored` : '';
  const { height, width, channels } = set.shape;
  return `${set.count} images (${classes})${skipped}${ignored}, resized to ${height}×${width}×${channels}`;
}

function checkClasses(classes: number, m: ModelIo, model: string): DataProblem | undefined {
  if (m.units === classes || (m.units === 1 && classes === 2)) return undefined;
  return {
    message: `the data has ${classes} classes but ${model} outputs ${m.units} scores`,
    hint: m.units === 1
      ? 'one output unit is binary: the data needs exactly two class folders'
      : `compile the model for ${classes} classes, e.g. --set classes=${classes}`,
  };
}

function lossSpec(req: TrainRequest, m: ModelIo, counts: number[]): LossSpec | DataProblem {
  const kind = req.loss ?? (m.units === 1 ? 'bce' : 'ce');
  if (kind === 'dice' || kind === 'dice-ce') return { message: `--loss ${kind} is a segmentation loss; classification takes ce, bce or mse` };
  if (kind === 'ce' && m.units === 1) {
    return { message: 'cross-entropy needs one output per class; this model has one output unit', hint: 'use --loss bce' };
  }
  if (kind === 'ce' && m.output === 'sigmoid') {
    return { message: 'the model ends in sigmoid, which cross-entropy does not expect', hint: 'use --loss bce, or end the model in logits' };
  }
  let classWeights: number[] | undefined;
  if (req.classWeights === 'balanced') classWeights = balancedClassWeights(counts);
  else if (req.classWeights) {
    if (req.classWeights.length !== counts.length) {
      return { message: `--class-weights gives ${req.classWeights.length} weights for ${counts.length} classes` };
    }
    classWeights = [...req.classWeights];
  }
  return { kind, smoothing: req.smoothing, ...(classWeights && { classWeights }) };
}

export interface Checkpoint {
  readonly info: TrainingInfo;
  readonly weights: Map<string, WeightTensor>;
  readonly state: TrainState;
}

function readCheckpoint(dir: string, model: string): ({ ok: true } & Checkpoint) | { ok: false; problem: DataProblem } {
  const info = readTrainingInfo(dir);
  if (!info.ok) return { ok: false, problem: info };
  if (info.value.model !== model) {
    return { ok: false, problem: { message: `${dir} holds a trained ${info.value.model}, not ${model}` } };
  }
  const whole = verifyCheckpoint(dir, info.value);
  if (!whole.ok) return { ok: false, problem: whole };
  const weights = readWeightsFile(join(dir, files.safetensors));
  if (!weights.ok) return { ok: false, problem: weights };
  const optimizer = readOptimizerFile(dir, info.value);
  if (optimizer && !optimizer.ok) return { ok: false, problem: optimizer };
  const s = info.value.state;
  const state: TrainState = {
    epoch: info.value.epoch,
    history: s.history,
    schedule: s.schedule,
    ...(s.early && { early: s.early }),
    ...(optimizer?.ok && { optimizer: { step: s.optimizerStep, slots: optimizer.value.weights } }),
  };
  return { ok: true, info: info.value, weights: weights.value.weights, state };
}

/** metrics.json and curves.svg, rewritten every epoch. */
export function writeRunFiles(out: string, model: string, backend: string, history: readonly EpochRecord[]): void {
  writeJsonAtomic(join(out, files.metrics), { format: 'archc-metrics-1', model, backend, history });
  writeFileAtomic(join(out, files.plot), curvesSvg(model, history));
}
