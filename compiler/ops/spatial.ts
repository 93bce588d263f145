// Window arithmetic shared by convs and pools: per-axis arguments, padding modes and output sizes.
import type { ListArg, OpContext, PadArg, SymbolicStep } from './op.js';
import { add, ceilDiv, floorDiv, isSym, type Size } from '../symbolic/expr.js';

export const AXIS_NAMES: Record<number, readonly string[]> = {
  1: ['length'],
  2: ['height', 'width'],
  3: ['depth', 'height', 'width'],
};

export const axisName = (rank: number, axis: number): string => AXIS_NAMES[rank]?.[axis] ?? `axis ${axis}`;

/** An int or a per-axis list, as a per-axis list; reports a wrong length against `arg`. */
export function perAxis(value: ListArg, rank: number, arg: string, ctx: OpContext): number[] | undefined {
  if (typeof value === 'number') return Array.from({ length: rank }, () => value);
  if (Array.isArray(value) && value.length === rank) return [...value];
  return ctx.error('E0203', `${arg} needs 1 or ${rank} values for a ${rank}-D input, got ${JSON.stringify(value)}`, { arg });
}

export interface Pads {
  readonly begin: number[];
  readonly end: number[];
  /** How they were written, for messages and lowering choices. */
  readonly mode: 'explicit' | 'same' | 'valid' | 'full';
}

export interface Window {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
}

export const effectiveKernel = (k: number, d: number): number => d * (k - 1) + 1;

/**
 * Resolves `pad`: an int (every side), one int per axis (both sides), begin/end pairs per axis
 * (`[top, bottom, left, right]` in 2-D), or "valid" | "same" | "full". "same" is TF/ONNX SAME_UPPER:
 * output ceil(I/S), any odd extra padding at the end.
 */
export function resolvePads(pad: PadArg, input: readonly number[], w: Window, ctx: OpContext): Pads | undefined {
  const rank = input.length;
  const keff = w.kernel.map((k, i) => effectiveKernel(k, w.dilation[i]!));
  if (pad === 'valid') return { begin: zeros(rank), end: zeros(rank), mode: 'valid' };
  if (pad === 'full') return { begin: keff.map((k) => k - 1), end: keff.map((k) => k - 1), mode: 'full' };
  if (pad === 'same') {
    const begin: number[] = [];
    const end: number[] = [];
    input.forEach((size, i) => {
      const s = w.stride[i]!;
      const total = Math.max((Math.ceil(size / s) - 1) * s + keff[i]! - size, 0);
      begin.push(Math.floor(total / 2));
      end.push(total - Math.floor(total / 2));
    });
    return { begin, end, mode: 'same' };
  }
  let begin: number[];
  let end: number[];
  if (typeof pad === 'number') {
    begin = Array.from({ length: rank }, () => pad);
    end = [...begin];
  } else if (Array.isArray(pad) && pad.length === rank) {
    begin = [...pad];
    end = [...pad];
  } else if (Array.isArray(pad) && pad.length === 2 * rank) {
    begin = pad.filter((_, i) => i % 2 === 0);
    end = pad.filter((_, i) => i % 2 === 1);
  } else {
    return ctx.error('E0203', `pad needs 1, ${rank} or ${2 * rank} integers, or "same", "valid" or "full"; got ${JSON.stringify(pad)}`, {
      arg: 'pad',
    });
  }
  if ([...begin, ...end].some((p) => p < 0)) return ctx.error('E0305', `padding cannot be negative, got ${JSON.stringify(pad)}`, { arg: 'pad' });
  return { begin, end, mode: 'explicit' };
}

const zeros = (n: number): number[] => Array.from({ length: n }, () => 0);

/**
 * Output sizes of a sliding window: floor((I + pb + pe - d(k-1) - 1) / s) + 1, or with ceil in
 * ceil mode (PyTorch's rule: the last window must start inside the input or its left padding).
 * Reports a size ≤ 0 with the arithmetic.
 */
export function windowOutput(
  op: string,
  input: readonly number[],
  w: Window,
  pads: Pads,
  ctx: OpContext,
  ceilMode = false,
): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const I = input[i]!;
    const k = w.kernel[i]!;
    const s = w.stride[i]!;
    const d = w.dilation[i]!;
    const pb = pads.begin[i]!;
    const pe = pads.end[i]!;
    const keff = effectiveKernel(k, d);
    const span = I + pb + pe - keff;
    let o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceilMode && o > 0 && (o - 1) * s >= I + pb) o -= 1;
    if (o <= 0) {
      const name = axisName(input.length, i);
      const keffText = d === 1 ? `${k}` : `${d}·(${k}−1)+1 = ${keff}`;
      const minInput = keff - pb - pe;
      ctx.error('E0301', `${op} output ${name} would be ${o}: the ${keffText}-wide window does not fit in the padded input`, {
        arg: 'kernel',
        notes: [
          `${name}: ${ceilMode ? 'ceil' : 'floor'}((I + pad_begin + pad_end − k_eff) / stride) + 1`,
          `      = ${ceilMode ? 'ceil' : 'floor'}((${I} + ${pb} + ${pe} − ${keff}) / ${s}) + 1 = ${o}`,
        ],
        hint: `the input ${name} must be at least ${minInput} with this padding; pad it, use a smaller kernel, or remove an earlier downsampling step`,
      });
      return undefined;
    }
    out.push(o);
  }
  return out;
}

/**
 * windowOutput in the size variables: each symbolic axis's output size as a formula, with the
 * requirement that the window fit. Undefined where PyTorch's ceil mode may drop a last window,
 * which no formula of this kind expresses.
 */
export function symbolicWindowOutput(a: Window & { readonly pads: Pads; readonly ceil?: boolean }, [x]: readonly (readonly Size[])[], { node, need }: SymbolicStep): Size[] | undefined {
  const out: Size[] = [node.shape[0]!];
  for (let i = 0; i < a.kernel.length; i++) {
    const I = x![i + 1]!;
    if (!isSym(I)) {
      out.push(node.shape[i + 1]!);
      continue;
    }
    const s = a.stride[i]!;
    if (a.pads.mode === 'same') {
      out.push(ceilDiv(I, s)); // TF "same": ceil(I / s), whatever the window
      continue;
    }
    const keff = effectiveKernel(a.kernel[i]!, a.dilation[i]!);
    const pb = a.pads.begin[i]!;
    const pe = a.pads.end[i]!;
    // PyTorch's ceil mode drops a last window that starts in the end padding; it cannot when s + pe ≤ keff.
    if (a.ceil && s + pe > keff) return undefined;
    const span = add(I, pb + pe - keff);
    need({ kind: 'ge', expr: add(I, pb + pe), min: keff, span: node.span, why: `the ${keff}-wide window of ${node.name} must fit` });
    out.push(add(a.ceil ? ceilDiv(span, s) : floorDiv(span, s), 1));
  }
  return out;
}

/** Checks that an input is [C, ...spatial] with 1 to 3 spatial axes. */
export function spatialRank(op: string, shape: readonly number[], ctx: OpContext, allowed = [1, 2, 3]): number | undefined {
  const rank = shape.length - 1;
  if (!allowed.includes(rank)) {
    const want = allowed.map((r) => `[C, ${AXIS_NAMES[r]!.map((n) => n[0]!.toUpperCase()).join(', ')}]`).join(' or ');
    return ctx.error('E0303', `${op} needs an input shaped ${want}, got [${shape.join(', ')}]`, { input: 0 });
  }
  return rank;
}

export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
