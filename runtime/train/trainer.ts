// The training loop: shuffled, augmented mini-batches; gradients of the chosen loss through the
// tfjs model in training mode; the optimizer at the schedule's learning rate; validation, early
// stopping with the best weights restored, checkpoints through a hook; a NaN loss stops the run.
// The task (runtime/train/task.ts) supplies batches, loss and what "correct" means: images for
// classification, labelled pixels for segmentation (whose validation also reports mIoU).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Augment } from '../data/augment.js';
import type { Normalize } from '../data/batch.js';
import type { ImageSet, Split } from '../data/dataset.js';
import type { LossSpec, OutputKind } from './losses.js';
import type { SegLossSpec } from './seg-losses.js';
import { meanIoU } from './seg-metrics.js';
import { asList, makeTask, type TaskBatch, type TrainTask } from './task.js';
import { Optimizer, type OptimizerSpec, type Trainable } from './optimizers.js';
import { ProgressBar, formatLoss, type ProgressStream } from '../display/progress.js';
import { Rng } from '../data/rng.js';
import { EarlyStopping, Schedule, type EarlyStopState, type PlateauState, type ScheduleSpec } from './schedules.js';

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerSpec;
  readonly schedule: ScheduleSpec;
  readonly loss: LossSpec | SegLossSpec;
  readonly output: OutputKind;
  readonly normalize: Normalize;
  readonly augment: Augment;
  /** Early stopping after this many epochs without improvement; the best weights are kept. */
  readonly patience?: number;
  readonly seed: number;
}

/** One epoch's figures, as written to metrics.json (epochs count from 1). */
export interface EpochRecord {
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Segmentation: the validation mean IoU. */
  readonly valMiou?: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

/** Everything a resumed run needs besides the weights. */
export interface TrainState {
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochRecord[];
  readonly schedule: PlateauState;
  readonly early?: EarlyStopState;
  readonly optimizer?: { step: number; slots: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }> };
}

export interface TrainHooks {
  readonly progress?: ProgressStream;
  /** After every epoch, with the history so far. */
  onEpoch?(record: EpochRecord, history: readonly EpochRecord[]): Promise<void> | void;
  /** When the current weights should be saved: every epoch, or each new best under early stopping. */
  onCheckpoint?(state: TrainState, optimizer: Optimizer): Promise<void> | void;
}

export type TrainOutcome =
  | {
      readonly status: 'completed' | 'early-stopped';
      readonly history: readonly EpochRecord[];
      readonly bestEpoch: number;
    }
  | {
      readonly status: 'nan';
      readonly history: readonly EpochRecord[];
      /** Where the loss stopped being finite, and at what learning rate. */
      readonly epoch: number;
      readonly step: number;
      readonly lr: number;
      /** The epoch whose checkpoint was saved last, if any. */
      readonly lastCheckpoint?: number;
    };

/** What one epoch's steps share. */
interface Loop {
  readonly model: tfl.LayersModel;
  readonly set: ImageSet;
  readonly task: TrainTask;
  readonly config: TrainConfig;
  readonly optimizer: Optimizer;
  readonly params: readonly Trainable[];
  readonly progress?: ProgressStream;
}

export async function train(
  model: tfl.LayersModel,
  set: ImageSet,
  split: Split,
  config: TrainConfig,
  hooks: TrainHooks = {},
  resume?: TrainState,
): Promise<TrainOutcome> {
  // originalName is the layer's own path (`fc/kernel`); `name` gets a process-wide unique suffix.
  const params: Trainable[] = model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable }));
  const optimizer = new Optimizer(config.optimizer, params);
  const task = makeTask(set, config);
  const loop: Loop = { model, set, task, config, optimizer, params, progress: hooks.progress };
  if (resume?.optimizer) optimizer.restore(resume.optimizer.step, resume.optimizer.slots);
  const schedule = new Schedule(config.schedule, config.lr, resume?.schedule);
  const early = config.patience !== undefined ? new EarlyStopping(config.patience, resume?.early) : undefined;
  const history: EpochRecord[] = [...(resume?.history ?? [])];
  let best: tf.Tensor[] | undefined;
  let lastCheckpoint = resume?.epoch;
  try {
    for (let epoch = resume?.epoch ?? 0; epoch < config.epochs; epoch++) {
      const lr = schedule.lrFor(epoch);
      const label = `epoch ${String(epoch + 1).padStart(String(config.epochs).length)}/${config.epochs}`;
      // Each epoch's shuffle and augmentation come from its own seed: a resumed run repeats them.
      const run = runEpoch(loop, split.train, lr, new Rng(config.seed * 1_000_003 + epoch), label);
      const nan = (step: number): TrainOutcome => ({ status: 'nan', history, epoch: epoch + 1, step, lr, lastCheckpoint });
      if (run.nan) return nan(run.nan.step);
      const val = split.val.length ? evaluateLoss(model, set, split.val, config, task) : undefined;
      const valFigures = val && { valLoss: val.loss, valAccuracy: val.accuracy, ...(val.miou !== undefined && { valMiou: val.miou }) };
      const record: EpochRecord = { epoch: epoch + 1, lr, ...run.stats, ...valFigures };
      history.push(record);
      run.bar.finish(run.stats, valSummary(record));
      if (val && !Number.isFinite(val.loss)) return nan(run.steps);
      const monitored = val ? val.loss : run.stats.loss;
      schedule.observe(monitored);
      await hooks.onEpoch?.(record, history);
      const verdict = early?.observe(monitored, epoch + 1);
      const state = (): TrainState => ({ epoch: epoch + 1, history, schedule: schedule.state(), early: early?.state() });
      if (!early || verdict === 'improved') {
        if (early) best = replace(best, model.weights.map((w) => tf.clone(w.read())));
        await hooks.onCheckpoint?.(state(), optimizer);
        lastCheckpoint = epoch + 1;
      }
      if (verdict === 'stop') {
        restoreBest(model, best);
        return { status: 'early-stopped', history, bestEpoch: early!.bestEpoch };
      }
    }
    restoreBest(model, best);
    return { status: 'completed', history, bestEpoch: early ? early.bestEpoch : history.length };
  } finally {
    best?.forEach((t) => t.dispose());
    optimizer.dispose();
  }
}

