// Element-wise activations without weights: one op each, sharing one shape rule (shape unchanged).
// prelu (learnable slopes) and softmax (an axis) have files of their own.
import { defineOp, type OpDef } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat, type PytorchLowering } from '../lower-pytorch/lowering.js';

export interface ActivationAttrs {
  /** leaky_relu's negative slope, elu's and selu's alpha; unused by the others. */
  readonly alpha?: number;
}

type Lowering = OnnxLowering<ActivationAttrs>;
const one = (type: string): Lowering => (g) => g.op(type, [g.inputs[0]!]);
const scalar = (g: Parameters<Lowering>[0], as: string, value: number) => g.constant(as, 'float', [value], []);
/** PyTorch's hardsigmoid: relu6(x + 3) / 6. */
const hardSigmoid = { alpha: { float: 1 / 6 }, beta: { float: 0.5 } };

/** The ONNX form of each activation (standard ops of opsets 13-17; GELU is an op only from 20). */
const onnxForms = {
  relu: one('Relu'),
  relu6: (g) => g.op('Clip', [g.inputs[0]!, scalar(g, 'min', 0), scalar(g, 'max', 6)]),
  leaky_relu: (g) => g.op('LeakyRelu', [g.inputs[0]!], { alpha: { float: g.attrs.alpha! } }),
  elu: (g) => g.op('Elu', [g.inputs[0]!], { alpha: { float: g.attrs.alpha! } }),
  // ONNX's default alpha and gamma are PyTorch's constants in float32.
  selu: one('Selu'),
  gelu: (g) => {
    const x = g.inputs[0]!;
    const erf = g.op('Erf', [g.op('Div', [x, scalar(g, 'sqrt2', Math.SQRT2)])]);
    const half = g.op('Mul', [x, g.op('Add', [erf, scalar(g, 'one', 1)])]);
    return g.op('Mul', [half, scalar(g, 'half', 0.5)]);
  },
  silu: (g) => g.op('Mul', [g.inputs[0]!, g.op('Sigmoid', [g.inputs[0]!])]),
  swish: (g) => g.op('Mul', [g.inputs[0]!, g.op('Sigmoid', [g.inputs[0]!])]),
  hardswish: (g) =>
    g.opset >= 14 ? g.op('HardSwish', [g.inputs[0]!]) : g.op('Mul', [g.inputs[0]!, g.op('HardSigmoid', [g.inputs[0]!], hardSigmoid)]),
  hardsigmoid: (g) => g.op('HardSigmoid', [g.inputs[0]!], hardSigmoid),
  sigmoid: one('Sigmoid'),
  tanh: one('Tanh'),
  identity: (g) => g.inputs[0]!,
} satisfies Record<string, Lowering>;

/** torch.nn.functional forms and the nn modules used inside nn.Sequential (PyTorch's definitions). */
const pytorchForms: Record<keyof typeof onnxForms, PytorchLowering<ActivationAttrs>> = {
  relu: { module: () => 'nn.ReLU()', forward: (g) => `F.relu(${g.inputs[0]})` },
  relu6: { module: () => 'nn.ReLU6()', forward: (g) => `F.relu6(${g.inputs[0]})` },
  leaky_relu: { module: (a) => `nn.LeakyReLU(${pyFloat(a.alpha!)})`, forward: (g) => `F.leaky_relu(${g.inputs[0]}, ${pyFloat(g.attrs.alpha!)})` },
  elu: { module: (a) => `nn.ELU(${pyFloat(a.alpha!)})`, forward: (g) => `F.elu(${g.inputs[0]}, ${pyFloat(g.attrs.alpha!)})` },
  selu: { module: () => 'nn.SELU()', forward: (g) => `F.selu(${g.inputs[0]})` },
  gelu: { module: () => 'nn.GELU()', forward: (g) => `F.gelu(${g.inputs[0]})` },
  silu: { module: () => 'nn.SiLU()', forward: (g) => `F.silu(${g.inputs[0]})` },
  swish: { module: () => 'nn.SiLU()', forward: (g) => `F.silu(${g.inputs[0]})` },
  hardswish: { module: () => 'nn.Hardswish()', forward: (g) => `F.hardswish(${g.inputs[0]})` },
  hardsigmoid: { module: () => 'nn.Hardsigmoid()', forward: (g) => `F.hardsigmoid(${g.inputs[0]})` },
  sigmoid: { module: () => 'nn.Sigmoid()', forward: (g) => `torch.sigmoid(${g.inputs[0]})` },
  tanh: { module: () => 'nn.Tanh()', forward: (g) => `torch.tanh(${g.inputs[0]})` },
  identity: { module: () => 'nn.Identity()', forward: (g) => g.inputs[0]! },
};

