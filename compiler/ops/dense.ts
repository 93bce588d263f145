// dense: a fully connected layer on the last axis of any rank, applied at every other position
// (torch Linear, Keras Dense). Weight [out, in].
import { defineOp } from './op.js';
import { isSym } from '../symbolic/expr.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { product } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { args, kwargs, pyBool } from '../lower-pytorch/lowering.js';

export interface DenseAttrs {
  readonly units: number;
  readonly bias: boolean;
}

export const dense = defineOp({
  kind: 'dense',
  summary: 'fully connected layer over the last axis',
  arity: { min: 1, max: 1 },
  params: {
    units: { type: 'int', doc: 'output features' },
    bias: { type: 'bool', default: true },
  },
  infer([x], args, ctx) {
    const units = args.units;
    if (units <= 0) return ctx.error('E0305', `dense needs at least one unit, got ${units}`, { arg: 'units' });
    return { attrs: { units, bias: args.bias }, shape: [...x!.slice(0, -1), units] };
  },
  weights: (a, [x]) => [
    { name: 'weight', shape: [a.units, x!.at(-1)!], role: 'learnable', init: 'glorot' },
    ...(a.bias ? [{ name: 'bias', shape: [a.units], role: 'learnable', init: 'zeros' } as const] : []),
  ],
  macs: (a, [x]) => product(x!) * a.units,
  // Its weights are sized for the last axis at the defaults: that axis cannot vary.
  symbolic(_a, [x], { node, need, base }) {
    const last = x!.at(-1)!;
    if (isSym(last)) need({ kind: 'eq', left: last, right: base[0]!.at(-1)!, span: node.span, why: `the weights of ${node.name} are sized for its input at the defaults` });
    return [...x!.slice(0, -1), node.shape.at(-1)!];
  },
  macsGrowWith: 'input',
  tfjs: (a, kit) => denseTfjs(a, kit),
  onnx: (g) => denseOnnx(g),
  pytorch: {
    module: (a, [x]) => `nn.Linear(${args(String(x!.at(-1)!), String(a.units), kwargs([['bias', pyBool(a.bias), 'True']]))})`,
    forward: (g) => (g.module ? `${g.module}(${g.inputs[0]})` : `F.linear(${g.inputs[0]}, ${g.weight('weight')}, ${g.attrs.bias ? g.weight('bias') : 'None'})`),
  },
});

/** [features] → Gemm (transB: the weight stays [out, in]); higher ranks → MatMul + Add. */
const denseOnnx: OnnxLowering<DenseAttrs> = (g) => {
  const a = g.attrs;
  const x = g.inputs[0]!;
  const bias = a.bias ? [g.weight('bias')] : [];
  if (g.inputShapes[0]!.length === 1) return g.op('Gemm', [x, g.weight('weight'), ...bias], { transB: 1 });
  const features = g.inputShapes[0]!.at(-1)!;
  const w = g.op('Transpose', [g.weight('weight')], { perm: [1, 0] }, { fixedShape: [features, a.units], as: 'weight_t' });
  const y = g.op('MatMul', [x, w]);
  return a.bias ? g.op('Add', [y, bias[0]!]) : y;
};

/**
 * tfjs Dense (weight [out, in] → kernel [in, out]). After a flatten of a channels-last map the
 * features come in H, W, C order, so the kernel's rows are reordered from the IR's C, H, W.
 */
const denseTfjs: TfjsLowering<DenseAttrs> = (a, kit) => {
  const from = kit.flatSource(0);
  const x = kit.input(0, from ? 'as-is' : 'plain');
  const layer = kit.layers.dense({ name: kit.name(), units: a.units, useBias: a.bias });
  const weight = from
    ? { ir: 'weight', view: [a.units, ...from], permute: [...from.slice(1).map((_, i) => i + 2), 1, 0] }
    : { ir: 'weight', permute: [1, 0] };
  return { output: kit.apply(layer, x, [weight, ...(a.bias ? [{ ir: 'bias' }] : [])]), layout: 'plain' };
};
