// Argument forms shared by the rules: archc's shortest spelling of per-axis values and pads, and
// float attributes compared at float32 precision.
import type { ArgValue } from '../../compiler/ops/op.js';

/** One value when every axis agrees (`3` for [3, 3]), else the list. */
export const perAxis = (values: readonly number[]): number | number[] => (values.every((v) => v === values[0]) ? values[0]! : [...values]);

/**
 * ONNX pads [b1, b2, …, e1, e2, …] → archc's pad argument: one number when all sides agree, one
 * per axis when each axis is symmetric, else begin/end pairs ([top, bottom, left, right]).
 */
export function padArg(pads: readonly number[], rank: number): ArgValue {
  const begin = pads.slice(0, rank);
  const end = pads.slice(rank, 2 * rank);
  if (begin.every((b, i) => b === end[i])) return perAxis(begin);
  return begin.flatMap((b, i) => [b, end[i]!]);
}

export const isZero = (pads: readonly number[]): boolean => pads.every((p) => p === 0);

/** Equal as float32 values (ONNX stores 1/6 as 0.16666667). */
export const sameFloat = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
