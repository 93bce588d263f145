// l2norm: x / max(‖x‖₂, ε) along one axis, as archc writes it (ReduceL2 → Max → Div) and as
// PyTorch's F.normalize exports (ReduceL2 → Clip(min=ε) → Expand → Div). The norm and its floor
// are pending expressions until the division completes the pattern.
import type { ArgValue } from '../../compiler/ops/op.js';
import type { LiftContext, Rule, Value } from '../lift.js';
import { scalarOf } from './activation.js';
import { sameFloat } from './args.js';

export const reduceL2: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const rank = ctx.lifted(x).shape.length + 1;
  const axes = ctx.opset >= 18 ? (ctx.value(1) ? ctx.ints(1) : []) : ctx.attr<readonly number[]>('axes', []);
  if (axes.length !== 1 || ctx.attr<number>('keepdims', 1) !== 1) ctx.fail('ReduceL2 outside l2norm (one axis, keepdims) has no archc op');
  const axis = (axes[0] as number) < 0 ? (axes[0] as number) + rank : (axes[0] as number);
  if (axis === 0) ctx.fail('ReduceL2 over the batch axis');
  return { kind: 'expr', tag: '‖x‖', x, n: [axis - 1] };
};

/** max(‖x‖, ε): Max with a scalar, or Clip with a lower bound only. */
export function normFloor(ctx: LiftContext, v: Value | undefined, epsilon: number | undefined): Value | undefined {
  if (v?.kind !== 'expr' || v.tag !== '‖x‖' || epsilon === undefined) return undefined;
  return { kind: 'expr', tag: 'max(‖x‖,ε)', x: v.x, n: [v.n![0]!, epsilon] };
}

export const max: Rule = (ctx) =>
  normFloor(ctx, ctx.value(0), scalarOf(ctx, 1)) ?? normFloor(ctx, ctx.value(1), scalarOf(ctx, 0)) ?? ctx.fail('Max is not an archc op (except in l2norm)');

/** x / max(‖x‖, ε) → l2norm, or undefined when the division is something else. */
export function l2normDivision(ctx: LiftContext): Value | undefined {
  const [x, d] = [ctx.value(0), ctx.value(1)];
  if (x?.kind !== 'tensor' || d?.kind !== 'expr' || d.tag !== 'max(‖x‖,ε)' || d.x !== x.id) return undefined;
  const [axis, epsilon] = d.n as [number, number];
  const rank = ctx.lifted(x.id).shape.length;
  const args: Record<string, ArgValue> = {};
  if (axis !== rank - 1) args['axis'] = axis;
  if (!sameFloat(epsilon, 1e-12)) args['epsilon'] = epsilon;
  return ctx.call('l2norm', [x.id], args);
}
