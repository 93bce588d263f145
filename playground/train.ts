// The run pane's training demo and downloads. The demo trains the editor's model for a few epochs
// on a tiny synthetic task (each image's class is the quadrant holding a bright square, so a
// working network can learn it) with tfjs-layers' fit, drawing the loss after every batch. The
// downloads write the current weights (trained, or the seeded initial ones) as ONNX (archc's
// lowering, the same as `archc export`), safetensors, or the TensorFlow.js model (model.json and
// weights, through tfjs's browser downloads).
import { lowerToOnnx } from '../compiler/lower-onnx/lower.js';
import { encodeOnnx } from '../compiler/lower-onnx/encode.js';
import { writeSafetensors } from '../compiler/weights/safetensors.js';
import type { Weights } from '../compiler/weights/tensor.js';
import type { IrGraph } from '../compiler/ir.js';

type Archc = typeof import('../browser.js');
type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;

/** Models above this many parameters are too slow to train in a page (resnet50 has 25.6 M). */
const TRAIN_LIMIT = 3_000_000;

export interface Trained {
  /** The source text it was trained from: the weights fit any compile of the same text. */
  readonly text: string;
  readonly model: LayersModel;
}

function drawLoss(canvas: HTMLCanvasElement, losses: readonly number[]): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = '#ccd';
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
  if (losses.length < 2) return;
  const max = Math.max(...losses);
  const min = Math.min(...losses, 0);
  ctx.strokeStyle = '#2a5bd7';
  ctx.lineWidth = 2;
  ctx.beginPath();
  losses.forEach((l, i) => {
    const x = 4 + (i / (losses.length - 1)) * (width - 8);
    const y = height - 4 - ((l - min) / (max - min || 1)) * (height - 8);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.font = '11px sans-serif';
  ctx.fillText(`loss ${losses.at(-1)!.toFixed(3)} (batch ${losses.length})`, 8, 14);
}

/** Trains for a few epochs on quadrant images; reports the losses as they come. */
export async function trainDemo(a: Archc, graph: IrGraph, canvas: HTMLCanvasElement, log: (s: string) => void): Promise<{ model: LayersModel; losses: number[] }> {
  const input = graph.nodes[graph.inputs[0]!.node]!;
  const output = graph.nodes[graph.outputs[0]!.node]!;
  const [c, h, w] = input.shape as number[];
  const classes = output.shape.length === 1 ? output.shape[0]! : 0;
  if (input.shape.length !== 3 || classes < 4) throw new Error('the demo trains image classifiers with at least 4 classes (lenet5, a small convnet)');
  const built = a.buildModel(graph, { seed: 0 });
  if (!built.ok) throw new Error(built.diagnostics.map((d) => d.message).join('; '));
  const params = built.model.countParams();
  if (params > TRAIN_LIMIT) throw new Error(`${params.toLocaleString('en-US')} parameters are too many to train in a page (the demo takes up to ${TRAIN_LIMIT.toLocaleString('en-US')}); try lenet5`);
  const n = 64;
  const x = new Float32Array(n * h! * w! * c!);
  const labels: number[] = [];
  for (let s = 0; s < n; s++) {
    const q = s % 4;
    labels.push(q);
    const y0 = q < 2 ? 0 : Math.floor(h! / 2);
    const x0 = q % 2 === 0 ? 0 : Math.floor(w! / 2);
    for (let i = y0; i < y0 + Math.floor(h! / 2); i++) for (let j = x0; j < x0 + Math.floor(w! / 2); j++) for (let k = 0; k < c!; k++) x[((s * h! + i) * w! + j) * c! + k] = 1;
  }
  const { tf } = a;
  const images = tf.tensor4d(x, [n, h!, w!, c!]);
  const targets = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32');
  built.model.compile({ optimizer: tf.train.adam(0.003), loss: (t: import('@tensorflow/tfjs-core').Tensor, l: import('@tensorflow/tfjs-core').Tensor) => tf.losses.softmaxCrossEntropy(t, l) });
  const losses: number[] = [];
  await built.model.fit(images, targets, {
    epochs: 6,
    batchSize: 16,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onBatchEnd: async (_batch: number, logs?: Record<string, unknown>) => {
        losses.push(Number(logs?.['loss']));
        drawLoss(canvas, losses);
        log(`training on ${tf.getBackend()}: batch ${losses.length}, loss ${losses.at(-1)!.toFixed(3)}`);
      },
    },
  });
  images.dispose();
  targets.dispose();
  return { model: built.model, losses };
}

function download(name: string, parts: readonly BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob([...parts], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The weights to write: the trained model's, else the seeded initial ones. */
export function currentWeights(a: Archc, graph: IrGraph, trained: Trained | undefined): Weights {
  return trained ? a.saveWeights(trained.model) : a.initWeights(graph, { seed: 0 });
}

/** Downloads the model; `trained` is passed only when it was trained from the current text. */
export async function downloadAs(format: 'onnx' | 'safetensors' | 'tfjs', a: Archc, graph: IrGraph, trained: Trained | undefined): Promise<string> {
  const weights = currentWeights(a, graph, trained);
  if (format === 'safetensors') {
    download(`${graph.model}.safetensors`, [writeSafetensors(weights) as BlobPart], 'application/octet-stream');
    return `${graph.model}.safetensors`;
  }
  if (format === 'onnx') {
    const lowered = lowerToOnnx(graph, weights, { producerVersion: 'playground' });
    if (!lowered.model) throw new Error(lowered.diagnostics.map((d) => d.message).join('; '));
    download(`${graph.model}.onnx`, encodeOnnx(lowered.model) as BlobPart[], 'application/octet-stream');
    return `${graph.model}.onnx`;
  }
  const built = trained?.model ?? (() => {
    const b = a.buildModel(graph, { seed: 0 });
    if (!b.ok) throw new Error(b.diagnostics.map((d) => d.message).join('; '));
    return b.model;
  })();
  await built.save(`downloads://${graph.model}`);
  return `${graph.model}.json and ${graph.model}.weights.bin`;
}
