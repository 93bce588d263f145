// Shared by the quantization tests: a zoo model at a reduced input size with seeded random weights,
// exported as float32, int8 QDQ (calibrated on deterministic pseudo-random images) and float16,
// each run by onnxruntime-node on the same inputs.
import ort from 'onnxruntime-node';
import type { IrGraph } from '../../compiler/ir.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import type { ModelProto } from '../../compiler/lower-onnx/proto.js';
import { float16Weights } from '../../compiler/quantize/float16.js';
import { initWeights } from '../../compiler/weights/init.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import { quantizeStatic, type CalibrationBatch } from '../../engines/onnxruntime/calibrate.js';
import { compileReduced, lower } from '../onnx/harness.js';

/** One image input and one output of class scores: what `--quantize int8` is for. */
export function isClassifier(graph: IrGraph): boolean {
  return graph.inputs.length === 1 && graph.outputs.length === 1 && graph.nodes[graph.outputs[0]!.node]!.shape.length === 1;
}

/** Deterministic inputs in the range of normalized images, different for each seed. */
export function images(graph: IrGraph, batch: number, seed: number): CalibrationBatch {
  const dims = [batch, ...graph.nodes[graph.inputs[0]!.node]!.shape];
  const size = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, (_, k) => Math.sin((k + 1) * 12.9898 + seed * 78.233) * 1.5);
  return { data, dims };
}

export interface Variants {
  readonly graph: IrGraph;
  readonly float: Uint8Array;
  readonly int8: Uint8Array;
  readonly float16: Uint8Array;
  readonly int8Model: ModelProto;
  readonly quantizedLayers: number;
}

export async function exportVariants(path: string, options: { perChannel: boolean; method?: 'minmax' | 'percentile' }): Promise<Variants> {
  const { graph } = compileReduced(path);
  const model = lower(graph, initWeights(graph, { seed: 11 }));
  const float = concatChunks(encodeOnnx(model));
  const calibration = [images(graph, 2, 1), images(graph, 2, 2)];
  const q = await quantizeStatic(model, () => calibration, { perChannel: options.perChannel, activationType: 'uint8', method: options.method ?? 'minmax' });
  if (!q.ok) throw new Error(q.message);
  const float16 = concatChunks(encodeOnnx(float16Weights(model)));
  return { graph, float, int8: concatChunks(encodeOnnx(q.model)), float16, int8Model: q.model, quantizedLayers: q.quantized };
}

/** The model's (single) output on one input batch. */
export async function runOnce(bytes: Uint8Array, input: CalibrationBatch): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input.data, [...input.dims]) });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}
