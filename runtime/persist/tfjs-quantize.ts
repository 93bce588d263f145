// TensorFlow.js's own weight quantization, as tfjs-converter's --quantize_uint8 / --quantize_uint16
// writes it: each float32 weight is stored as 1 or 2 bytes per value, q = round((w − min) / scale),
// and its weightsManifest entry gains `quantization: { dtype, scale, min }`; tf.loadLayersModel
// (tfjs-core's io.decodeWeights) turns it back into w ≈ q · scale + min. As in the converter, the
// range is nudged so that 0 is stored exactly when the weight has both signs. No TensorFlow.js here.
import type { io } from '@tensorflow/tfjs-core';

export type QuantizationBytes = 1 | 2;
export const QUANTIZATION_BYTES: readonly QuantizationBytes[] = [1, 2];

type Spec = io.WeightsManifestEntry;

/** Float32 weights → uint8 or uint16 with their manifest entries; other dtypes pass through unchanged. */
export function quantizeWeightData(specs: readonly Spec[], data: Uint8Array, bytes: QuantizationBytes): { specs: Spec[]; data: Uint8Array } {
  const dtype = bytes === 1 ? 'uint8' : 'uint16';
  const levels = bytes === 1 ? 255 : 65535;
  const out: Uint8Array[] = [];
  const outSpecs: Spec[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const size = spec.quantization ? count * (spec.quantization.dtype === 'uint8' ? 1 : 2) : count * 4;
    if (spec.dtype !== 'float32' || spec.quantization) {
      out.push(data.subarray(offset, offset + size));
      outSpecs.push(spec);
      offset += size;
      continue;
    }
    const values = Float32Array.from({ length: count }, (_, i) => view.getFloat32(offset + 4 * i, true));
    offset += size;
    const { scale, min, quantized } = affine(values, levels);
    const stored = bytes === 1 ? Uint8Array.from(quantized) : new Uint8Array(quantized.buffer);
    if (bytes === 2 && !littleEndian) for (let i = 0; i < stored.length; i += 2) [stored[i], stored[i + 1]] = [stored[i + 1]!, stored[i]!];
    out.push(stored);
    outSpecs.push({ ...spec, quantization: { dtype, scale, min } });
  }
  const total = out.reduce((n, c) => n + c.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const c of out) {
    joined.set(c, at);
    at += c.length;
  }
  return { specs: outSpecs, data: joined };
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Affine quantization to 0..levels over the weight's range (tfjs-converter's quantization.py). */
export function affine(values: Float32Array, levels: number): { scale: number; min: number; quantized: Uint16Array } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return { scale: 1, min: Number.isFinite(lo) ? lo : 0, quantized: new Uint16Array(values.length) };
  const scale = (hi - lo) / levels;
  // Shift the range by less than half a step so that an integer level sits exactly on 0.
  const min = lo < 0 && hi > 0 ? -Math.round(-lo / scale) * scale : lo;
  const quantized = Uint16Array.from(values, (v) => Math.max(0, Math.min(levels, Math.round((v - min) / scale))));
  return { scale, min, quantized };
}