function runEpoch(loop: Loop, indices: Int32Array, lr: number, rng: Rng, label: string) {
  const { set, task, config, progress } = loop;
  const order = rng.shuffle(Array.from(indices));
  const steps = Math.ceil(order.length / config.batchSize);
  const bar = new ProgressBar(progress ?? { write: () => true }, label, steps);
  const { height, width, channels } = set.shape;
  const started = performance.now();
  let lossSum = 0;
  let correct = 0;
  let counted = 0;
  let seen = 0;
  const stats = () => {
    const seconds = (performance.now() - started) / 1000;
    const loss = seen ? lossSum / seen : NaN;
    return { loss, accuracy: counted ? correct / counted : 0, seconds, imagesPerSecond: seen / Math.max(seconds, 1e-9) };
  };
  for (let step = 0; step < steps; step++) {
    const from = step * config.batchSize;
    const to = Math.min(order.length, from + config.batchSize);
    const batch = task.batch(order, from, to, config.augment, rng);
    const n = to - from;
    const { loss, hits, units } = trainStep(loop, batch, [n, height, width, channels], lr);
    if (!Number.isFinite(loss)) return { nan: { step: step + 1 }, bar, stats: stats(), steps };
    lossSum += loss * n;
    correct += hits;
    counted += units;
    seen += n;
    bar.update(step + 1, stats());
  }
  return { bar, stats: stats(), steps };
}

function trainStep(loop: Loop, batch: TaskBatch, shape: number[], lr: number): { loss: number; hits: number; units: number } {
  const { model, task, optimizer, params } = loop;
  const x = tf.tensor4d(batch.x, shape as [number, number, number, number]);
  const targets = batch.targets();
  let hitCount: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const outputs = asList(model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[]);
      hitCount = tf.keep(task.hits(outputs[0]!, targets));
      return task.loss(outputs, targets);
    }, params.map((p) => p.variable));
    // One read-back per step for all figures (a round trip on webgpu).
    const [loss, hits, units] = tf.tidy(() => tf.concat([tf.reshape(value, [1]), hitCount!]).dataSync());
    if (Number.isFinite(loss)) optimizer.apply(params.map((p) => grads[p.variable.name]!), lr);
    value.dispose();
    tf.dispose(grads);
    return { loss: loss!, hits: hits!, units: units! };
  } finally {
    hitCount?.dispose();
    x.dispose();
    targets.dispose();
  }
}

/** Mean loss and accuracy (and mIoU for segmentation) over `indices`, in inference mode, batch by batch. */
export function evaluateLoss(
  model: tfl.LayersModel,
  set: ImageSet,
  indices: Int32Array,
  config: Pick<TrainConfig, 'batchSize' | 'loss' | 'output' | 'normalize'>,
  task: TrainTask = makeTask(set, config),
): { loss: number; accuracy: number; miou?: number } {
  let lossSum = 0;
  let correct = 0;
  let counted = 0;
  let confusion: number[][] | undefined;
  const { height, width, channels } = set.shape;
  for (let from = 0; from < indices.length; from += config.batchSize) {
    const to = Math.min(indices.length, from + config.batchSize);
    const batch = task.batch(indices, from, to);
    const figures = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [to - from, height, width, channels]);
      const targets = batch.targets();
      const outputs = asList(model.predict(x) as tf.Tensor | tf.Tensor[]);
      const parts = [tf.reshape(task.loss(outputs, targets), [1]), task.hits(outputs[0]!, targets)];
      if (task.confusion) parts.push(tf.reshape(task.confusion(outputs[0]!, targets), [-1]));
      return tf.concat(parts).dataSync();
    });
    lossSum += figures[0]! * (to - from);
    correct += figures[1]!;
    counted += figures[2]!;
    if (task.confusion) {
      const k = Math.round(Math.sqrt(figures.length - 3));
      confusion ??= Array.from({ length: k }, () => new Array<number>(k).fill(0));
      for (let i = 0; i < k * k; i++) confusion[Math.floor(i / k)]![i % k]! += figures[3 + i]!;
    }
  }
  const accuracy = counted ? correct / counted : 0;
  return { loss: lossSum / indices.length, accuracy, ...(confusion && { miou: meanIoU(confusion) }) };
}

/** The validation part of an epoch's progress line. */
export function valSummary(r: EpochRecord): string {
  if (r.valLoss === undefined) return '';
  const miou = r.valMiou !== undefined ? `  val_miou ${r.valMiou.toFixed(3)}` : '';
  return `val_loss ${formatLoss(r.valLoss)}  val_acc ${r.valAccuracy!.toFixed(3)}${miou}`;
}

function replace(old: tf.Tensor[] | undefined, next: tf.Tensor[]): tf.Tensor[] {
  old?.forEach((t) => t.dispose());
  return next;
}

function restoreBest(model: tfl.LayersModel, best: tf.Tensor[] | undefined): void {
  if (best) model.setWeights(best);
}
