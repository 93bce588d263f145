// Comparisons of computed tensors → archc's compare (a 0/1 mask): Equal, Less, Greater,
// LessOrEqual, GreaterOrEqual of two tensors or of a tensor and a number, and Not of a comparison
// (archc writes a != b as Not(Equal)). The Cast to float that follows is an identity here: archc's
// masks are float already. On shape vectors and constants these ops are folded (ints.ts, fold.ts).
import type { ArgValue } from '../../compiler/ops/op.js';
import type { Comparison } from '../../compiler/ops/compare.js';
import { sameLayout } from '../layout.js';
import type { LiftContext, Rule, Value } from '../lift.js';
import { scalarOf } from './activation.js';

const OPS: Record<string, Comparison> = { Equal: 'eq', Less: 'lt', Greater: 'gt', LessOrEqual: 'le', GreaterOrEqual: 'ge' };
/** The comparison that holds where this one does not, and the one that holds with swapped operands. */
const NEGATED: Record<Comparison, Comparison> = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', gt: 'le', le: 'gt' };
const SWAPPED: Record<Comparison, Comparison> = { eq: 'eq', ne: 'ne', lt: 'gt', gt: 'lt', le: 'ge', ge: 'le' };

const withLayout = (ctx: LiftContext, v: Value, like: Value) => (v.kind === 'tensor' && like.kind === 'tensor' && like.layout ? ctx.withLayout(v.id, like.layout) : v);

const compareRule =
  (onnxOp: string): Rule =>
  (ctx) => {
    const op = OPS[onnxOp]!;
    const [a, b] = [ctx.value(0) ?? ctx.fail('input 0 is missing'), ctx.value(1) ?? ctx.fail('input 1 is missing')];
    if (a.kind === 'tensor' && b.kind === 'tensor' && sameLayout(a.layout, b.layout)) return withLayout(ctx, ctx.call('compare', [a.id, b.id], { op }), a);
    if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('compare', [ctx.tensor(0), ctx.tensor(1)], { op });
    for (const [x, i, cmp] of [[a, 1, op], [b, 0, SWAPPED[op]]] as const) {
      const value = scalarOf(ctx, i);
      if (x.kind !== 'tensor' || value === undefined) continue;
      const args: Record<string, ArgValue> = { op: cmp, value: Math.fround(value) };
      return withLayout(ctx, ctx.call('compare', [x.id], args), x);
    }
    return ctx.fail(`${onnxOp} of a tensor with a constant that is not one number is not an archc compare`);
  };

/** Not of a comparison: the opposite comparison. */
const not: Rule = (ctx) => {
  const v = ctx.value(0);
  const made = v?.kind === 'tensor' ? ctx.lifted(v.id) : undefined;
  if (v?.kind !== 'tensor' || made?.op !== 'compare') return ctx.fail('Not of anything but a comparison is not an archc op');
  return withLayout(ctx, ctx.call('compare', made.inputs, { ...made.args, op: NEGATED[made.args['op'] as Comparison] }), v);
};

export const compareRules: Record<string, Rule> = { ...Object.fromEntries(Object.keys(OPS).map((op) => [op, compareRule(op)])), Not: not };
