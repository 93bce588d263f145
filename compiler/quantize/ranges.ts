// The arithmetic of linear quantization as ONNX defines it (QuantizeLinear: q = saturate(round(x /
// scale) + zero_point), rounding half to even; DequantizeLinear: x = (q - zero_point) * scale), and
// the calibration statistics that choose an activation's range: min–max, or percentiles of a
// histogram, which ignore the rare extreme values that would otherwise stretch the scale.
export type ActivationType = 'uint8' | 'int8';
export type CalibrationMethod = 'minmax' | 'percentile';

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface ActivationParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

const LIMITS = { uint8: [0, 255], int8: [-128, 127] } as const;

/**
 * Scale and zero point for an activation range (asymmetric). The range is widened to contain 0 so
 * that zero, the value of padding and of ReLU's negative side, is represented exactly.
 */
export function activationParams(range: Range, type: ActivationType): ActivationParams {
  const [qmin, qmax] = LIMITS[type];
  const lo = Math.min(0, range.min);
  const hi = Math.max(0, range.max);
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / (qmax - qmin));
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return { scale, zeroPoint };
}

/** Round half to even, as QuantizeLinear does. */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface QuantizedWeights {
  readonly values: Int8Array;
  /** One scale per slice along the axis, or one for the whole tensor. */
  readonly scales: Float32Array;
}

/**
 * Symmetric int8 weights (zero point 0, values in [-127, 127]): per tensor, or per slice along
 * `axis` (the output channels), which keeps small-valued filters from losing all their precision.
 */
export function quantizeWeights(data: Float32Array, dims: readonly number[], axis?: number): QuantizedWeights {
  const channels = axis === undefined ? 1 : dims[axis]!;
  const inner = axis === undefined ? data.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    const a = Math.abs(data[i]!);
    if (a > maxAbs[c]! && Number.isFinite(a)) maxAbs[c] = a;
  }
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const q = roundEven(data[i]! / scales[channelOf(i)]!);
    values[i] = Number.isNaN(q) ? 0 : Math.max(-127, Math.min(127, q));
  }
  return { values, scales };
}

/** int32 biases as ONNX quantizers store them: scale = input scale × weight scale, zero point 0. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array } {
  const scales = Float32Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]!);
  const limit = 2 ** 31 - 1;
  const values = Int32Array.from(bias, (b, c) => Math.max(-limit, Math.min(limit, roundEven(b / scales[c]!))));
  return { values, scales };
}

/**
 * One activation tensor's statistics over the calibration batches. Min–max needs one pass;
 * percentile needs a second pass that fills a histogram spanning the min–max range of the first.
 */
export class RangeObserver {
  min = Infinity;
  max = -Infinity;
  private histogram?: Float64Array;
  static readonly BINS = 2048;

  observeRange(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
  }

  observeHistogram(values: ArrayLike<number>): void {
    const bins = RangeObserver.BINS;
    const histogram = (this.histogram ??= new Float64Array(bins));
    const width = (this.max - this.min) / bins;
    if (!(width > 0)) return;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      histogram[Math.min(bins - 1, Math.max(0, Math.floor((v - this.min) / width)))]++;
    }
  }

  /** min–max, or the range between the (100 - p)th and pth percentiles (p = 99.99: 1 in 10,000 clipped on each side). */
  range(method: CalibrationMethod, percentile = 99.99): Range {
    if (!Number.isFinite(this.min) || !Number.isFinite(this.max)) return { min: 0, max: 0 };
    if (method === 'minmax' || !this.histogram) return { min: this.min, max: this.max };
    const h = this.histogram;
    const total = h.reduce((a, b) => a + b, 0);
    const width = (this.max - this.min) / h.length;
    const cut = (total * (100 - percentile)) / 100;
    let low = 0;
    for (let seen = 0; low < h.length - 1 && seen + h[low]! <= cut; low++) seen += h[low]!;
    let high = h.length - 1;
    for (let seen = 0; high > 0 && seen + h[high]! <= cut; high--) seen += h[high]!;
    return { min: this.min + low * width, max: this.min + (high + 1) * width };
  }
}
