// reduce_mean, reduce_max, reduce_sum: reduce chosen per-sample axes (0 = channels, negative counts
// from the end), keeping them as size 1 by default (ONNX ReduceMean/ReduceMax/ReduceSum keepdims=1).
// CBAM's channel-wise pooling and its summed channel descriptors use these.
import { asList, defineOp, type OpDef } from './op.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepdims: boolean;
}

function reduce(kind: 'reduce_mean' | 'reduce_max' | 'reduce_sum', what: string): OpDef<ReduceAttrs> {
  return defineOp({
    kind,
    summary: `${what} over the given axes`,
    arity: { min: 1, max: 1 },
    params: {
      axis: { type: 'ints', doc: 'per-sample axis or axes; 0 is the channels, negative counts from the end' },
      keepdims: { type: 'bool', default: true, doc: 'keep reduced axes as size 1' },
    },
    infer([x], args, ctx) {
      const rank = x!.length;
      const written = asList(args.axis);
      const axes = written.map((a) => (a < 0 ? a + rank : a));
      const bad = axes.findIndex((a) => a < 0 || a >= rank);
      if (bad >= 0) {
        const message = `${kind} axis ${written[bad]} is out of range for a rank-${rank} input [${x!.join(', ')}]`;
        return ctx.error('E0305', message, {
          arg: 'axis',
          hint: `per-sample axes run from 0 (channels) to ${rank - 1}, or -${rank} to -1`,
        });
      }
      if (new Set(axes).size !== axes.length) {
        return ctx.error('E0305', `${kind} lists an axis twice: ${JSON.stringify(written)}`, { arg: 'axis' });
      }
      const keepdims = args.keepdims;
      const shape = keepdims ? x!.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.filter((_, i) => !axes.includes(i));
      if (shape.length === 0) {
        return ctx.error('E0305', `${kind} would reduce every axis away; keep them with keepdims=true`, { arg: 'keepdims' });
      }
      return { attrs: { axes: [...axes].sort((a, b) => a - b), keepdims }, shape };
    },
    tfjs: (a, kit) => reduceTfjs(kind)(a, kit),
    pytorch: {
      forward: (g) => {
        const fn = kind === 'reduce_mean' ? 'torch.mean' : kind === 'reduce_max' ? 'torch.amax' : 'torch.sum';
        const dims = g.attrs.axes.map((a) => a + 1);
        const dim = dims.length === 1 ? `${dims[0]}` : `(${dims.join(', ')})`;
        return `${fn}(${g.inputs[0]}, dim=${dim}, keepdim=${g.attrs.keepdims ? 'True' : 'False'})`;
      },
    },
    onnx: (g) => {
      // ONNX axes count the batch. Opsets 13–17: ReduceSum takes its axes as an input, the others
      // as an attribute (until opset 18).
      const axes = g.attrs.axes.map((a) => a + 1);
      const keepdims = g.attrs.keepdims ? 1 : 0;
      if (kind === 'reduce_sum') {
        return g.op('ReduceSum', [g.inputs[0]!, g.constant('axes', 'int64', axes, [axes.length])], { keepdims });
      }
      return g.op(kind === 'reduce_mean' ? 'ReduceMean' : 'ReduceMax', [g.inputs[0]!], { axes, keepdims });
    },
  });
}

export const reduce_mean = reduce('reduce_mean', 'mean');
export const reduce_max = reduce('reduce_max', 'maximum');
export const reduce_sum = reduce('reduce_sum', 'sum');

/**
 * ArchcReduce over the mapped axes. Reducing the channels of a channels-last map away leaves the
 * spatial axes in the IR's order.
 */
const reduceTfjs = (kind: 'reduce_mean' | 'reduce_max' | 'reduce_sum'): TfjsLowering<ReduceAttrs> => (a, kit) => {
  const layout = kit.layoutOf(0, 'any');
  const rank = kit.inputShapes[0]!.length;
  const axes = a.axes.map((axis) => kit.axis(axis, rank, layout));
  const reducer = kind === 'reduce_mean' ? 'mean' : kind === 'reduce_max' ? 'max' : 'sum';
  const layer = kit.custom.reduce({ name: kit.name(), kind: reducer, axes, keepdims: a.keepdims });
  const channelsGone = layout === 'cl' && !a.keepdims && a.axes.includes(0);
  return { output: kit.apply(layer, kit.input(0, 'any')), layout: channelsGone ? 'plain' : layout };
};
