// Initializers as the quantization passes read and write them: float32 values out of a TensorProto
// (raw_data or float_data), and new initializers of the integer and half types ONNX quantization
// uses, all stored little-endian in raw_data as the ONNX spec requires.
import { FLOAT, onnx, type GraphProto, type TensorProto } from '../lower-onnx/proto.js';

const T = onnx.TensorProto.DataType;
export const INT8 = T.INT8;
export const UINT8 = T.UINT8;
export const INT32 = T.INT32;
export const FLOAT16 = T.FLOAT16;

/** The initializers of a graph by name. */
export function initializerMap(graph: GraphProto): Map<string, TensorProto> {
  return new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
}

export const dimsOfTensor = (t: TensorProto): number[] => (t.dims ?? []).map(Number);

/** A float32 initializer's values (a copy), or undefined for other element types. */
export function floatValues(t: TensorProto): Float32Array | undefined {
  if (t.dataType !== FLOAT) return undefined;
  if (t.rawData && t.rawData.length > 0) {
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return Float32Array.from({ length: t.rawData.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }
  return Float32Array.from(t.floatData ?? []);
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array): TensorProto {
  return { name, dims: [...dims], dataType: FLOAT, rawData: littleEndian(values, 4, (v, i, x) => v.setFloat32(i, x, true)) };
}

export function int8Tensor(name: string, dims: readonly number[], values: Int8Array): TensorProto {
  return { name, dims: [...dims], dataType: INT8, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export function uint8Tensor(name: string, dims: readonly number[], values: Uint8Array): TensorProto {
  return { name, dims: [...dims], dataType: UINT8, rawData: values };
}

export function int32Tensor(name: string, dims: readonly number[], values: Int32Array): TensorProto {
  return { name, dims: [...dims], dataType: INT32, rawData: littleEndian(values, 4, (v, i, x) => v.setInt32(i, x, true)) };
}

export function float16Tensor(name: string, dims: readonly number[], values: Float32Array): TensorProto {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = float16Bits(values[i]!);
  return { name, dims: [...dims], dataType: FLOAT16, rawData: littleEndian(bits, 2, (v, i, x) => v.setUint16(i, x, true)) };
}

function littleEndian<A extends ArrayLike<number>>(values: A, size: number, set: (v: DataView, at: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) set(view, i * size, values[i]!);
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

/**
 * IEEE 754 binary16 bits of a float32, rounded to nearest even; values beyond ±65504 become ±∞,
 * tiny ones subnormals or zero (numpy's astype(float16) gives the same bits).
 */
export function float16Bits(x: number): number {
  scratch.setFloat32(0, x);
  const f = scratch.getUint32(0);
  const sign = (f >>> 16) & 0x8000;
  const exponent = (f >>> 23) & 0xff;
  let mantissa = f & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // NaN stays NaN, ±∞ stays ±∞
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mantissa |= 0x800000; // the implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let m = mantissa >>> shift;
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m; // a carry into the exponent field gives the smallest normal, as it should
  }
  const rest = mantissa & 0x1fff;
  let bits = (e << 10) | (mantissa >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (bits & 1) === 1)) bits++; // a carry may round up to ∞: correct
  return sign | bits;
}

/** The float value of binary16 bits (for tests and tolerance checks). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
