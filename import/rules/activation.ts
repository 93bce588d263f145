// Activations, including the multi-node forms archc's lowerings and PyTorch's exporter write:
// x·Sigmoid(x) → silu, x·HardSigmoid(x) → hardswish, Clip(0, 6) → relu6, and GELU's erf form
// x·(1 + erf(x/√2))·½ (in any order of the two products), carried as pending expressions until
// the pattern completes (the dynamo exporter halves the erf term first: x·(½·(1 + erf(x/√2)))).
import type { LiftContext, Rule, Value } from '../lift.js';
import { sameFloat } from './args.js';
import { normFloor } from './l2norm.js';

const unary =
  (op: string): Rule =>
  (ctx) =>
    ctx.call(op, [ctx.tensor(0)]);

/** A scalar constant input (a one-element tensor), or undefined. */
export function scalarOf(ctx: LiftContext, i: number): number | undefined {
  const v = ctx.value(i);
  if (v?.kind === 'const' && v.t.data.length === 1) return v.t.data[0]!;
  if (v?.kind === 'ints' && v.v.length === 1 && typeof v.v[0] === 'number') return v.v[0];
  return undefined;
}

const clip: Rule = (ctx) => {
  const min = ctx.opset >= 11 ? scalarOf(ctx, 1) : ctx.attr<number>('min');
  const max = ctx.opset >= 11 ? scalarOf(ctx, 2) : ctx.attr<number>('max');
  const floor = max === undefined ? normFloor(ctx, ctx.value(0), min) : undefined;
  if (floor) return floor;
  const x = ctx.tensor(0);
  if (min === 0 && max === 6) return ctx.call('relu6', [x]);
  if (min === 0 && max === undefined) return ctx.call('relu', [x]);
  return ctx.fail(`Clip(${min}, ${max}) is not an archc activation (relu6 is Clip(0, 6))`);
};

const leakyRelu: Rule = (ctx) => {
  const alpha = ctx.attr<number>('alpha', 0.01);
  return ctx.call('leaky_relu', [ctx.tensor(0)], sameFloat(alpha, 0.01) ? {} : { alpha: Math.fround(alpha) });
};

const elu: Rule = (ctx) => {
  const alpha = ctx.attr<number>('alpha', 1);
  return ctx.call('elu', [ctx.tensor(0)], sameFloat(alpha, 1) ? {} : { alpha: Math.fround(alpha) });
};

const selu: Rule = (ctx) => {
  if (!sameFloat(ctx.attr<number>('alpha', 1.67326319), 1.67326319) || !sameFloat(ctx.attr<number>('gamma', 1.05070102), 1.05070102)) {
    ctx.fail('Selu with constants other than the self-normalizing ones');
  }
  return ctx.call('selu', [ctx.tensor(0)]);
};

const hardSigmoid: Rule = (ctx) => {
  if (!sameFloat(ctx.attr<number>('alpha', 0.2), 1 / 6) || !sameFloat(ctx.attr<number>('beta', 0.5), 0.5)) {
    ctx.fail("archc's hardsigmoid is PyTorch's (alpha 1/6, beta 0.5)");
  }
  return ctx.call('hardsigmoid', [ctx.tensor(0)]);
};

const softmax: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const rank = ctx.lifted(x).shape.length + 1;
  const axis = ctx.attr<number>('axis', ctx.opset >= 13 ? -1 : 1);
  const positive = axis < 0 ? axis + rank : axis;
  // Before opset 13, Softmax flattened the axes from `axis` on: the same only on the last axis.
  if (positive === 0 || (ctx.opset < 13 && positive !== rank - 1)) ctx.fail(`softmax over axis ${axis} is not an archc softmax`);
  const perSample = positive - 1;
  return ctx.call('softmax', [x], perSample === rank - 2 ? {} : { axis: perSample });
};

// GELU's erf form: Div(x, √2) → Erf → Add 1 → Mul by x → Mul by ½ (or the ½ first).
const erf: Rule = (ctx) => {
  const v = ctx.value(0);
  if (v?.kind === 'expr' && v.tag === 'x/√2') return { kind: 'expr', tag: 'erf(x/√2)', x: v.x };
  return ctx.fail('Erf outside the GELU pattern has no archc op');
};

/** Div and Add/Mul by a scalar constant: only inside known patterns. */
export function scalarStep(ctx: LiftContext, op: 'Div' | 'Add' | 'Mul'): Value | undefined {
  for (const [t, c] of [[0, 1], [1, 0]] as const) {
    const k = scalarOf(ctx, c);
    const v = ctx.value(t);
    if (k === undefined || !v) continue;
    if (op === 'Div' && c === 1 && v.kind === 'tensor' && sameFloat(k, Math.SQRT2)) return { kind: 'expr', tag: 'x/√2', x: v.id };
    if (op === 'Add' && v.kind === 'expr' && v.tag === 'erf(x/√2)' && sameFloat(k, 1)) return { kind: 'expr', tag: '1+erf(x/√2)', x: v.x };
    if (op === 'Mul' && sameFloat(k, 0.5)) {
      if (v.kind === 'expr' && v.tag === 'x(1+erf)') return ctx.call('gelu', [v.x]);
      if (v.kind === 'expr' && v.tag === '1+erf(x/√2)') return { kind: 'expr', tag: '(1+erf)/2', x: v.x };
      if (v.kind === 'tensor') return { kind: 'expr', tag: 'x/2', x: v.id };
    }
  }
  return undefined;
}

/** Mul of two computed values: silu, hardswish, the GELU products; undefined for a plain product. */
export function product(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    if (x.kind === 'tensor' && y.kind === 'expr' && y.tag === '1+erf(x/√2)' && y.x === x.id) return { kind: 'expr', tag: 'x(1+erf)', x: x.id };
    if (x.kind === 'expr' && x.tag === 'x/2' && y.kind === 'expr' && y.tag === '1+erf(x/√2)' && x.x === y.x) return ctx.call('gelu', [x.x]);
    if (x.kind === 'tensor' && y.kind === 'expr' && y.tag === '(1+erf)/2' && y.x === x.id) return ctx.call('gelu', [x.id]);
    if (x.kind === 'tensor' && y.kind === 'tensor') {
      const gate = ctx.lifted(y.id);
      if (gate.inputs[0] === x.id && gate.op === 'sigmoid') return ctx.call('silu', [x.id]);
      if (gate.inputs[0] === x.id && gate.op === 'hardsigmoid') return ctx.call('hardswish', [x.id]);
    }
  }
  return undefined;
}

/** Gelu (opset 20): archc's gelu is the exact (erf) form; the tanh approximation is another function. */
const gelu: Rule = (ctx) => {
  const approximate = ctx.attr<string>('approximate', 'none');
  if (approximate !== 'none') ctx.fail(`Gelu with approximate='${approximate}' is not archc's gelu (the exact erf form)`);
  return ctx.call('gelu', [ctx.tensor(0)]);
};

export const activationRules: Record<string, Rule> = {
  Gelu: gelu,
  Relu: unary('relu'),
  Sigmoid: unary('sigmoid'),
  Tanh: unary('tanh'),
  HardSwish: unary('hardswish'),
  HardSigmoid: hardSigmoid,
  LeakyRelu: leakyRelu,
  Elu: elu,
  Selu: selu,
  Clip: clip,
  Softmax: softmax,
  Erf: erf,
};
