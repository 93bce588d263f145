// max_unpool: SegNet's decoder up-sampling (Badrinarayanan et al., TPAMI 2017). `y |> max_unpool(like,
// 2)` makes a map of like's shape that is zero everywhere except where a 2×2 max pool over `like`
// found each window's maximum, which gets y's value for that window: PyTorch's
// max_unpool2d(y, indices, 2, output_size=like.shape[-2:]) with the indices of
// max_pool2d(like, 2, return_indices=True). IR nodes have one output each, so instead of a pool
// with a second (index) output the unpool takes the pre-pool map itself and finds the argmax again:
// the same positions (the first maximum of a window in row-major order wins a tie, as in PyTorch,
// ONNX and tfjs's argMax), so the function is the paper's. ONNX: MaxPool's second output (the
// indices) into MaxUnpool, its output shape read from Shape(like), so no size is baked in.
// Non-overlapping 2-D windows (stride = kernel, no padding: SegNet's 2×2 pools); a size that does
// not divide leaves the last rows and columns zero (PyTorch's floor-mode pool never picks them).
import { defineOp } from './op.js';
import { floorDiv, sameSize } from '../symbolic/expr.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { formatShape } from '../ir.js';
import { perAxis } from './spatial.js';

export interface MaxUnpoolAttrs {
  /** Window per spatial axis; the stride equals it. */
  readonly kernel: readonly number[];
}

export const max_unpool = defineOp({
  kind: 'max_unpool',
  summary: "scatter each value to its window's argmax in the pre-pool map `like` (SegNet's unpooling); zeros elsewhere",
  arity: { min: 2, max: 2 },
  params: {
    kernel: { type: 'ints', doc: 'the max pool window over `like` (2 for SegNet)' },
    stride: { type: 'ints', default: null, doc: 'must equal the kernel (non-overlapping windows)' },
  },
  infer([y, like], args, ctx) {
    if (like!.length !== 3 || y!.length !== 3) {
      return ctx.error('E0303', `max_unpool takes 2-D maps [C, H, W], got ${formatShape(y!)} and ${formatShape(like!)}`, { input: like!.length !== 3 ? 1 : 0 });
    }
    const kernel = perAxis(args.kernel, 2, 'kernel', ctx);
    if (!kernel) return undefined;
    const stride = args.stride === null ? kernel : perAxis(args.stride, 2, 'stride', ctx);
    if (!stride) return undefined;
    if (kernel.some((k) => k < 1)) return ctx.error('E0305', `max_unpool kernel must be positive, got ${kernel.join('×')}`, { arg: 'kernel' });
    if (stride.some((s, i) => s !== kernel[i])) {
      return ctx.error('E0305', `max_unpool supports non-overlapping windows only: stride ${stride.join('×')} differs from kernel ${kernel.join('×')}`, { arg: 'stride' });
    }
    const pooled = [like![0]!, ...kernel.map((k, i) => Math.floor(like![i + 1]! / k))];
    if (pooled.some((d) => d < 1)) {
      return ctx.error('E0301', `max_unpool's ${kernel.join('×')} window is larger than its map ${formatShape(like!)}`, { arg: 'kernel', input: 1 });
    }
    if (pooled.join() !== y!.join()) {
      return ctx.error('E0302', `max_unpool needs the map a ${kernel.join('×')} max pool makes of ${formatShape(like!)}, which is ${formatShape(pooled)}; got ${formatShape(y!)}`, {
        trace: true,
        hint: 'pass the encoder map from just before its max pool as `like`',
      });
    }
    return { attrs: { kernel }, shape: [...like!] };
  },
  // The unpooled map takes the pre-pool map's sizes; y must be that map pooled.
  symbolic({ kernel }, [y, like], { node, need }) {
    kernel.forEach((k, i) => {
      const pooled = floorDiv(like![i + 1]!, k);
      if (!sameSize(y![i + 1]!, pooled)) need({ kind: 'eq', left: y![i + 1]!, right: pooled, span: node.span, why: `${node.name} restores the map its values were pooled from` });
    });
    return [...like!];
  },
  onnx: (g) => maxUnpoolOnnx(g),
  tfjs: (a, kit) => maxUnpoolTfjs(a, kit),
  pytorch: {
    forward: (g) => {
      const [y, like] = g.inputs;
      const k = `(${g.attrs.kernel.join(', ')})`;
      return `F.max_unpool2d(${y}, F.max_pool2d(${like}, ${k}, return_indices=True)[1], ${k}, output_size=${like}.shape[-2:])`;
    },
  },
});

const maxUnpoolOnnx: OnnxLowering<MaxUnpoolAttrs> = (g) => {
  const window = { kernel_shape: g.attrs.kernel, strides: g.attrs.kernel };
  const [y, like] = g.inputs as [string, string];
  const indices = g.op('MaxPool', [like], window, { shape: g.inputShapes[0]!, type: 'int64', as: 'indices', index: 1 });
  const size = g.op('Shape', [like], {}, { fixedShape: [4], type: 'int64', as: 'output_shape' });
  return g.op('MaxUnpool', [y, indices, size], window);
};

/** ArchcMaxUnpool on channels-last maps: [y, like] → like's shape. */
const maxUnpoolTfjs: TfjsLowering<MaxUnpoolAttrs> = (a, kit) => {
  const layer = kit.custom.maxUnpool({ name: kit.name(), kernel: [...a.kernel] });
  return { output: kit.apply(layer, [kit.input(0, 'cl'), kit.input(1, 'cl')]), layout: 'cl' };
};
