// Element-wise arithmetic and fully connected layers. Two computed tensors give add, sub, mul
// (broadcasting as ONNX does); a constant operand is only meaningful as part of a pattern: the bias
// of a MatMul (→ dense), a learned position embedding ([1, T, D] → pos_embed), GELU's scalars.
// Gemm on [features] and MatMul by a constant [in, out] both become dense (weight [out, in]).
import { plainAxis, sameLayout, type Layout } from '../layout.js';
import type { ConstTensor } from '../onnx-read.js';
import type { LiftContext, Rule, Value } from '../lift.js';
import { product, scalarStep } from './activation.js';
import { addConstant, divConstant, mulConstant, subConstant } from './affine.js';
import { normalizedDivision, normalizedScale, normalizedShift } from './layernorm.js';
import { sameFloat } from './args.js';
import { l2normDivision } from './l2norm.js';

/** A [rows, cols] float tensor transposed (dense keeps its weight as [out, in]). */
export function transposed(t: ConstTensor): ConstTensor {
  const [rows, cols] = t.shape as [number, number];
  const data = new Float32Array(rows * cols);
  const from = t.data as Float32Array;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = from[r * cols + c]!;
  return { shape: [cols, rows], type: 'float', data, name: t.name };
}

/** A tensor with its leading 1s dropped ([1, 512] → [512]); same data. */
const squeezed = (t: ConstTensor, rank: number): ConstTensor => ({ ...t, shape: t.shape.slice(t.shape.length - rank) });

/**
 * The weight of a MatMul + bias pair, named after the bias when the exporter gave the (transposed)
 * weight a name of its own (`onnx::MatMul_2315` beside `mlp.0.bias`): `mlp.0.weight`.
 */
function namedLike(weight: ConstTensor, bias: ConstTensor): ConstTensor {
  const base = /[._]bias$/.test(bias.name) ? bias.name.slice(0, -'bias'.length) : undefined;
  return base !== undefined && !/weight$/.test(weight.name) ? { ...weight, name: `${base}weight` } : weight;
}

const both = (ctx: LiftContext): [Value, Value] => [ctx.value(0) ?? ctx.fail('input 0 is missing'), ctx.value(1) ?? ctx.fail('input 1 is missing')];

const add: Rule = (ctx) => {
  const step = scalarStep(ctx, 'Add');
  if (step) return step;
  const [a, b] = both(ctx);
  // Two tensors with the batch in the same place add per sample, wherever it is.
  if (a.kind === 'tensor' && b.kind === 'tensor' && sameLayout(a.layout, b.layout)) return withLayoutOf(ctx, ctx.call('add', [a.id, b.id]), a.layout);
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('add', [ctx.tensor(0), ctx.tensor(1)]);
  for (const [x, c] of [[a, b], [b, a]] as const) {
    if (x.kind !== 'tensor' || c.kind !== 'const') continue;
    const node = ctx.lifted(x.id);
    const units = node.shape.at(-1)!;
    const bias = c.t.shape.every((d, i) => i === c.t.shape.length - 1 || d === 1) && c.t.shape.at(-1) === units;
    if (node.op === 'dense' && node.args['bias'] === false && bias) {
      const { bias: _none, ...args } = node.args;
      const weight = namedLike(node.weights.get('weight')!, c.t);
      return withLayoutOf(ctx, ctx.call('dense', [node.inputs[0]!], args, { weight, bias: squeezed(c.t, 1) }), x.layout);
    }
    if (x.layout) continue;
    const perSample = c.t.shape.slice(1);
    if (c.t.shape[0] === 1 && perSample.join() === node.shape.join() && node.shape.length === 2) {
      return ctx.call('pos_embed', [x.id], {}, { '': c.t });
    }
  }
  return normalizedShift(ctx, a, b) ?? addConstant(ctx, a, b) ?? ctx.fail('adding a constant is not an archc op (only a dense bias, a [1, T, D] position embedding, a scalar or one value per channel)');
};

const sub: Rule = (ctx) => {
  const [a, b] = both(ctx);
  if (a.kind === 'tensor' && b.kind === 'tensor' && sameLayout(a.layout, b.layout)) return withLayoutOf(ctx, ctx.call('sub', [a.id, b.id]), a.layout);
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('sub', [ctx.tensor(0), ctx.tensor(1)]);
  return subConstant(ctx, a, b) ?? ctx.fail('subtracting a constant is not an archc op (only a scalar or one value per channel)');
};

