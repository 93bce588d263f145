// upsample: resize the spatial axes by a scale (out = floor(I·scale), PyTorch's rule) or to a size,
// by nearest neighbour or (bi/tri)linear interpolation (linear along every spatial axis). Attrs keep
// both the output size and the scale used for coordinates (ONNX Resize takes either).
import { defineOp, type ListArg, type OpContext } from './op.js';
import { isSym, scale, type Size } from '../symbolic/expr.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { axisName, perAxis, spatialRank } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyBool, pyFloat, pyInts } from '../lower-pytorch/lowering.js';

export interface UpsampleAttrs {
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean;
  /** Output size per spatial axis. */
  readonly size: readonly number[];
  /** Scale per axis for coordinate mapping: as written, or output/input when `size` was given. */
  readonly scales: readonly number[];
  /** Whether the user gave `size` (then an exporter should pass sizes, not scales). */
  readonly fromSize: boolean;
}

export const upsample = defineOp({
  kind: 'upsample',
  summary: 'resize the spatial axes (nearest or linear interpolation)',
  arity: { min: 1, max: 1 },
  params: {
    scale: { type: 'floats', default: 2, doc: 'factor, one value or one per spatial axis' },
    mode: { type: 'string', default: 'nearest', oneOf: ['nearest', 'bilinear'] },
    align_corners: { type: 'bool', default: false, doc: 'bilinear only: map corner pixel centres onto each other' },
    size: { type: 'ints', default: null, doc: 'output size instead of a scale' },
  },
  infer([x], args, ctx) {
    const rank = spatialRank('upsample', x!, ctx);
    if (rank === undefined) return undefined;
    const mode = args.mode;
    const alignCorners = args.align_corners;
    if (alignCorners && mode === 'nearest') {
      return ctx.error('E0210', 'align_corners applies to mode="bilinear" only', {
        arg: 'align_corners',
        hint: 'drop align_corners, or use mode="bilinear"',
      });
    }
    const input = x!.slice(1);
    const fromSize = args.size !== null;
    if (fromSize && ctx.given('scale')) {
      return ctx.error('E0210', 'upsample takes a scale or a size, not both', { arg: 'size', hint: 'keep one of them' });
    }
    const resolved = fromSize ? bySize(args.size, input, ctx) : byScale(args.scale, input, ctx);
    if (!resolved) return undefined;
    return { attrs: { mode, alignCorners, ...resolved, fromSize }, shape: [x![0]!, ...resolved.size] };
  },
  // Nearest reads one input row per output row, linear two; output rows are 1/scale input rows apart.
  field: (a) => {
    const i = a.size.length >= 2 ? a.size.length - 2 : 0;
    return { kernel: a.mode === 'nearest' ? 1 : 2, stride: 1 / a.scales[i]!, dilation: 1 };
  },
  symbolic(a, [x], { node, shapes }) {
    const out: Size[] = [x![0]!];
    for (let i = 0; i < a.size.length; i++) {
      const I = x![i + 1]!;
      // `size=[like.height, like.width]`: the output follows that tensor's axes.
      const refs = a.fromSize ? node.argDims?.['size'] : undefined;
      const from = refs?.length === 1 ? refs[0] : refs?.[i];
      if (from) out.push(shapes[from.node]![from.axis]!);
      else if (a.fromSize || !isSym(I)) out.push(node.shape[i + 1]!);
      else if (Number.isInteger(a.scales[i]!)) out.push(scale(I, a.scales[i]!));
      else return undefined;
    }
    return out;
  },
  tfjs: (a, kit) => upsampleTfjs(a, kit),
  onnx: (g) => upsampleOnnx(g),
  pytorch: { module: (a) => `nn.Upsample(${interpolateOptions(a)})`, forward: (g) => `F.interpolate(${g.inputs[0]}, ${interpolateOptions(g.attrs)})` },
});

/**
 * F.interpolate with archc's coordinates, which are PyTorch's: nearest takes floor(dst / scale);
 * linear maps pixel centres (or corners with align_corners). A written scale is passed as the
 * scale (PyTorch then maps coordinates with it, as archc does), a written size as the size.
 */
