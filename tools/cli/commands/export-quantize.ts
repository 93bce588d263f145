// `archc export --quantize int8 --calibrate DIR` and `--dtype float16`: the flags, their checks, and
// the step from the float ONNX model to the quantized one (compiler/quantize/ rewrites the graph;
// engines/onnxruntime/calibrate.ts measures the activation ranges on the calibration images,
// preprocessed as predict does: the run folder's normalization, or --normalize for a bare model).
import type { IrGraph } from '../../../compiler/ir.js';
import type { ModelProto } from '../../../compiler/lower-onnx/proto.js';
import { float16Weights } from '../../../compiler/quantize/float16.js';
import { NOTHING_TO_QUANTIZE } from '../../../compiler/quantize/qdq.js';
import type { ActivationType, CalibrationMethod } from '../../../compiler/quantize/ranges.js';
import { makeBatch, normalizePresets, type Normalize, type NormalizePreset } from '../../../runtime/data/batch.js';
import { loadCalibrationImages } from '../../../runtime/data/calibration.js';
import { nhwcToNchw } from '../../../runtime/infer/engine-infer.js';
import { UsageError, type FlagSpec, type Parsed } from '../args.js';
import { choiceFlag, numberFlag } from './training-flags.js';

const text = { type: 'string' } as const;
export const quantizeFlags: Record<string, FlagSpec> = {
  quantize: text,
  calibrate: text,
  'per-channel': { type: 'boolean' },
  calibration: text,
  percentile: text,
  activations: text,
  'calibration-images': text,
  dtype: text,
  normalize: text,
};

export const quantizeFlagsUsage = `      --quantize int8     static post-training quantization to an ONNX QDQ model (int8 weights of
                          conv and dense layers, quantized activations); needs --calibrate
      --calibrate DIR     images (PNG/JPEG, any folder layout) to measure activation ranges on
      --per-channel       one weight scale per output channel (default: one per tensor)
      --calibration M     minmax (default) or percentile (clips the rarest values; see --percentile)
      --percentile P      values kept on each side by --calibration percentile (default 99.99)
      --activations T     activation type: uint8 (default; onnxruntime's fast path on x86) or int8
      --calibration-images N  use at most N images of DIR (default 512)
      --normalize NAME    a bare model's input normalization for calibration: unit, symmetric
                          (default, as train's) or imagenet; a run folder's own is always used
      --dtype float16     half-precision weights (float32 arithmetic through Cast nodes)`;

export type QuantizeRequest =
  | {
      readonly kind: 'int8';
      readonly calibrate: string;
      readonly perChannel: boolean;
      readonly method: CalibrationMethod;
      readonly percentile: number;
      readonly activationType: ActivationType;
      readonly limit: number;
      readonly normalize?: Normalize;
    }
  | { readonly kind: 'float16' };

/** The request the flags make, or undefined for a plain float32 export; misuse is a UsageError. */
export function quantizeRequest(parsed: Parsed, format: string, runFolder: boolean): QuantizeRequest | undefined {
  const f = parsed.flags;
  const quantize = choiceFlag(parsed, 'quantize', ['int8'] as const);
  const dtype = choiceFlag(parsed, 'dtype', ['float32', 'float16'] as const);
  const int8Only = ['calibrate', 'per-channel', 'calibration', 'percentile', 'activations', 'calibration-images', 'normalize'].filter((k) => f[k] !== undefined);
  if (!quantize && int8Only.length > 0) throw new UsageError(`--${int8Only[0]} sets up --quantize int8; add --quantize int8 --calibrate DIR`);
  if ((quantize || dtype === 'float16') && format !== 'onnx') {
    throw new UsageError(`--${quantize ? 'quantize' : 'dtype'} writes an ONNX model; it does not apply to --format ${format}`);
  }
  if (quantize && dtype === 'float16') throw new UsageError('--quantize int8 and --dtype float16 are two different exports; choose one');
  if (dtype === 'float16') return { kind: 'float16' };
  if (!quantize) return undefined;
  const calibrate = f['calibrate'] as string | undefined;
  if (!calibrate) throw new UsageError('--quantize int8 needs --calibrate DIR: a folder of images that sets the activation ranges');
  if (runFolder && f['normalize'] !== undefined) throw new UsageError("--normalize is for a bare model; a run folder's own normalization is used");
  const method = choiceFlag(parsed, 'calibration', ['minmax', 'percentile'] as const, 'minmax');
  if (f['percentile'] !== undefined && method !== 'percentile') throw new UsageError('--percentile goes with --calibration percentile');
  const preset = choiceFlag(parsed, 'normalize', Object.keys(normalizePresets) as NormalizePreset[]);
  return {
    kind: 'int8',
    calibrate,
    perChannel: f['per-channel'] === true,
    method,
    percentile: numberFlag(parsed, 'percentile', { min: 50, max: 100, exclusiveMin: true }, 99.99),
    activationType: choiceFlag(parsed, 'activations', ['uint8', 'int8'] as const, 'uint8'),
    limit: numberFlag(parsed, 'calibration-images', { min: 1, integer: true }, 512),
    normalize: runFolder ? undefined : normalizePresets[preset ?? 'symmetric'],
  };
}