const mul: Rule = (ctx) => {
  const step = scalarStep(ctx, 'Mul');
  if (step) return step;
  const [a, b] = both(ctx);
  const fused = product(ctx, a, b);
  if (fused) return fused;
  // archc's matmul carries its scale (attention's 1/√d): MatMul then Mul by a scalar. Any other
  // tensor times a scalar waits (x·c): a MatMul takes the factor as its scale (PyTorch's
  // scaled_dot_product_attention scales q and kᵀ by √scale each), anything else gets a scalar op.
  for (const [x, c] of [[a, b], [b, a]] as const) {
    if (x.kind !== 'tensor' || c.kind !== 'const' || c.t.data.length !== 1) continue;
    const m = ctx.lifted(x.id);
    if (m.op === 'matmul' && m.args['scale'] === undefined && !x.layout) return ctx.call('matmul', m.inputs, { ...m.args, scale: Math.fround(c.t.data[0]!) });
    return { kind: 'expr', tag: 'x·c', x: x.id, n: [c.t.data[0]!], ...(x.layout ? { layout: x.layout } : {}) };
  }
  if (a.kind === 'tensor' && b.kind === 'tensor' && sameLayout(a.layout, b.layout)) return withLayoutOf(ctx, ctx.call('mul', [a.id, b.id]), a.layout);
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('mul', [ctx.tensor(0), ctx.tensor(1)]);
  return normalizedScale(ctx, a, b) ?? mulConstant(ctx, a, b) ?? ctx.fail('multiplying by a constant is not an archc op (only a scalar or one value per channel)');
};

const div: Rule = (ctx) => {
  const fused = l2normDivision(ctx) ?? scalarStep(ctx, 'Div');
  if (fused) return fused;
  const [a, b] = both(ctx);
  const normalized = normalizedDivision(ctx, a, b);
  if (normalized) return normalized;
  if (a.kind === 'tensor' && b.kind === 'tensor' && sameLayout(a.layout, b.layout)) return withLayoutOf(ctx, ctx.call('div', [a.id, b.id]), a.layout);
  return divConstant(ctx, a, b) ?? ctx.fail('this division is not an archc op (by a tensor, a scalar, or per-channel statistics: normalize)');
};

const gemm: Rule = (ctx) => {
  const { id: x, layout } = ctx.view(0);
  if (layout.length !== 2 || plainAxis(layout, 1) !== ctx.lifted(x).shape.length - 1) ctx.fail('Gemm on more than [N, features]');
  if (ctx.attr<number>('transA', 0) !== 0 || !sameFloat(ctx.attr<number>('alpha', 1), 1) || !sameFloat(ctx.attr<number>('beta', 1), 1)) {
    ctx.fail('Gemm with transA, alpha or beta is not a dense layer');
  }
  const b = ctx.constant(1);
  const weight = ctx.attr<number>('transB', 0) === 1 ? b : transposed(b);
  const c = ctx.value(2) ? ctx.constant(2) : undefined;
  if (c && c.data.length !== weight.shape[0]) ctx.fail('a Gemm bias that broadcasts over the features is not a dense bias');
  const made = ctx.call('dense', [x], { units: weight.shape[0]!, ...(c ? {} : { bias: false }) }, { weight, ...(c ? { bias: { ...c, shape: [c.data.length] } } : {}) });
  return withLayoutOf(ctx, made, layout);
};

const matmul: Rule = (ctx) => {
  const [a, b] = both(ctx);
  if (b.kind === 'const' && b.t.shape.length === 2 && a.kind !== 'const') {
    const { id, layout } = ctx.view(0);
    if (plainAxis(layout, -1) !== ctx.lifted(id).shape.length - 1) ctx.fail('a MatMul over an axis that holds the batch');
    return withLayoutOf(ctx, ctx.call('dense', [id], { units: b.t.shape[1]!, bias: false }, { weight: transposed(b.t) }), layout);
  }
  // Products of tensors; factors waiting as x·c become the matmul's scale.
  const factor = (v: Value, i: number): [number, number] => {
    if (v.kind === 'expr' && v.tag === 'x·c' && !v.layout) return [v.x, v.n![0]!];
    if (v.kind === 'expr' && v.tag === 'x/2') return [v.x, 0.5]; // √scale of a head size of 16
    return [ctx.tensor(i), 1];
  };
  if (a.kind !== 'const' && b.kind !== 'const') {
    const [[x, ka], [y, kb]] = [factor(a, 0), factor(b, 1)];
    const scale = attentionScale(Math.fround(ka * kb), ctx.lifted(x).shape.at(-1)!);
    return ctx.call('matmul', [x, y], scale === 1 ? {} : { scale });
  }
  return ctx.fail('MatMul by a constant other than a [in, out] weight');
};

/** 1/√d written as such when the product of two factors missed it by float32 rounding (0.12499999 → 0.125). */
function attentionScale(scale: number, depth: number): number {
  const exact = Math.fround(1 / Math.sqrt(depth));
  return Math.abs(scale - exact) <= 4 * 2 ** -23 * exact ? exact : scale;
}

const withLayoutOf = (ctx: LiftContext, v: Value, layout: Layout | undefined): Value => (layout && v.kind === 'tensor' ? ctx.withLayout(v.id, layout) : v);

export const arithRules: Record<string, Rule> = { Add: add, Sub: sub, Mul: mul, Div: div, Gemm: gemm, MatMul: matmul };
