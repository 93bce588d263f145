// The job folder the torch worker (engines/torch/worker.py) trains from: job.json with the
// settings, the model as a PyTorch module file, its starting weights by archc's names, and the
// images decoded once by archc (8-bit NHWC pixels, labels, the train/validation indices), so
// Python never decodes an image and the steps never wait for Node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IrGraph } from '../../compiler/ir.js';
import { initWeights } from '../../compiler/weights/init.js';
import { safetensorsChunks } from '../../compiler/weights/safetensors.js';
import { declaredWeights, type WeightTensor } from '../../compiler/weights/tensor.js';
import { writeFileAtomic } from '../../runtime/persist/files.js';
import type { Prepared, TrainRequest } from '../../runtime/train/session.js';
import { isSegmentationSet } from '../../runtime/data/masks.js';
import type { TorchModule } from './module.js';

export const JOB_FORMAT = 'archc-torch-job-1';

export interface TorchOptions {
  /** Processes on this machine (DistributedDataParallel when > 1). */
  readonly nproc: number;
  /** auto: CUDA when torch sees a GPU, else the CPU. */
  readonly device: 'auto' | 'cpu' | 'cuda';
  /** Extra torchrun options for several machines, e.g. `--nnodes 2 --node-rank 0 --rdzv-endpoint host:29400`. */
  readonly torchrun?: readonly string[];
}

/** Writes the job folder (a fresh temporary folder) and returns its path. */
export function writeJob(req: TrainRequest, p: Prepared, module: TorchModule, options: TorchOptions): string {
  const folder = mkdtempSync(join(tmpdir(), 'archc-torch-'));
  const { graph, set, split } = p;
  const bytes = (a: Uint8Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(join(folder, 'pixels.u8'), bytes(set.pixels));
  writeFileSync(join(folder, 'labels.i32'), bytes(set.labels));
  writeFileSync(join(folder, 'train.i32'), bytes(split.train));
  writeFileSync(join(folder, 'val.i32'), bytes(split.val));
  const segmentation = isSegmentationSet(set);
  if (segmentation) writeFileSync(join(folder, 'masks.u8'), set.masks);
  writeFileSync(join(folder, 'model.py'), module.source);
  const start = p.resumed?.weights ?? p.pretrained?.weights ?? initWeights(graph, { seed: req.seed });
  writeFileAtomic(join(folder, 'start.safetensors'), safetensorsChunks(start, {}));
  const slots = p.resumed?.state.optimizer;
  if (slots) writeFileAtomic(join(folder, 'optimizer.safetensors'), safetensorsChunks(slots.slots as Map<string, WeightTensor>, {}));
  const state = p.resumed?.state;
  const job = {
    format: JOB_FORMAT,
    modelName: graph.model,
    model: { file: 'model.py', class: module.className, kwargs: module.kwargs },
    weights: 'start.safetensors',
    weightNames: declaredWeights(graph).map((w) => w.name),
    frozen: declaredWeights(graph).filter((w) => w.node.frozen).map((w) => w.name),
    ...(slots && { optimizerState: 'optimizer.safetensors', optimizerStep: slots.step }),
    data: {
      pixels: 'pixels.u8',
      labels: 'labels.i32',
      train: 'train.i32',
      val: 'val.i32',
      count: set.count,
      ...(segmentation && { masks: 'masks.u8', classes: set.classes.length }),
      shape: [set.shape.height, set.shape.width, set.shape.channels],
    },
    train: {
      epochs: req.epochs,
      batchSize: req.batchSize,
      lr: req.lr,
      optimizer: req.optimizer,
      schedule: req.schedule,
      loss: p.loss,
      task: segmentation ? 'segmentation' : 'classification',
      output: p.m.output,
      normalize: req.normalize,
      augment: req.augment,
      patience: req.patience ?? null,
      seed: req.seed,
    },
    ...(state && { resume: { epoch: state.epoch, history: state.history, schedule: state.schedule, early: state.early ?? null } }),
    device: options.device,
  };
  writeFileSync(join(folder, 'job.json'), `${JSON.stringify(job, null, 2)}\n`);
  return folder;
}
