// Constants: tensors whose values the compiler knows, the same for every sample, with no weights:
// `zeros([4, 1, 1])`, `ones(...)`, `full([7, 7], -100)`, `arange(10)` (0, 1, ..., 9 as a [10]
// vector), `constant([1, 2, 3, 4], shape=[2, 2])`. The values are computed at compile time and
// travel inside the model (an ONNX Constant, a tfjs layer's configuration), not as weights.
import { asList, defineOp, type ArgsOf, type OpContext, type OpDef, type ParamSpec, type Params } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat } from '../lower-pytorch/lowering.js';
import { elementCount, formatShape } from '../ir.js';

export interface ConstantAttrs {
  /** The per-sample shape. */
  readonly shape: readonly number[];
  /** Row-major values, one per element. */
  readonly values: readonly number[];
}

/** Larger constants belong in weights (`buffer`), where they do not bloat the graph. */
const MAX_ELEMENTS = 1 << 20;

function checkShape(kind: string, shape: number[], ctx: OpContext): boolean {
  if (shape.length === 0 || shape.some((d) => !(d >= 1))) {
    ctx.error('E0305', `${kind} needs a shape of positive sizes, got ${formatShape(shape)}`, { arg: 'shape' });
    return false;
  }
  if (elementCount(shape) > MAX_ELEMENTS) {
    ctx.error('E0305', `${kind} of ${formatShape(shape)} has ${elementCount(shape).toLocaleString('en-US')} values, more than a constant may hold (${MAX_ELEMENTS.toLocaleString('en-US')})`, {
      arg: 'shape',
      hint: 'make it a buffer(...) and load its values with the weights',
    });
    return false;
  }
  return true;
}

function constantOp<const P extends Params>(
  kind: string,
  summary: string,
  params: P,
  make: (args: ArgsOf<P>, ctx: OpContext) => ConstantAttrs | undefined,
): OpDef<ConstantAttrs, P> {
  return defineOp({
    kind,
    summary,
    arity: { min: 0, max: 0 },
    params,
    infer(_inputs, args, ctx) {
      const attrs = make(args, ctx);
      return attrs && checkShape(kind, [...attrs.shape], ctx) ? { attrs, shape: attrs.shape } : undefined;
    },
    tfjs: (a, kit) => constantTfjs(a, kit),
    onnx: (g) => constantOnnx(g),
    // Batch axis 1, over which it broadcasts (as a param's [None]).
    pytorch: {
      forward: (g) => {
        const { shape, values } = g.attrs;
        const dims = [1, ...shape].join(', ');
        if (values.every((v) => v === values[0])) return `torch.full((${dims}), ${pyFloat(values[0]!)})`;
        return `torch.tensor([${values.map(pyFloat).join(', ')}]).reshape(${dims})`;
      },
    },
  });
}

const filled = (value: number) => (args: { readonly shape: number | readonly number[] }): ConstantAttrs => {
  const shape = asList(args.shape);
  return { shape, values: Array<number>(Math.min(elementCount(shape), MAX_ELEMENTS + 1)).fill(value) };
};

const SHAPE = { type: 'ints', doc: 'per-sample shape' } as const satisfies ParamSpec;

export const zeros = constantOp('zeros', 'a constant tensor of zeros', { shape: SHAPE }, filled(0));
export const ones = constantOp('ones', 'a constant tensor of ones', { shape: SHAPE }, filled(1));
export const full = constantOp('full', 'a constant tensor filled with one value', { shape: SHAPE, value: { type: 'float' } }, (args) =>
  filled(args.value)(args),
);

export const arange = constantOp(
  'arange',
  'the constant vector start, start + step, ... below end (one argument: 0 … n − 1)',
  { start: { type: 'float' }, end: { type: 'float', default: null }, step: { type: 'float', default: 1 } },
  (args, ctx) => {
    const [start, end] = args.end === null ? [0, args.start] : [args.start, args.end];
    const step = args.step;
    if (step === 0) return ctx.error('E0305', 'arange step cannot be 0', { arg: 'step' });
    const length = Math.ceil((end - start) / step);
    if (!(length >= 1)) return ctx.error('E0305', `arange(${start}, ${end}, step=${step}) is empty`, { arg: 'end' });
    if (length > MAX_ELEMENTS) return ctx.error('E0305', `arange has ${length} values, more than a constant may hold`, { arg: 'end' });
    return { shape: [length], values: Array.from({ length }, (_, i) => start + i * step) };
  },
);

export const constant = constantOp(
  'constant',
  'a constant tensor of given values (row-major) and shape',
  { values: { type: 'floats', doc: 'row-major values' }, shape: { type: 'ints', default: null, doc: 'default: a vector' } },
  (args, ctx) => {
    const values = asList(args.values);
    const shape = args.shape === null ? [values.length] : asList(args.shape);
    if (elementCount(shape) !== values.length) {
      return ctx.error('E0305', `constant has ${values.length} values for a shape ${formatShape(shape)} of ${elementCount(shape)}`, { arg: 'shape' });
    }
    return { shape, values };
  },
);

/** A Constant expanded to [N, ...shape], N read from the shape of a model input (as `param`). */
const constantOnnx: OnnxLowering<ConstantAttrs> = (g) => {
  const shape = g.attrs.shape;
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  const values = g.constant('values', 'float', g.attrs.values, shape);
  const dims = g.op('Shape', [g.anchor.tensor], {}, { fixedShape: [g.anchor.rank + 1], type: 'int64', as: 'input_shape' });
  const batch = g.op('Slice', [dims, at('start', 0), at('end', 1)], {}, { fixedShape: [1], type: 'int64', as: 'batch' });
  const target = g.op('Concat', [batch, g.constant('sample_dims', 'int64', shape)], { axis: 0 }, { fixedShape: [shape.length + 1], type: 'int64', as: 'target' });
  return g.op('Expand', [values, target]);
};

/** ArchcConstant repeats its values over the batch of the model's first input, in the IR's order. */
const constantTfjs: TfjsLowering<ConstantAttrs> = (a, kit) => {
  const layer = kit.custom.constant({ name: kit.name(), shape: [...a.shape], values: [...a.values] });
  return { output: kit.apply(layer, kit.anchor()), layout: 'plain' };
};
