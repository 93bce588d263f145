// matmul: matrix product of two tensors with NumPy semantics over per-sample shapes: the last two
// axes multiply ([.., M, K] @ [.., K, N] → [.., M, N]), leading axes broadcast, and a 1-D operand is
// a row (left) or column (right) vector whose axis is dropped again. MACs = M·K·N per leading cell.
import { defineOp } from './op.js';
import { formatShape } from '../ir.js';
import { product } from './spatial.js';
import { broadcast } from './elementwise.js';

export interface MatmulAttrs {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The broadcast leading per-sample axes. */
  readonly batch: readonly number[];
  /**
   * Each operand's per-sample shape after NumPy promotion ([K] → [1, K] on the left, [K, 1] on the
   * right) and padding with leading 1s to rank batch + 2: reshape input i to [N, ...this] and the
   * full-tensor MatMul broadcasts as the per-sample one does.
   */
  readonly lhs: readonly number[];
  readonly rhs: readonly number[];
}

export const matmul = defineOp<MatmulAttrs>({
  kind: 'matmul',
  summary: 'matrix product over the last two axes, broadcasting the others',
  arity: { min: 2, max: 2 },
  params: {},
  infer([a, b], _args, ctx) {
    if (a!.length === 1 && b!.length === 1) {
      return ctx.error('E0303', `matmul of two vectors ${formatShape(a!)} @ ${formatShape(b!)} would give one number per sample`, {
        input: 1,
        hint: 'reshape one side to a matrix ([1, K] or [K, 1]), or use mul and reduce_sum for a dot product',
      });
    }
    const left = a!.length === 1 ? [1, a![0]!] : [...a!];
    const right = b!.length === 1 ? [b![0]!, 1] : [...b!];
    const [m, k] = left.slice(-2) as [number, number];
    const [k2, n] = right.slice(-2) as [number, number];
    if (k !== k2) {
      return ctx.error('E0302', `matmul needs the left operand's last axis to equal the right operand's second-to-last: ${k} vs ${k2}`, {
        trace: true,
        notes: [`${formatShape(a!)} @ ${formatShape(b!)}: [.., M, K] @ [.., K, N] with K = ${k} on the left, ${k2} on the right`],
        hint: right.at(-1) === k ? `the right operand looks stored as [.., N, K]: transpose its last two axes first` : undefined,
      });
    }
    const batch = broadcast(left.slice(0, -2), right.slice(0, -2));
    if (!batch) {
      return ctx.error('E0302', `matmul leading axes do not broadcast: ${formatShape(a!.slice(0, -2))} vs ${formatShape(b!.slice(0, -2))}`, {
        trace: true,
        notes: ['leading axes, aligned from the right, must be equal or 1'],
      });
    }
    const pad = (s: number[]): number[] => [...Array(batch.length + 2 - s.length).fill(1), ...s];
    const shape = [...batch, ...(a!.length === 1 ? [] : [m]), ...(b!.length === 1 ? [] : [n])];
    return { attrs: { m, k, n, batch, lhs: pad(left), rhs: pad(right) }, shape };
  },
  macs: (a) => a.m * a.k * a.n * product(a.batch),
});