function interpolateOptions(a: UpsampleAttrs): string {
  const rank = a.size.length;
  const mode = a.mode === 'nearest' ? 'nearest' : (['linear', 'bilinear', 'trilinear'][rank - 1] ?? 'bilinear');
  const sizing = a.fromSize
    ? `size=${pyInts(a.size)}`
    : `scale_factor=${a.scales.every((s) => s === a.scales[0]) ? pyFloat(a.scales[0]!) : `(${a.scales.map(pyFloat).join(', ')})`}`;
  return a.mode === 'nearest' ? `${sizing}, mode='nearest'` : `${sizing}, mode='${mode}', align_corners=${pyBool(a.alignCorners)}`;
}

function bySize(value: ListArg, input: readonly number[], ctx: OpContext) {
  const size = perAxis(value, input.length, 'size', ctx);
  if (!size) return undefined;
  const bad = size.findIndex((s) => s <= 0);
  if (bad >= 0) return ctx.error('E0305', `upsample size must be positive, got ${JSON.stringify(value)}`, { arg: 'size' });
  return { size, scales: size.map((s, i) => s / input[i]!) };
}

function byScale(value: ListArg, input: readonly number[], ctx: OpContext) {
  const scales = perAxis(value, input.length, 'scale', ctx);
  if (!scales) return undefined;
  const bad = scales.findIndex((s) => !(s > 0));
  if (bad >= 0) return ctx.error('E0305', `upsample scale must be positive, got ${JSON.stringify(value)}`, { arg: 'scale' });
  const size = input.map((I, i) => Math.floor(I * scales[i]!));
  const empty = size.findIndex((s) => s <= 0);
  if (empty >= 0) {
    const name = axisName(input.length, empty);
    return ctx.error('E0301', `upsample output ${name} would be 0`, {
      arg: 'scale',
      notes: [`${name}: floor(I·scale) = floor(${input[empty]}·${scales[empty]}) = 0`],
      hint: `a scale of at least ${1 / input[empty]!} keeps one row`,
    });
  }
  return { size, scales };
}

/**
 * ONNX Resize. Nearest is PyTorch's: source = floor(dst / scale) ("asymmetric", "floor"); bilinear
 * maps pixel centres ("pytorch_half_pixel") or corners ("align_corners"). A written scale is passed
 * as is when float32 arithmetic gives the same size; otherwise the sizes, with the batch and channel
 * sizes read from the input at run time (the batch is dynamic).
 */
const upsampleOnnx: OnnxLowering<UpsampleAttrs> = (g) => {
  const a = g.attrs;
  const x = g.inputs[0]!;
  const input = g.inputShapes[0]!.slice(1);
  const attributes: Record<string, string> =
    a.mode === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: a.alignCorners ? 'align_corners' : 'pytorch_half_pixel' };
  const f32 = Math.fround;
  const scalesFit = !a.fromSize && input.every((I, i) => Math.floor(f32(I * f32(a.scales[i]!))) === a.size[i]);
  if (scalesFit) return g.op('Resize', [x, '', g.constant('scales', 'float', [1, 1, ...a.scales])], attributes);
  const rank = input.length + 2;
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  const dims = g.op('Shape', [x], {}, { fixedShape: [rank], type: 'int64', as: 'input_shape' });
  const head = g.op('Slice', [dims, at('start', 0), at('end', 2), at('axis', 0)], {}, { fixedShape: [2], type: 'int64', as: 'batch_channels' });
  const sizes = g.op('Concat', [head, g.constant('size', 'int64', a.size)], { axis: 0 }, { fixedShape: [rank], type: 'int64', as: 'sizes' });
  return g.op('Resize', [x, '', '', sizes], attributes);
};

/** ArchcResize, with PyTorch's coordinate rules for both modes and any scale. */
const upsampleTfjs: TfjsLowering<UpsampleAttrs> = (a, kit) => {
  // A written scale stays a scale (the output size follows the input's, as in a size-generic model).
  const size = a.fromSize ? [...a.size] : [];
  const layer = kit.custom.resize({ name: kit.name(), mode: a.mode, alignCorners: a.alignCorners, size, scales: [...a.scales] });
  return { output: kit.apply(layer, kit.input(0, 'cl')), layout: 'cl' };
};
