// The training loop: shuffled, augmented mini-batches; gradients of the chosen loss through the
// tfjs model in training mode; the optimizer at the schedule's learning rate; validation, early
// stopping with the best weights restored, checkpoints through a hook; a NaN loss stops the run.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Augment } from '../data/augment.js';
import { makeBatch, type Normalize } from '../data/batch.js';
import type { ImageSet, Split } from '../data/dataset.js';
import { computeLoss, predictedClasses, type LossSpec, type OutputKind } from './losses.js';
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
  readonly loss: LossSpec;
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
  const loop: Loop = { model, set, config, optimizer, params, progress: hooks.progress };
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
      const val = split.val.length ? evaluateLoss(model, set, split.val, config) : undefined;
      const record: EpochRecord = { epoch: epoch + 1, lr, ...run.stats, ...(val && { valLoss: val.loss, valAccuracy: val.accuracy }) };
      history.push(record);
      run.bar.finish(run.stats, val ? `val_loss ${formatLoss(val.loss)}  val_acc ${val.accuracy.toFixed(3)}` : '');
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
  const { set, config, progress } = loop;
  const order = rng.shuffle(Array.from(indices));
  const steps = Math.ceil(order.length / config.batchSize);
  const bar = new ProgressBar(progress ?? { write: () => true }, label, steps);
  const { height, width, channels } = set.shape;
  const started = performance.now();
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  const stats = () => {
    const seconds = (performance.now() - started) / 1000;
    const loss = seen ? lossSum / seen : NaN;
    return { loss, accuracy: seen ? correct / seen : 0, seconds, imagesPerSecond: seen / Math.max(seconds, 1e-9) };
  };
  for (let step = 0; step < steps; step++) {
    const from = step * config.batchSize;
    const to = Math.min(order.length, from + config.batchSize);
    const batch = makeBatch(set, order, from, to, { normalize: config.normalize, augment: config.augment, rng });
    const n = to - from;
    const { loss, hits } = trainStep(loop, batch, [n, height, width, channels], lr);
    if (!Number.isFinite(loss)) return { nan: { step: step + 1 }, bar, stats: stats(), steps };
    lossSum += loss * n;
    correct += hits;
    seen += n;
    bar.update(step + 1, stats());
  }
  return { bar, stats: stats(), steps };
}

function trainStep(loop: Loop, batch: { x: Float32Array; labels: Int32Array }, shape: number[], lr: number): { loss: number; hits: number } {
  const { model, config, optimizer, params } = loop;
  const x = tf.tensor4d(batch.x, shape as [number, number, number, number]);
  const labels = tf.tensor1d(batch.labels, 'int32');
  let predicted: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const y = model.apply(x, { training: true }) as tf.Tensor2D;
      predicted = tf.keep(predictedClasses(config.output, y));
      return computeLoss(config.loss, config.output, y, labels);
    }, params.map((p) => p.variable));
    // One read-back per step for both figures (a round trip on webgpu).
    const hitCount = () => tf.cast(tf.sum(tf.equal(predicted!, labels)), 'float32');
    const [loss, hits] = tf.tidy(() => tf.stack([value, hitCount()]).dataSync());
    if (Number.isFinite(loss)) optimizer.apply(params.map((p) => grads[p.variable.name]!), lr);
    value.dispose();
    tf.dispose(grads);
    return { loss: loss!, hits: hits! };
  } finally {
    predicted?.dispose();
    x.dispose();
    labels.dispose();
  }
}

/** Mean loss and accuracy over `indices`, in inference mode, batch by batch. */
export function evaluateLoss(
  model: tfl.LayersModel,
  set: ImageSet,
  indices: Int32Array,
  config: Pick<TrainConfig, 'batchSize' | 'loss' | 'output' | 'normalize'>,
): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  const { height, width, channels } = set.shape;
  for (let from = 0; from < indices.length; from += config.batchSize) {
    const to = Math.min(indices.length, from + config.batchSize);
    const batch = makeBatch(set, indices, from, to, { normalize: config.normalize });
    const [loss, hits] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [to - from, height, width, channels]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const y = model.predict(x) as tf.Tensor2D;
      const hits = tf.sum(tf.equal(predictedClasses(config.output, y), labels));
      return [computeLoss(config.loss, config.output, y, labels).dataSync()[0]!, hits.dataSync()[0]!];
    });
    lossSum += loss! * (to - from);
    correct += hits!;
  }
  return { loss: lossSum / indices.length, accuracy: correct / indices.length };
}

function replace(old: tf.Tensor[] | undefined, next: tf.Tensor[]): tf.Tensor[] {
  old?.forEach((t) => t.dispose());
  return next;
}

function restoreBest(model: tfl.LayersModel, best: tf.Tensor[] | undefined): void {
  if (best) model.setWeights(best);
}
