// Shape arithmetic on integer vectors with the batch kept symbolic (k·N, import/layout.ts): Shape,
// Gather from a shape, Add/Sub/Mul/Div, and the comparisons an exporter writes to fill in a -1
// (ConstantOfShape → Equal → Where). Vectors without the batch are folded as constants before the
// rules see them (rules/fold.ts); these rules are for the ones that hold N.
import { isBatch, onnxDims, type IntOrBatch } from '../layout.js';
import type { LiftContext, Rule, Value } from '../lift.js';

export const shapeOf: Rule = (ctx) => {
  const source = ctx.value(0);
  // The shape of a shape vector (exporters take it to build a vector of the same length).
  if (source?.kind === 'ints') return { kind: 'ints', v: [source.v.length], scalar: false };
  const dims = source?.kind === 'const' ? [...source.t.shape] : onnxDims(ctx.view(0).layout, ctx.lifted(ctx.view(0).id).shape);
  const start = ctx.attr<number>('start', 0);
  const end = ctx.attr<number>('end', dims.length);
  return { kind: 'ints', v: dims.slice(start < 0 ? dims.length + start : start, end < 0 ? dims.length + end : end), scalar: false };
};

export const gatherInts = (ctx: LiftContext, source: Value & { kind: 'ints' }): Value => {
  const index = ctx.value(1);
  const picks = ctx.ints(1).map((i) => {
    const k = isBatch(i) ? ctx.fail('an index that depends on the batch') : i;
    return source.v[k < 0 ? k + source.v.length : k] ?? ctx.fail(`index ${k} is outside a shape of rank ${source.v.length}`);
  });
  return { kind: 'ints', v: picks, scalar: index?.kind === 'ints' ? index.scalar : false };
};

type Op = (a: IntOrBatch, b: IntOrBatch, fail: (why: string) => never) => IntOrBatch;

const numeric = (f: (a: number, b: number) => number): Op => (a, b, fail) => (isBatch(a) || isBatch(b) ? fail('arithmetic on the batch size') : f(a, b));

/** k·N times m is (k·m)·N; N divided by what it was multiplied by is N again. */
const OPS: Record<string, Op> = {
  Add: (a, b, fail) => (isBatch(a) && b === 0 ? a : isBatch(b) && a === 0 ? b : numeric((x, y) => x + y)(a, b, fail)),
  Sub: (a, b, fail) => (isBatch(a) && b === 0 ? a : numeric((x, y) => x - y)(a, b, fail)),
  Mul: (a, b, fail) => {
    if (isBatch(a) && !isBatch(b)) return { batch: a.batch * b };
    if (isBatch(b) && !isBatch(a)) return { batch: b.batch * a };
    return numeric((x, y) => x * y)(a, b, fail);
  },
  Div: (a, b, fail) => {
    if (isBatch(a) && !isBatch(b) && Number.isInteger(a.batch / b)) return { batch: a.batch / b };
    if (isBatch(a) && isBatch(b) && Number.isInteger(a.batch / b.batch)) return a.batch / b.batch;
    return numeric((x, y) => Math.trunc(x / y))(a, b, fail);
  },
  // N is at least 1: it never equals zero or a negative number (the -1 placeholders of a target).
  Equal: (a, b, fail) => {
    if (isBatch(a) && isBatch(b)) return a.batch === b.batch ? 1 : fail('comparing two batch sizes');
    const [n, other] = isBatch(a) ? [a, b as number] : isBatch(b) ? [b, a as number] : [undefined, 0];
    if (n) return other <= 0 ? 0 : fail(`whether the batch size equals ${other} is only known at run time`);
    return a === b ? 1 : 0;
  },
};

/** Element-wise on two shape vectors (one may be a single value, broadcast). */
const elementwise =
  (op: keyof typeof OPS): Rule =>
  (ctx) => {
    const [a, b] = [ctx.value(0), ctx.value(1)];
    if (a?.kind !== 'ints' || b?.kind !== 'ints') return ctx.fail(`${op} on shape vectors only`);
    const at = (v: readonly IntOrBatch[], i: number) => v[v.length === 1 ? 0 : i]!;
    const n = Math.max(a.v.length, b.v.length);
    const v = Array.from({ length: n }, (_, i) => OPS[op]!(at(a.v, i), at(b.v, i), ctx.fail));
    return { kind: 'ints', v, scalar: a.scalar && b.scalar };
  };

/** Integer arithmetic that ONNX files use on shapes (Add/Sub/Mul/Div on shape vectors are routed here). */
export const intArithmetic = {
  Add: elementwise('Add'),
  Sub: elementwise('Sub'),
  Mul: elementwise('Mul'),
  Div: elementwise('Div'),
};

/** Where(condition, a, b) on shape vectors: the condition must be known (it is folded from constants). */
const where: Rule = (ctx) => {
  const condition = ctx.ints(0).map((c) => (isBatch(c) ? ctx.fail('a condition on the batch size') : c));
  const [a, b] = [ctx.ints(1), ctx.ints(2)];
  const n = Math.max(condition.length, a.length, b.length);
  const at = (v: readonly IntOrBatch[], i: number) => v[v.length === 1 ? 0 : i]!;
  return { kind: 'ints', v: Array.from({ length: n }, (_, i) => (at(condition, i) ? at(a, i) : at(b, i))), scalar: false };
};

/** Ops that only exist here on constants and shape vectors; on a computed tensor they have no archc form. */
const constantsOnly =
  (op: string): Rule =>
  (ctx) =>
    ctx.fail(`${op} of a computed tensor is not an archc op (it is imported only where it computes a constant)`);

export const intRules: Record<string, Rule> = {
  Shape: shapeOf,
  Equal: (ctx) => (ctx.value(0)?.kind === 'ints' && ctx.value(1)?.kind === 'ints' ? elementwise('Equal')(ctx) : constantsOnly('Equal')(ctx)),
  Where: (ctx) => (ctx.value(0)?.kind === 'ints' && ctx.value(1)?.kind === 'ints' && ctx.value(2)?.kind === 'ints' ? where(ctx) : constantsOnly('Where')(ctx)),
  ...Object.fromEntries(['Mod', 'ConstantOfShape', 'Neg', 'Range', 'Less', 'Greater', 'Not', 'Reciprocal', 'Floor', 'Ceil'].map((op) => [op, constantsOnly(op)])),
};