/** An activation; with `alpha` (its default) for those with a slope or scale. */
function activation(kind: keyof typeof onnxForms, summary: string, alpha?: number): OpDef<ActivationAttrs> {
  const common = { kind, summary, arity: { min: 1, max: 1 }, tfjs: (a: ActivationAttrs, kit: Kit) => activationTfjs(kind)(a, kit), onnx: onnxForms[kind], pytorch: pytorchForms[kind] };
  if (alpha === undefined) return defineOp({ ...common, params: {}, infer: ([x]) => ({ attrs: {}, shape: x! }) });
  return defineOp({ ...common, params: { alpha: { type: 'float', default: alpha } }, infer: ([x], args) => ({ attrs: { alpha: args.alpha }, shape: x! }) });
}

export const relu = activation('relu', 'max(x, 0)');
export const relu6 = activation('relu6', 'min(max(x, 0), 6)');
export const leaky_relu = activation('leaky_relu', 'x if x > 0 else alpha·x', 0.01);
export const elu = activation('elu', 'x if x > 0 else alpha·(exp(x) − 1)', 1.0);
export const selu = activation('selu', 'scale·elu(x, alpha) with the self-normalizing constants');
export const gelu = activation('gelu', 'x·Φ(x) (exact, erf form)');
export const silu = activation('silu', 'x·sigmoid(x), also called swish');
export const swish = activation('swish', 'x·sigmoid(x), the same as silu');
export const hardswish = activation('hardswish', 'x·relu6(x + 3)/6 (MobileNetV3)');
export const hardsigmoid = activation('hardsigmoid', 'relu6(x + 3)/6 (MobileNetV3, PyTorch slope 1/6)');
export const sigmoid = activation('sigmoid', '1 / (1 + exp(−x))');
export const tanh = activation('tanh', 'hyperbolic tangent');
export const identity = activation('identity', 'x unchanged');

type Kit = Parameters<TfjsLowering<ActivationAttrs>>[1];
type Layer = Parameters<Kit['apply']>[0];
const named = (activation: 'relu' | 'selu' | 'gelu' | 'swish' | 'sigmoid' | 'tanh' | 'linear') => (_a: ActivationAttrs, kit: Kit): Layer =>
  kit.layers.activation({ name: kit.name(), activation });

/** The tfjs layer of each activation; custom where tfjs differs (hardSigmoid's slope 0.2, ELU's fixed alpha). */
const tfjsForms: Record<keyof typeof onnxForms, (a: ActivationAttrs, kit: Kit) => Layer> = {
  relu: named('relu'),
  relu6: (_a, kit) => kit.layers.reLU({ name: kit.name(), maxValue: 6 }),
  leaky_relu: (a, kit) => kit.layers.leakyReLU({ name: kit.name(), alpha: a.alpha! }),
  elu: (a, kit) => (a.alpha === 1 ? kit.layers.elu({ name: kit.name() }) : kit.custom.activation({ name: kit.name(), kind: 'elu', alpha: a.alpha! })),
  selu: named('selu'),
  gelu: named('gelu'),
  silu: named('swish'),
  swish: named('swish'),
  hardswish: (_a, kit) => kit.custom.activation({ name: kit.name(), kind: 'hardswish' }),
  hardsigmoid: (_a, kit) => kit.custom.activation({ name: kit.name(), kind: 'hardsigmoid' }),
  sigmoid: named('sigmoid'),
  tanh: named('tanh'),
  identity: named('linear'),
};

/** Element-wise, so any layout passes through unchanged (a flattened vector's order too). */
const activationTfjs = (kind: keyof typeof onnxForms): TfjsLowering<ActivationAttrs> => (a, kit) => ({
  output: kit.apply(tfjsForms[kind](a, kit), kit.input(0, 'as-is')),
  layout: kit.layoutOf(0),
});
