// Calibration for static quantization: the float ONNX model runs in onnxruntime-node with the
// tensors to quantize added as graph outputs, and each tensor's values over the calibration batches
// feed a RangeObserver. Running the very graph that gets quantized (rather than the tfjs model)
// means the ranges belong to exactly the tensors the QDQ rewrite names, in the same NCHW layout,
// computed by the same kernels that will run the quantized model, and `archc export` stays free
// of TensorFlow.js.
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { FLOAT, type ModelProto } from '../../compiler/lower-onnx/proto.js';
import { prepareForQuantization } from '../../compiler/quantize/prepare.js';
import { quantizationTargets, quantizeQdq, type QdqResult } from '../../compiler/quantize/qdq.js';
import { RangeObserver, type ActivationType, type CalibrationMethod, type Range } from '../../compiler/quantize/ranges.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import { loadOrt } from './index.js';

/** One NCHW float batch for the model's (single) image input. */
export interface CalibrationBatch {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface CalibrationOptions {
  readonly method: CalibrationMethod;
  /** For 'percentile': the share of values kept on each side, in percent (default 99.99). */
  readonly percentile?: number;
}

/** Each tensor's range over the batches (called again for the percentile method's second pass). */
export async function calibrateRanges(
  model: ModelProto,
  tensors: readonly string[],
  batches: () => Iterable<CalibrationBatch>,
  options: CalibrationOptions,
): Promise<Map<string, Range>> {
  const g = model.graph!;
  const existing = new Set((g.output ?? []).map((o) => o.name!));
  const extra = tensors.filter((t) => !existing.has(t)).map((name) => ({ name, type: { tensorType: { elemType: FLOAT } } }));
  const probed: ModelProto = { ...model, graph: { ...g, output: [...(g.output ?? []), ...extra] } };
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(concatChunks(encodeOnnx(probed)));
  const input = session.inputNames[0]!;
  const observers = new Map(tensors.map((t) => [t, new RangeObserver()]));
  const pass = async (observe: (o: RangeObserver, values: Float32Array) => void) => {
    for (const batch of batches()) {
      const out = await session.run({ [input]: new ort.Tensor('float32', batch.data, [...batch.dims]) }, [...tensors]);
      for (const [name, observer] of observers) observe(observer, out[name]!.data as Float32Array);
      for (const t of Object.values(out)) t.dispose?.();
    }
  };
  try {
    await pass((o, v) => o.observeRange(v));
    if (options.method === 'percentile') await pass((o, v) => o.observeHistogram(v));
  } finally {
    await session.release();
  }
  return new Map([...observers].map(([name, o]) => [name, o.range(options.method, options.percentile)]));
}

export interface StaticQuantizeOptions extends CalibrationOptions {
  readonly perChannel: boolean;
  readonly activationType: ActivationType;
}

/** prepare (fold batch norms and weight transposes) → calibrate → QDQ rewrite. */
export async function quantizeStatic(model: ModelProto, batches: () => Iterable<CalibrationBatch>, options: StaticQuantizeOptions): Promise<QdqResult> {
  const prepared = prepareForQuantization(model);
  const { targets, activations } = quantizationTargets(prepared);
  if (targets.length === 0) return quantizeQdq(prepared, { ...options, ranges: new Map() });
  const ranges = await calibrateRanges(prepared, activations, batches, options);
  return quantizeQdq(prepared, { perChannel: options.perChannel, activationType: options.activationType, ranges });
}
