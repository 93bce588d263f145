// scalar: a tensor and a number combined element-wise. `x * 0.5`, `x + 1`, `1 - x`, `x / s` and
// `-x` in the DSL lower to it (the number may stand on either side; `rsub` and `rdiv` keep its
// place: 1 − x, 1 / x). ONNX: the binary op with a scalar Constant, which broadcasts.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat } from '../lower-pytorch/lowering.js';

export const SCALAR_KINDS = ['add', 'sub', 'rsub', 'mul', 'div', 'rdiv'] as const;
export type ScalarKind = (typeof SCALAR_KINDS)[number];

export interface ScalarAttrs {
  readonly op: ScalarKind;
  readonly value: number;
}

export const scalar = defineOp({
  kind: 'scalar',
  summary: 'a tensor and a number, element-wise: x + c, x − c, c − x, x · c, x / c, c / x',
  arity: { min: 1, max: 1 },
  params: {
    op: { type: 'string', oneOf: SCALAR_KINDS, doc: 'rsub: c − x; rdiv: c / x' },
    value: { type: 'float', doc: 'the number c' },
  },
  infer([x], args, ctx) {
    const op = args.op;
    const value = args.value;
    if (op === 'div' && value === 0) return ctx.error('E0605', 'division of a tensor by zero', { arg: 'value' });
    return { attrs: { op, value }, shape: x! };
  },
  tfjs: (a, kit) => scalarTfjs(a, kit),
  onnx: (g) => scalarOnnx(g),
  pytorch: { forward: (g) => scalarTorch(g.inputs[0]!, g.attrs) },
});

function scalarTorch(x: string, a: ScalarAttrs): string {
  const c = pyFloat(a.value);
  const forms: Record<ScalarKind, string> = { add: `${x} + ${c}`, sub: `${x} - ${c}`, rsub: `${c} - ${x}`, mul: `${x} * ${c}`, div: `${x} / ${c}`, rdiv: `${c} / ${x}` };
  return forms[a.op];
}

const ONNX_TYPE: Record<ScalarKind, string> = { add: 'Add', sub: 'Sub', rsub: 'Sub', mul: 'Mul', div: 'Div', rdiv: 'Div' };

const scalarOnnx: OnnxLowering<ScalarAttrs> = (g) => {
  const c = g.constant('value', 'float', [g.attrs.value], []);
  const x = g.inputs[0]!;
  const reversed = g.attrs.op === 'rsub' || g.attrs.op === 'rdiv';
  return g.op(ONNX_TYPE[g.attrs.op], reversed ? [c, x] : [x, c]);
};

/** ArchcScalar, in whatever layout the input has (the op is the same at every element). */
const scalarTfjs: TfjsLowering<ScalarAttrs> = (a, kit) => {
  const layer = kit.custom.scalar({ name: kit.name(), op: a.op, value: a.value });
  return { output: kit.apply(layer, kit.input(0, 'as-is')), layout: kit.layoutOf(0, 'as-is'), flatFrom: kit.flatSource(0) };
};
