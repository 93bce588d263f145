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
  /** The buffer's shape (its row-major values are the indices): [indices] unless stored_shape says. */
  readonly storedShape: readonly number[];
}

export const gather = defineOp({
  kind: 'gather',
  summary: 'rows of an axis at constant indices (index_select)',
  arity: { min: 1, max: 1 },
  params: {
    indices: { type: 'ints', doc: 'row indices; negative counts from the end' },
    axis: { type: 'int', default: 0, doc: 'per-sample axis; 0 is the channel axis' },
    stored: { type: 'bool', default: false, doc: 'keep the indices in a buffer named like the node (Swin: name="relative_position_index")' },
    stored_shape: { type: 'ints', default: null, doc: "the buffer's shape, if not a vector (MaxViT keeps [49, 49])" },
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
    const storedShape = args.stored_shape === null ? [written.length] : asList(args.stored_shape);
    if (storedShape.reduce((a, b) => a * b, 1) !== written.length) {
      return ctx.error('E0305', `gather's stored_shape ${formatShape(storedShape)} does not hold its ${written.length} indices`, { arg: 'stored_shape' });
    }
    return { attrs: { axis, indices: written.map((i) => (i < 0 ? i + size : i)), stored: args.stored, storedShape }, shape };
  },
  weights: (a) => (a.stored ? [{ name: '', shape: a.storedShape, role: 'buffer', init: 'constant', values: a.indices }] : []),
  tfjs: (a, kit) => gatherTfjs(a, kit),
  onnx: (g) => gatherOnnx(g),
  pytorch: {
    forward: (g) => {
      const index = g.attrs.stored ? `${g.weight('')}.reshape(-1).long()` : `torch.tensor([${g.attrs.indices.join(', ')}])`;
      return `torch.index_select(${g.inputs[0]}, ${g.attrs.axis + 1}, ${index})`;
    },
  },
});

const gatherOnnx: OnnxLowering<GatherAttrs> = (g) => {
  const { axis, indices, stored } = g.attrs;
  const flat = (w: string) => (g.attrs.storedShape.length === 1 ? w : g.op('Reshape', [w, g.constant('flat', 'int64', [-1])], {}, { fixedShape: [indices.length], as: 'flat_indices' }));
  const index = stored
    ? g.op('Cast', [flat(g.weight(''))], { to: 7 /* INT64 */ }, { fixedShape: [indices.length], type: 'int64', as: 'indices' })
    : g.constant('indices', 'int64', indices);
  return g.op('Gather', [g.inputs[0]!, index], { axis: axis + 1 });
};

/** ArchcGather on the mapped axis. */
const gatherTfjs: TfjsLowering<GatherAttrs> = (a, kit) => {
  const layout = kit.layoutOf(0, 'any');
  const axis = kit.axis(a.axis, kit.inputShapes[0]!.length, layout);
  const layer = kit.custom.gather({ name: kit.name(), axis, indices: [...a.indices], ...(a.stored ? { stored: [...a.storedShape] } : {}) });
  return { output: kit.apply(layer, kit.input(0, 'any'), a.stored ? [{ ir: '' }] : []), layout };
};
