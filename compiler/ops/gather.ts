// gather: the rows of one per-sample axis at a constant list of indices, in that order (repeats
// allowed; negative indices count from the end): PyTorch index_select with a constant index,
// ONNX Gather. Swin's relative-position bias reads its table this way. With stored=true the indices
// also live in a buffer named like the node (torchvision's `relative_position_index`, so that the
// state_dict has that key), initialised to the given indices, and every lowering gathers by the
// buffer: loading other indices changes what is gathered, as in PyTorch.
import { asList, defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { formatShape } from '../ir.js';
import { resolveAxis } from './axes.js';

export interface GatherAttrs {
  readonly axis: number;
  /** Resolved, non-negative. */
  readonly indices: readonly number[];
  /** The indices are a buffer (the node's bare weight), read at run time. */
  readonly stored: boolean;
}

export const gather = defineOp({
  kind: 'gather',
  summary: 'rows of an axis at constant indices (index_select)',
  arity: { min: 1, max: 1 },
  params: {
    indices: { type: 'ints', doc: 'row indices; negative counts from the end' },
    axis: { type: 'int', default: 0, doc: 'per-sample axis; 0 is the channel axis' },
    stored: { type: 'bool', default: false, doc: 'keep the indices in a buffer named like the node (Swin: name="relative_position_index")' },
  },
  infer([x], args, ctx) {
    const axis = resolveAxis('gather', args.axis, x!, ctx);
    if (axis === undefined) return undefined;
    const written = asList(args.indices);
    const size = x![axis]!;
    const bad = written.find((i) => i < -size || i >= size);
    if (bad !== undefined) {
      return ctx.error('E0305', `gather index ${bad} is out of range for axis ${axis} of ${formatShape(x!)}`, {
        arg: 'indices',
        hint: `indices run from 0 to ${size - 1}, or -${size} to -1`,
      });
    }
    if (written.length === 0) return ctx.error('E0305', 'gather needs at least one index', { arg: 'indices' });
    const shape = [...x!];
    shape[axis] = written.length;
    return { attrs: { axis, indices: written.map((i) => (i < 0 ? i + size : i)), stored: args.stored }, shape };
  },
  weights: (a) => (a.stored ? [{ name: '', shape: [a.indices.length], role: 'buffer', init: 'constant', values: a.indices }] : []),
  tfjs: (a, kit) => gatherTfjs(a, kit),
  onnx: (g) => gatherOnnx(g),
  pytorch: {
    forward: (g) => {
      const index = g.attrs.stored ? `${g.weight('')}.long()` : `torch.tensor([${g.attrs.indices.join(', ')}])`;
      return `torch.index_select(${g.inputs[0]}, ${g.attrs.axis + 1}, ${index})`;
    },
  },
});

const gatherOnnx: OnnxLowering<GatherAttrs> = (g) => {
  const { axis, indices, stored } = g.attrs;
  const index = stored
    ? g.op('Cast', [g.weight('')], { to: 7 /* INT64 */ }, { fixedShape: [indices.length], type: 'int64', as: 'indices' })
    : g.constant('indices', 'int64', indices);
  return g.op('Gather', [g.inputs[0]!, index], { axis: axis + 1 });
};

/** ArchcGather on the mapped axis. */
const gatherTfjs: TfjsLowering<GatherAttrs> = (a, kit) => {
  const layout = kit.layoutOf(0, 'any');
  const axis = kit.axis(a.axis, kit.inputShapes[0]!.length, layout);
  const layer = kit.custom.gather({ name: kit.name(), axis, indices: [...a.indices], ...(a.stored ? { stored: true } : {}) });
  return { output: kit.apply(layer, kit.input(0, 'any'), a.stored ? [{ ir: '' }] : []), layout };
};