const FLOAT_HINT = 'export it as float32 or float16 (--dtype float16) instead';

export type Quantized = { ok: true; model: ModelProto; summary: string } | { ok: false; message: string; hint?: string; exitCode: 1 | 2 };

/** The float model → the requested form; `normalize` is the run folder's when there is one. */
export async function applyQuantization(
  model: ModelProto,
  graph: IrGraph,
  request: QuantizeRequest,
  normalize: Normalize | undefined,
  warn: (line: string) => void,
): Promise<Quantized> {
  if (request.kind === 'float16') {
    return { ok: true, model: withMetadata(float16Weights(model), 'float16 weights, float32 arithmetic'), summary: 'float16 weights' };
  }
  // Said before any image is read: no Conv, Gemm or MatMul at all means nothing to quantize (the
  // rewrite checks again, precisely, for constant weights).
  if (!(model.graph?.node ?? []).some((n) => n.opType === 'Conv' || n.opType === 'Gemm' || n.opType === 'MatMul')) {
    return { ok: false, exitCode: 1, message: `${graph.model}: ${NOTHING_TO_QUANTIZE}`, hint: FLOAT_HINT };
  }
  const input = graph.inputs.length === 1 ? graph.nodes[graph.inputs[0]!.node]!.shape : undefined;
  if (!input || input.length !== 3 || (input[0] !== 1 && input[0] !== 3)) {
    const has = graph.inputs.map((i) => `${i.name} [${graph.nodes[i.node]!.shape.join(', ')}]`).join(', ');
    return { ok: false, exitCode: 2, message: `calibration feeds images to one input of shape [1 or 3, H, W]; ${graph.model} takes ${has}` };
  }
  const [channels, height, width] = input as [1 | 3, number, number];
  const loaded = loadCalibrationImages(request.calibrate, { channels, height, width }, request.limit);
  for (const s of loaded.skipped) warn(`skipped ${s.file}: ${s.reason}`);
  if (!loaded.ok) return { ok: false, exitCode: 2, message: loaded.problem.message, hint: loaded.problem.hint };
  const set = loaded.set;
  const norm = normalize ?? request.normalize!;
  const indices = Int32Array.from({ length: set.count }, (_, i) => i);
  const batchSize = 16;
  function* batches() {
    for (let from = 0; from < set.count; from += batchSize) {
      const to = Math.min(set.count, from + batchSize);
      const x = makeBatch(set, indices, from, to, { normalize: norm }).x;
      yield { data: nhwcToNchw(x, to - from, height, width, channels), dims: [to - from, channels, height, width] };
    }
  }
  const { quantizeStatic } = await import('../../../engines/onnxruntime/calibrate.js');
  const result = await quantizeStatic(model, batches, request);
  if (!result.ok) return { ok: false, exitCode: 1, message: `${graph.model}: ${result.message}`, hint: FLOAT_HINT };
  const calibration = request.method === 'percentile' ? `percentile ${request.percentile}` : 'min-max';
  const weights = request.perChannel ? 'per-channel' : 'per-tensor';
  const skipped = loaded.skipped.length ? `, ${loaded.skipped.length} skipped` : '';
  const summary = `int8 QDQ: ${result.quantized} conv/dense layers, ${weights} symmetric int8 weights, ${request.activationType} activations (${calibration} over ${set.count} calibration images${skipped})`;
  return { ok: true, model: withMetadata(result.model, summary), summary };
}

function withMetadata(model: ModelProto, quantization: string): ModelProto {
  return { ...model, metadataProps: [...(model.metadataProps ?? []), { key: 'quantization', value: quantization }] };
}
