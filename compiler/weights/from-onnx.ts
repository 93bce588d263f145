// Weights from another ONNX file's initializers (float32, stored in raw_data or float_data).
import onnxProto from 'onnx-proto';
import { floatsFromLittleEndian, type WeightTensor } from './tensor.js';

export type OnnxWeightsResult =
  | { readonly ok: true; readonly weights: Map<string, WeightTensor> }
  | { readonly ok: false; readonly error: string };

const { onnx } = onnxProto;

export function weightsFromOnnx(bytes: Uint8Array): OnnxWeightsResult {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return { ok: false, error: `not a readable ONNX model: ${(e as Error).message}` };
  }
  if (!model.graph) return { ok: false, error: 'the ONNX model has no graph' };
  const weights = new Map<string, WeightTensor>();
  for (const t of model.graph.initializer ?? []) {
    const name = t.name ?? '';
    const shape = (t.dims ?? []).map(Number);
    const count = shape.reduce((a, b) => a * b, 1);
    const type = t.dataType ?? 0;
    if (type !== onnx.TensorProto.DataType.FLOAT) {
      const typeName = onnx.TensorProto.DataType[type] ?? type;
      return { ok: false, error: `initializer '${name}' has element type ${typeName}; archc reads FLOAT weights` };
    }
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      return { ok: false, error: `initializer '${name}' keeps its data in an external file, which archc does not read` };
    }
    const raw = t.rawData ?? new Uint8Array();
    const data = raw.length > 0 ? (raw.length % 4 === 0 ? floatsFromLittleEndian(raw) : undefined) : Float32Array.from(t.floatData ?? []);
    if (!data || data.length !== count) {
      const stored = data ? `${data.length} values` : `${raw.length} bytes`;
      return { ok: false, error: `initializer '${name}' has shape [${shape.join(', ')}] (${count} values) but stores ${stored}` };
    }
    if (weights.has(name)) return { ok: false, error: `initializer '${name}' appears twice` };
    weights.set(name, { shape, data });
  }
  return { ok: true, weights };
}
