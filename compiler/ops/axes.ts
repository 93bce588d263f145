// Per-sample axis arguments shared by softmax, l2norm, slice, transpose: negative values count from
// the end, and a resolved axis is always a non-negative per-sample index (the batch is not an axis).
import type { Shape } from '../ir.js';
import { formatShape } from '../ir.js';
import type { OpContext } from './op.js';

/** `axis` in [−rank, rank) as a per-sample index, or a located E0305 naming the valid range. */
export function resolveAxis(op: string, written: number, shape: Shape, ctx: OpContext, arg = 'axis'): number | undefined {
  const rank = shape.length;
  const axis = written < 0 ? written + rank : written;
  if (axis >= 0 && axis < rank) return axis;
  return ctx.error('E0305', `${op} ${arg} ${written} is out of range for an input of rank ${rank}`, {
    arg,
    notes: [`input ${formatShape(shape)}: per-sample axes 0..${rank - 1}, or -${rank}..-1 from the end (the batch is not an axis)`],
    hint: `use an axis from ${-rank} to ${rank - 1}`,
  });
}

/** The height axis of a per-sample [C, L], [C, H, W] or [C, D, H, W] shape: the receptive-field axis. */
export const heightAxis = (shape: Shape): number => (shape.length >= 3 ? shape.length - 2 : 1);
