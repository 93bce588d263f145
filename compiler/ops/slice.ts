// slice: rows start, start+step, ... before end along one per-sample axis, Python style: negative
// indices count from the end. A negative step walks backwards: `slice(-1, -size - 1, step=-1)`
// reverses an axis (end −size − 1 is "through row 0", Python's x[::-1]). A bound outside the axis
// and an empty result are errors.
import { defineOp } from './op.js';
import { add, ceilDiv, isSym, sub, type Size } from '../symbolic/expr.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { formatShape } from '../ir.js';
import { heightAxis, resolveAxis } from './axes.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface SliceAttrs {
  /** Per-sample axis, non-negative. */
  readonly axis: number;
  /**
   * Resolved bounds: 0 ≤ start < end ≤ size for a positive step; size > start > end ≥ −1 for a
   * negative one (end −1: through row 0).
   */
  readonly start: number;
  readonly end: number;
  /** Never 0. */
  readonly step: number;
}

export const slice = defineOp({
  kind: 'slice',
  summary: 'take a range of rows along an axis',
  arity: { min: 1, max: 1 },
  params: {
    start: { type: 'int', doc: 'first index; negative counts from the end' },
    end: { type: 'int', doc: 'one past the last index; negative counts from the end' },
    axis: { type: 'int', default: 0, doc: 'per-sample axis; 0 is the channel axis' },
    step: { type: 'int', default: 1 },
  },
  infer([x], args, ctx) {
    const axis = resolveAxis('slice', args.axis, x!, ctx);
    if (axis === undefined) return undefined;
    const step = args.step;
    if (step === 0) return ctx.error('E0305', 'slice step cannot be 0', { arg: 'step', hint: 'a positive step walks forward, a negative one backwards' });
    const size = x![axis]!;
    const [written0, written1] = [args.start, args.end];
    // Unlike Python, a bound past the axis is an error here: clamping it silently turned a wrong
    // size into a confusing reshape or merge error several layers later. Walking backwards, the
    // end may be −size − 1: through row 0.
    const backwards = step < 0;
    const range = { start: backwards ? [-size, size - 1] : [-size, size], end: backwards ? [-size - 1, size - 1] : [-size, size] };
    for (const [arg, i] of [['start', written0], ['end', written1]] as const) {
      const [low, high] = range[arg];
      if (i < low! || i > high!) {
        return ctx.error('E0305', `slice ${arg} ${i} is out of range for axis ${axis} of size ${size}${backwards ? ' walking backwards' : ''}`, {
          arg,
          notes: [`axis ${axis} of ${formatShape(x!)}: valid ${backwards ? `${arg} ` : ''}bounds are ${low}..${high} (negative counts from the end)`],
          hint: backwards ? `e.g. slice(-1, ${-size - 1}, step=${step}) walks the whole axis backwards` : `pick 0 ≤ start < end ≤ ${size} (or negative indices from ${-size})`,
        });
      }
    }
    const resolve = (i: number) => (i < 0 ? i + size : i);
    const [start, end] = [resolve(written0), resolve(written1)];
    const length = Math.ceil((end - start) / step);
    if (length <= 0) {
      return ctx.error('E0305', `slice ${written0}:${written1}${backwards ? `:${step}` : ''} of an axis of size ${size} is empty`, {
        arg: backwards ? 'end' : start >= size ? 'start' : 'end',
        notes: [`axis ${axis} of ${formatShape(x!)}: start ${written0} → ${start}, end ${written1} → ${end} (negative counts from the end)`],
        hint: backwards ? `walking backwards needs start > end: e.g. slice(-1, ${-size - 1}, step=${step}) reverses the axis` : `pick 0 ≤ start < end ≤ ${size} (or negative indices from ${-size})`,
      });
    }
    const shape = [...x!];
    shape[axis] = length;
    return { attrs: { axis, start, end, step }, shape };
  },
  // A step along the height axis subsamples it, like a stride.
  field: (a, [x]) => ({ kernel: 1, stride: a.axis === heightAxis(x!) ? Math.abs(a.step) : 1, dilation: 1 }),
  symbolic(a, [x], { node, need }) {
    const I = x![a.axis]!;
    const out = [...x!];
    if (!isSym(I)) {
      out[a.axis] = node.shape[a.axis]!;
      return out;
    }
    const [start, end, step] = [node.args['start'] as number, node.args['end'] as number, a.step];
    if (step < 0) return undefined; // walking backwards: not followed symbolically yet
    const at = (i: number): Size => (i < 0 ? add(I, i) : i);
    const why = `slice ${start}:${end} of ${node.name} must be inside the axis`;
    if (end >= 0) need({ kind: 'ge', expr: I, min: end, span: node.span, why });
    if (start < 0) need({ kind: 'ge', expr: I, min: -start, span: node.span, why });
    out[a.axis] = ceilDiv(sub(at(end), at(start)), step);
    return out;
  },
  tfjs: (a, kit) => sliceTfjs(a, kit),
  onnx: (g) => sliceOnnx(g),
  pytorch: {
    forward: (g) => {
      const { axis, start, end, step } = g.attrs;
      return `${g.inputs[0]}[:, ${':, '.repeat(axis)}${start}:${end}${step > 1 ? `:${step}` : ''}]`;
    },
  },
});

/** ONNX reads a negative end from the end of the axis: "through row 0" is written −size − 1. */
const sliceOnnx: OnnxLowering<SliceAttrs> = (g) => {
  const { axis, start, end, step } = g.attrs;
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  const onnxEnd = end === -1 ? -g.inputShapes[0]![axis]! - 1 : end;
  return g.op('Slice', [g.inputs[0]!, at('starts', start), at('ends', onnxEnd), at('axes', axis + 1), at('steps', step)]);
};

/**
 * ArchcSlice on the mapped axis. Walking backwards takes the same rows forwards (from the last one
 * the walk reaches up to `start`), then reverses them.
 */
const sliceTfjs: TfjsLowering<SliceAttrs> = (a, kit) => {
  const layout = kit.layoutOf(0, 'any');
  const axis = kit.axis(a.axis, kit.inputShapes[0]!.length, layout);
  const stride = Math.abs(a.step);
  const length = Math.ceil((a.end - a.start) / a.step);
  const rows = a.step > 0 ? { start: a.start, end: a.end } : { start: a.start - (length - 1) * stride, end: a.start + 1 };
  const layer = kit.custom.slice({ name: kit.name(), axis, ...rows, step: stride, reverse: a.step < 0 });
  return { output: kit.apply(layer, kit.input(0, 'any')), layout };
};
