// Building blocks for onnx-proto messages: tensor types with the symbolic batch axis, attributes
// from the lowering's typed values, and constant tensors.
import onnxProto from 'onnx-proto';
import type { OnnxAttributeValue, OnnxConstantType } from './lowering.js';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** The name of the batch axis, dynamic in every input and output. */
export const BATCH = 'N';

/**
 * A tensor's dims: numbers, or named dynamic sizes (the batch axis `N`, a size variable `H`, an
 * expression in them `H/4`), or `?` for a dynamic size without a name.
 */
export type Dims = readonly (number | string)[];

/** A dim that changes with the input size but has no name. */
export const UNNAMED = '?';

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;
export const BOOL = onnx.TensorProto.DataType.BOOL;

export function valueInfo(name: string, dims: Dims | undefined, elemType: number = FLOAT): ValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : d === UNNAMED ? {} : { dimParam: d })) };
  return { name, type: { tensorType: { elemType, ...(shape ? { shape } : {}) } } };
}

/** The dims a value_info declares (undefined when it has no shape). */
export function dimsOf(info: ValueInfoProto): Dims | undefined {
  const dims = info.type?.tensorType?.shape?.dim;
  return dims?.map((d) => (d.dimParam ? d.dimParam : hasValue(d) ? Number(d.dimValue) : UNNAMED));
}

/** Decoded messages tell which member of the `value` oneof is set; plain objects hold only that one. */
function hasValue(d: onnxProto.onnx.TensorShapeProto.IDimension): boolean {
  return 'value' in d ? (d as { value?: string }).value === 'dimValue' : d.dimValue !== undefined && d.dimValue !== null;
}

const A = onnx.AttributeProto.AttributeType;

export function attribute(name: string, value: OnnxAttributeValue): AttributeProto {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`ONNX attribute ${name} = ${value} must be an integer; write { float: ${value} }`);
    return { name, type: A.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (isNumberList(value)) {
    if (!value.every(Number.isSafeInteger)) throw new Error(`ONNX attribute ${name} must hold integers; write { floats: [...] }`);
    return { name, type: A.INTS, ints: [...value] };
  }
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  return { name, type: A.FLOATS, floats: [...value.floats] };
}

const isNumberList = (v: OnnxAttributeValue): v is readonly number[] => Array.isArray(v);

/** A small constant tensor stored in its typed field (not raw_data), for `Constant` nodes. */
export function constantTensor(type: OnnxConstantType, values: readonly number[], dims: readonly number[]): TensorProto {
  return type === 'float'
    ? { dims: [...dims], dataType: FLOAT, floatData: [...values] }
    : { dims: [...dims], dataType: INT64, int64Data: [...values] };
}

/** An attribute's value in the readable form of the text printer. */
export function attributeText(a: AttributeProto): string {
  switch (a.type) {
    case A.INT:
      return String(Number(a.i));
    case A.FLOAT:
      return formatFloat(a.f ?? 0);
    case A.STRING:
      return JSON.stringify(new TextDecoder().decode(a.s ?? new Uint8Array()));
    case A.INTS:
      return `[${(a.ints ?? []).map(Number).join(', ')}]`;
    case A.FLOATS:
      return `[${(a.floats ?? []).map(formatFloat).join(', ')}]`;
    case A.TENSOR:
      return tensorText(a.t ?? {});
    default:
      return '?';
  }
}

function tensorText(t: TensorProto): string {
  const type = t.dataType === INT64 ? 'int64' : 'float';
  const values = t.dataType === INT64 ? (t.int64Data ?? []).map(Number) : (t.floatData ?? []).map(formatFloat);
  return `${type}[${(t.dims ?? []).map(Number).join(',')}] {${values.join(', ')}}`;
}

/** Shortest text that reads back as the same float32. */
export function formatFloat(x: number): string {
  for (let digits = 1; digits < 10; digits++) {
    const text = x.toPrecision(digits);
    if (Math.fround(Number(text)) === Math.fround(x)) return String(Number(text));
  }
  return String(x);
}
