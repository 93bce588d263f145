// Element-wise arithmetic and fully connected layers. Two computed tensors give add, sub, mul
// (broadcasting as ONNX does); a constant operand is only meaningful as part of a pattern: the bias
// of a MatMul (→ dense), a learned position embedding ([1, T, D] → pos_embed), GELU's scalars.
// Gemm on [features] and MatMul by a constant [in, out] both become dense (weight [out, in]).
import type { ConstTensor } from '../onnx-read.js';
import type { LiftContext, Rule, Value } from '../lift.js';
import { product, scalarStep } from './activation.js';
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

const both = (ctx: LiftContext): [Value, Value] => [ctx.value(0) ?? ctx.fail('input 0 is missing'), ctx.value(1) ?? ctx.fail('input 1 is missing')];

const add: Rule = (ctx) => {
  const step = scalarStep(ctx, 'Add');
  if (step) return step;
  const [a, b] = both(ctx);
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('add', [a.id, b.id]);
  for (const [x, c] of [[a, b], [b, a]] as const) {
    if (x.kind !== 'tensor' || c.kind !== 'const') continue;
    const node = ctx.lifted(x.id);
    const units = node.shape.at(-1)!;
    const bias = c.t.shape.every((d, i) => i === c.t.shape.length - 1 || d === 1) && c.t.shape.at(-1) === units;
    if (node.op === 'dense' && node.args['bias'] === false && bias) {
      const { bias: _none, ...args } = node.args;
      return ctx.call('dense', [node.inputs[0]!], args, { weight: node.weights.get('weight')!, bias: squeezed(c.t, 1) });
    }
    const perSample = c.t.shape.slice(1);
    if (c.t.shape[0] === 1 && perSample.join() === node.shape.join() && node.shape.length === 2) {
      return ctx.call('pos_embed', [x.id], {}, { '': c.t });
    }
  }
  return ctx.fail('adding a constant is not an archc op (only a dense bias or a [1, T, D] position embedding)');
};

const sub: Rule = (ctx) => {
  const [a, b] = both(ctx);
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('sub', [a.id, b.id]);
  return ctx.fail('subtracting a constant is not an archc op');
};

const mul: Rule = (ctx) => {
  const step = scalarStep(ctx, 'Mul');
  if (step) return step;
  const [a, b] = both(ctx);
  const fused = product(ctx, a, b);
  if (fused) return fused;
  // archc's matmul carries its scale (attention's 1/√d): MatMul then Mul by a scalar.
  for (const [x, c] of [[a, b], [b, a]] as const) {
    if (x.kind !== 'tensor' || c.kind !== 'const' || c.t.data.length !== 1) continue;
    const m = ctx.lifted(x.id);
    if (m.op === 'matmul' && m.args['scale'] === undefined) return ctx.call('matmul', m.inputs, { ...m.args, scale: Math.fround(c.t.data[0]!) });
  }
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('mul', [a.id, b.id]);
  return ctx.fail('multiplying by a constant is not an archc op');
};

const div: Rule = (ctx) => l2normDivision(ctx) ?? scalarStep(ctx, 'Div') ?? ctx.fail('division is not an archc op (except inside GELU and l2norm)');

const gemm: Rule = (ctx) => {
  const x = ctx.tensor(0);
  if (ctx.lifted(x).shape.length !== 1) ctx.fail('Gemm on more than [N, features]');
  if (ctx.attr<number>('transA', 0) !== 0 || !sameFloat(ctx.attr<number>('alpha', 1), 1) || !sameFloat(ctx.attr<number>('beta', 1), 1)) {
    ctx.fail('Gemm with transA, alpha or beta is not a dense layer');
  }
  const b = ctx.constant(1);
  const weight = ctx.attr<number>('transB', 0) === 1 ? b : transposed(b);
  const c = ctx.value(2) ? ctx.constant(2) : undefined;
  if (c && c.data.length !== weight.shape[0]) ctx.fail('a Gemm bias that broadcasts over the features is not a dense bias');
  return ctx.call('dense', [x], { units: weight.shape[0]!, ...(c ? {} : { bias: false }) }, { weight, ...(c ? { bias: { ...c, shape: [c.data.length] } } : {}) });
};

const matmul: Rule = (ctx) => {
  const [a, b] = both(ctx);
  if (a.kind === 'tensor' && b.kind === 'const' && b.t.shape.length === 2) {
    return ctx.call('dense', [a.id], { units: b.t.shape[1]!, bias: false }, { weight: transposed(b.t) });
  }
  if (a.kind === 'tensor' && b.kind === 'tensor') return ctx.call('matmul', [a.id, b.id]);
  return ctx.fail('MatMul by a constant other than a [in, out] weight');
};

export const arithRules: Record<string, Rule> = { Add: add, Sub: sub, Mul: mul, Div: div, Gemm: gemm, MatMul: matmul };
