// slice: rows start, start+step, ... before end along one per-sample axis, Python style: negative
// indices count from the end. A bound outside -size..size and an empty result are errors.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { formatShape } from '../ir.js';
import { heightAxis, resolveAxis } from './axes.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface SliceAttrs {
  /** Per-sample axis, non-negative. */
  readonly axis: number;
  /** Resolved bounds: 0 ≤ start < end ≤ size. */
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

export const slice = defineOp<SliceAttrs>({
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
    const axis = resolveAxis('slice', args['axis'] as number, x!, ctx);
    if (axis === undefined) return undefined;
    const step = args['step'] as number;
    if (step < 1) return ctx.error('E0305', `slice step must be at least 1, got ${step}`, { arg: 'step' });
    const size = x![axis]!;
    const [written0, written1] = [args['start'] as number, args['end'] as number];
    // Unlike Python, a bound past the axis is an error here: clamping it silently turned a wrong
    // size into a confusing reshape or merge error several layers later.
    for (const [arg, i] of [['start', written0], ['end', written1]] as const) {
      if (i < -size || i > size) {
        return ctx.error('E0305', `slice ${arg} ${i} is out of range for axis ${axis} of size ${size}`, {
          arg,
          notes: [`axis ${axis} of ${formatShape(x!)}: valid bounds are ${-size}..${size} (negative counts from the end)`],
          hint: `pick 0 ≤ start < end ≤ ${size} (or negative indices from ${-size})`,
        });
      }
    }
    const resolve = (i: number) => (i < 0 ? i + size : i);
    const [start, end] = [resolve(written0), resolve(written1)];
    const length = Math.ceil((end - start) / step);
    if (length <= 0) {
      return ctx.error('E0305', `slice ${written0}:${written1} of an axis of size ${size} is empty`, {
        arg: start >= size ? 'start' : 'end',
        notes: [`axis ${axis} of ${formatShape(x!)}: start ${written0} → ${start}, end ${written1} → ${end} (negative counts from the end)`],
        hint: `pick 0 ≤ start < end ≤ ${size} (or negative indices from ${-size})`,
      });
    }
    const shape = [...x!];
    shape[axis] = length;
    return { attrs: { axis, start, end, step }, shape };
  },
  // A step along the height axis subsamples it, like a stride.
  field: (a, [x]) => ({ kernel: 1, stride: a.axis === heightAxis(x!) ? a.step : 1, dilation: 1 }),
  tfjs: (a, kit) => sliceTfjs(a, kit),
  onnx: (g) => sliceOnnx(g),
});

const sliceOnnx: OnnxLowering<SliceAttrs> = (g) => {
  const { axis, start, end, step } = g.attrs;
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  return g.op('Slice', [g.inputs[0]!, at('starts', start), at('ends', end), at('axes', axis + 1), at('steps', step)]);
};

/** ArchcSlice on the mapped axis. */
const sliceTfjs: TfjsLowering<SliceAttrs> = (a, kit) => {
  const layout = kit.layoutOf(0, 'any');
  const axis = kit.axis(a.axis, kit.inputShapes[0]!.length, layout);
  const layer = kit.custom.slice({ name: kit.name(), axis, start: a.start, end: a.end, step: a.step });
  return { output: kit.apply(layer, kit.input(0, 'any')), layout };
};
