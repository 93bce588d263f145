// compare: element-wise comparisons as masks. `a > b`, `a >= b`, `a < b`, `a <= b`, `a == b` and
// `a != b` on tensors (with broadcasting) or a tensor and a number (either side) lower to it; the
// result is 1 where the comparison holds and 0 elsewhere, as a float tensor, so that masks combine
// with arithmetic (`mask * -100`) and feed `where`. ONNX: Greater, Less, Equal, ... (bool) then a
// Cast to float. It has no gradient (a step function): tfjs and PyTorch pass none back.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { formatShape } from '../ir.js';
import { alignedOnnxInputs, alignedTorchInputs, broadcast, symbolicBroadcast } from './elementwise.js';
import { pyFloat } from '../lower-pytorch/lowering.js';

export const COMPARISONS = ['gt', 'ge', 'lt', 'le', 'eq', 'ne'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface CompareAttrs {
  readonly op: Comparison;
  /** The number compared with, when there is one input. */
  readonly value: number | null;
}

/** The DSL operator of each comparison, and the one that holds with its operands swapped. */
export const COMPARISON_OPERATORS: Record<Comparison, { symbol: string; swapped: Comparison }> = {
  gt: { symbol: '>', swapped: 'lt' },
  ge: { symbol: '>=', swapped: 'le' },
  lt: { symbol: '<', swapped: 'gt' },
  le: { symbol: '<=', swapped: 'ge' },
  eq: { symbol: '==', swapped: 'eq' },
  ne: { symbol: '!=', swapped: 'ne' },
};

export const compare = defineOp({
  kind: 'compare',
  summary: 'element-wise comparison as a 0/1 mask: a > b, a >= b, a < b, a <= b, a == b, a != b',
  arity: { min: 1, max: 2 },
  params: {
    op: { type: 'string', oneOf: COMPARISONS, doc: 'gt, ge, lt, le, eq or ne' },
    value: { type: 'float', default: null, doc: 'the number compared with, for one input' },
  },
  infer(inputs, args, ctx) {
    const op = args.op;
    const value = args.value;
    if (inputs.length === 1) {
      if (value === null) return ctx.error('E0206', 'compare with one tensor needs the number to compare with as value=', { arg: 'op' });
      return { attrs: { op, value } as CompareAttrs, shape: inputs[0]! };
    }
    if (value !== null) return ctx.error('E0305', 'compare takes two tensors or a tensor and value=, not both', { arg: 'value' });
    const [a, b] = inputs as [readonly number[], readonly number[]];
    const shape = broadcast(a, b);
    if (!shape) {
      const symbol = COMPARISON_OPERATORS[op].symbol;
      return ctx.error('E0302', `comparison needs shapes that match or broadcast: ${formatShape(a)} ${symbol} ${formatShape(b)}`, {
        trace: true,
        notes: ['each axis, aligned from the right, must be equal or 1'],
      });
    }
    return { attrs: { op, value: null } as CompareAttrs, shape };
  },
  symbolic: (_a, ins, step) => symbolicBroadcast(ins, step),
  onnx: (g) => compareOnnx(g),
  tfjs: (a, kit) => compareTfjs(a, kit),
  pytorch: {
    forward: (g) => {
      const [a, b] = g.attrs.value === null ? alignedTorchInputs(g.inputs, g.inputShapes) : [g.inputs[0]!, pyFloat(g.attrs.value)];
      return `(${a} ${COMPARISON_OPERATORS[g.attrs.op].symbol} ${b}).float()`;
    },
  },
});

const ONNX_TYPE: Record<Comparison, string> = { gt: 'Greater', ge: 'GreaterOrEqual', lt: 'Less', le: 'LessOrEqual', eq: 'Equal', ne: 'Equal' };

const compareOnnx: OnnxLowering<CompareAttrs> = (g) => {
  const { op, value } = g.attrs;
  const operands = value === null ? alignedOnnxInputs(g) : [g.inputs[0]!, g.constant('value', 'float', [value], [])];
  let mask = g.op(ONNX_TYPE[op], operands, {}, { type: 'bool' });
  if (op === 'ne') mask = g.op('Not', [mask], {}, { type: 'bool' });
  return g.op('Cast', [mask], { to: 1 /* FLOAT */ });
};

/** ArchcCompare: a number keeps the input's layout; two tensors share one layout first. */
const compareTfjs: TfjsLowering<CompareAttrs> = (a, kit) => {
  const layer = kit.custom.compare({ name: kit.name(), op: a.op, ...(a.value === null ? {} : { value: a.value }) });
  if (a.value !== null) return { output: kit.apply(layer, kit.input(0, 'as-is')), layout: kit.layoutOf(0, 'as-is'), flatFrom: kit.flatSource(0) };
  const { inputs, layout } = kit.common({ flat: true });
  return { output: kit.apply(layer, inputs), layout };
};
