// Turns a checkpoint the torch worker staged (model.safetensors and optimizer.safetensors by
// archc's names) into the run folder's files, exactly as the tfjs engine writes them: the tfjs
// model (model.json + weights.bin, for predict and eval), model.safetensors, optimizer.safetensors
// and training.json last (runtime/persist/checkpoint.ts), each replaced in one step.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../../runtime/index.js';
import { files, readWeightsFile, saveTrainedModel } from '../../runtime/persist/checkpoint.js';
import { trainingInfo, type Prepared, type TrainRequest } from '../../runtime/train/session.js';
import type { TrainState } from '../../runtime/train/trainer.js';

export interface CheckpointEvent {
  readonly event: 'checkpoint';
  readonly epoch: number;
  /** The staging folder the worker wrote. */
  readonly dir: string;
  readonly state: Omit<TrainState, 'optimizer'>;
  readonly optimizerStep: number;
}

export class CheckpointWriter {
  /** The epoch of the last checkpoint in the run folder (the resumed one at first). */
  lastEpoch: number | undefined;

  constructor(
    private readonly req: TrainRequest,
    private readonly p: Prepared,
  ) {
    this.lastEpoch = p.resumed?.state.epoch;
  }

  async commit(event: CheckpointEvent, backend: string): Promise<void> {
    const weights = readWeightsFile(join(event.dir, files.safetensors));
    if (!weights.ok) throw new Error(weights.message);
    // A staged optimizer file that cannot be read would make the checkpoint silently slot-less.
    const optimizerPath = join(event.dir, files.optimizer);
    const optimizerFile = readWeightsFile(optimizerPath);
    if (!optimizerFile.ok && existsSync(optimizerPath)) throw new Error(optimizerFile.message);
    const built = buildModel(this.p.graph, { weights: weights.value.weights, origin: 'the torch checkpoint' });
    if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('; '));
    const slots = new Map<string, tf.Tensor>();
    if (optimizerFile.ok) for (const [name, t] of optimizerFile.value.weights) slots.set(name, tf.tensor(t.data, [...t.shape]));
    try {
      const info = trainingInfo({ ...this.req, backend }, this.p, event.state, event.optimizerStep);
      await saveTrainedModel(this.req.out, { model: built.model, info, irWeights: weights.value.weights, optimizer: slots, quantizationBytes: this.req.quantizationBytes });
      this.lastEpoch = event.epoch;
    } finally {
      built.model.dispose();
      tf.dispose([...slots.values()]);
    }
  }
}
