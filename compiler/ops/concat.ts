// concat: joins tensors along one axis (default 0, the channels). Every other axis must match; the
// compiler adds the input sizes that would work when the model's input size is the cause.
import { defineOp } from './op.js';
import { add, sameSize } from '../symbolic/expr.js';
import { AXIS_NAMES } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface ConcatAttrs {
  readonly axis: number;
}

export const concat = defineOp({
  kind: 'concat',
  summary: 'join tensors along an axis (channels by default)',
  arity: { min: 1, max: Infinity },
  params: { axis: { type: 'int', default: 0, doc: 'per-sample axis; 0 is the channel axis, negative counts from the end' } },
  infer(inputs, args, ctx) {
    const first = inputs[0]!;
    const rank = first.length;
    const written = args.axis;
    const axis = written < 0 ? written + rank : written;
    if (axis < 0 || axis >= rank) return ctx.error('E0305', `concat axis ${written} is out of range for rank ${rank}`, { arg: 'axis' });
    for (let i = 1; i < inputs.length; i++) {
      const other = inputs[i]!;
      const bad = other.length !== rank ? -1 : other.findIndex((d, k) => k !== axis && d !== first[k]);
      if (other.length === rank && bad < 0) continue;
      if (other.length !== rank) {
        return ctx.error('E0401', `concat needs inputs of one rank: input 0 is [${first.join(', ')}], input ${i} is [${other.join(', ')}]`, {
          input: i,
          hint: 'reshape, flatten or pool one side so both have the same number of axes',
        });
      }
      const axisName = describeAxis(rank, bad);
      const what = `${first[bad]} vs ${other[bad]}`;
      return ctx.error('E0401', `concat needs equal ${axisName} outside the concat axis: ${what}`, {
        trace: true,
        hint: bad > 0 ? 'crop or pad one side to the other, or change the input size (see below)' : undefined,
      });
    }
    const shape = [...first];
    shape[axis] = inputs.reduce((sum, s) => sum + s[axis]!, 0);
    return { attrs: { axis }, shape };
  },
  // The concatenated axis is the sum of the inputs'; every other axis must meet.
  symbolic({ axis }, ins, { node, need }) {
    const out = [...ins[0]!];
    out[axis] = ins.map((s) => s[axis]!).reduce(add, 0);
    for (let k = 1; k < ins.length; k++) {
      ins[0]!.forEach((d, j) => {
        if (j !== axis && !sameSize(d, ins[k]![j]!)) need({ kind: 'eq', left: d, right: ins[k]![j]!, span: node.span, why: `the inputs of ${node.name} must meet` });
      });
    }
    return out;
  },
  tfjs: (a, kit) => concatTfjs(a, kit),
  onnx: (g) => g.op('Concat', g.inputs, { axis: g.attrs.axis + 1 }),
  pytorch: { forward: (g) => `torch.cat([${g.inputs.join(', ')}], ${g.attrs.axis + 1})` },
});

function describeAxis(rank: number, axis: number): string {
  if (axis === 0) return 'channels';
  return `${AXIS_NAMES[rank - 1]?.[axis - 1] ?? `axis ${axis}`}s`;
}

/** tfjs Concatenate on the mapped axis (a single input passes through a linear activation). */
const concatTfjs: TfjsLowering<ConcatAttrs> = (a, kit) => {
  const { inputs, layout } = kit.common();
  const name = kit.name();
  if (inputs.length === 1) return { output: kit.apply(kit.layers.activation({ name, activation: 'linear' }), inputs[0]!), layout };
  const axis = kit.axis(a.axis, kit.node.shape.length, layout);
  return { output: kit.apply(kit.layers.concatenate({ name, axis }), inputs), layout };
};
