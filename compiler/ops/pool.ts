// maxpool, avgpool: 1-D, 2-D and 3-D sliding-window pooling with padding and ceil mode. The stride
// defaults to the window size. avgpool divides by the window size including padding (PyTorch's
// count_include_pad=True) unless count_pad=false; with pad="same" it leaves the padding out, as TF,
// Keras and ONNX SAME_UPPER do, unless count_pad is given.
import { defineOp, type OpDef } from './op.js';
import type { OnnxLoweringContext } from '../lower-onnx/lowering.js';
import { perAxis, resolvePads, spatialRank, symbolicWindowOutput, windowOutput, axisName, type Pads } from './spatial.js';
import { warnAsymmetricSame } from './conv.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { args, kwargs, pyBool, pyInts, pyList, torchPads, type PytorchContext } from '../lower-pytorch/lowering.js';

export interface PoolAttrs {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly pads: Pads;
  readonly ceil: boolean;
  readonly countPad: boolean;
}

function pool(kind: 'maxpool' | 'avgpool'): OpDef<PoolAttrs> {
  return defineOp({
    kind,
    summary: kind === 'maxpool' ? 'maximum over each window' : 'mean over each window',
    arity: { min: 1, max: 1 },
    params: {
      kernel: { type: 'ints' },
      stride: { type: 'ints', default: null, doc: 'defaults to the kernel' },
      pad: { type: 'pad', default: 0 },
      ceil: { type: 'bool', default: false, doc: 'ceil mode: keep a last partial window' },
      count_pad: { type: 'bool', default: true, doc: 'avgpool: count padded zeros in the divisor (not with "same" unless given)' },
    },
    infer([x], args, ctx) {
      const rank = spatialRank(kind, x!, ctx);
      if (rank === undefined) return undefined;
      const kernel = perAxis(args.kernel, rank, 'kernel', ctx);
      const stride = args.stride === null ? kernel : perAxis(args.stride, rank, 'stride', ctx);
      if (!kernel || !stride) return undefined;
      if ([...kernel, ...stride].some((v) => v <= 0)) {
        return ctx.error('E0305', `${kind} kernel and stride must be positive`, { arg: 'kernel' });
      }
      const dilation = kernel.map(() => 1);
      const spatial = x!.slice(1);
      const window = { kernel, stride, dilation };
      const pads = resolvePads(args.pad, spatial, window, ctx);
      if (!pads) return undefined;
      const tooWide = pads.begin.findIndex((p, i) => p > kernel[i]! / 2 || pads.end[i]! > kernel[i]! / 2);
      if (pads.mode === 'explicit' && tooWide >= 0) {
        return ctx.error('E0305', `${kind} padding must be at most half the window (${kernel[tooWide]}), got ${Math.max(pads.begin[tooWide]!, pads.end[tooWide]!)}`, { arg: 'pad' });
      }
      warnAsymmetricSame(pads, stride, ctx);
      const larger = kernel.findIndex((k, i) => k > spatial[i]! + pads.begin[i]! + pads.end[i]!);
      if (larger >= 0) {
        ctx.warn('W0105', `${kind} window ${kernel[larger]} is larger than its padded input ${axisName(rank, larger)} ${spatial[larger]}`, {
          arg: 'kernel',
          hint: 'use global pooling, or a window no larger than the input',
        });
      }
      const ceil = args.ceil;
      const out = windowOutput(kind, spatial, window, pads, ctx, ceil);
      if (!out) return undefined;
      return { attrs: { kernel, stride, dilation, pads, ceil, countPad: ctx.given('count_pad') ? args.count_pad : pads.mode !== 'same' }, shape: [x![0]!, ...out] };
    },
    field: (a) => ({ kernel: a.kernel.at(-2) ?? a.kernel[0]!, stride: a.stride.at(-2) ?? a.stride[0]!, dilation: 1 }),
    symbolic: (a, ins, step) => symbolicWindowOutput(a, ins, step),
    tfjs: (a, kit) => poolTfjs(kind)(a, kit),
    onnx: (g) => poolOnnx(kind, g),
    pytorch: { module: (a, [x]) => poolModule(kind, a, x!.length - 1), forward: (g) => poolForward(kind, g) },
  });
}

const symmetricPool = (a: PoolAttrs): boolean => a.pads.begin.every((b, i) => b === a.pads.end[i]);

function poolOptions(kind: 'maxpool' | 'avgpool', a: PoolAttrs, padding: string): string {
  return kwargs([
    ['stride', pyInts(a.stride)],
    ['padding', padding, '0'],
    ['ceil_mode', pyBool(a.ceil), 'False'],
    ...(kind === 'avgpool' ? ([['count_include_pad', pyBool(a.countPad), 'True']] as [string, string, string][]) : []),
  ]);
}

/** nn.MaxPoolNd / nn.AvgPoolNd, for nn.Sequential; only symmetric pads have a module form. */
function poolModule(kind: 'maxpool' | 'avgpool', a: PoolAttrs, rank: number): string {
  const name = kind === 'maxpool' ? 'MaxPool' : 'AvgPool';
  const padding = symmetricPool(a) ? pyInts(a.pads.begin) : '0';
  return `nn.${name}${rank}d(${args(pyInts(a.kernel), poolOptions(kind, a, padding))})`;
}

/**
 * F.max_pool / F.avg_pool with PyTorch's ceil and count_include_pad rules, archc's conventions.
 * Asymmetric pads ("same" with a stride) pad explicitly: -inf for max; for an average that leaves
 * the padding out of its divisor, the mean over the zero-padded input divided by the mean of a
 * zero-padded mask of ones.
 */
function poolForward(kind: 'maxpool' | 'avgpool', g: PytorchContext<PoolAttrs>): string {
  const a = g.attrs;
  const rank = a.kernel.length;
  const x = g.inputs[0]!;
  const fn = `F.${kind === 'maxpool' ? 'max' : 'avg'}_pool${rank}d`;
  if (symmetricPool(a)) return `${fn}(${args(x, pyInts(a.kernel), poolOptions(kind, a, pyInts(a.pads.begin)))})`;
  const pads = pyList(torchPads(a.pads.begin, a.pads.end));
  const options = poolOptions(kind, { ...a, countPad: true }, '0');
  if (kind === 'maxpool') return `${fn}(${args(`F.pad(${x}, ${pads}, value=float('-inf'))`, pyInts(a.kernel), options)})`;
  const sum = `${fn}(${args(`F.pad(${x}, ${pads})`, pyInts(a.kernel), options)})`;
  if (a.countPad) return sum;
  const ones = `F.pad(torch.ones_like(${x}[:1, :1]), ${pads})`;
  return `${sum} / ${fn}(${args(ones, pyInts(a.kernel), options)})`;
}

/**
 * ONNX MaxPool / AveragePool. Ceil mode is MaxPool's ceil_mode where that is exact, otherwise extra
 * padding at the end (in floor mode), which max ignores; PyTorch's average divides by the window's part inside input + padding, so windows that
 * overflow the padding pad explicitly with zeros first and exclude only the overflow.
 */
const poolOnnx = (kind: 'maxpool' | 'avgpool', g: OnnxLoweringContext<PoolAttrs>): string => {
  const a = g.attrs;
  const [channels, ...input] = g.inputShapes[0]!;
  const out = g.shape.slice(1);
  const { begin, end } = a.pads;
  const extra = input.map((I, i) => Math.max(0, (out[i]! - 1) * a.stride[i]! + a.kernel[i]! - (I + begin[i]! + end[i]!)));
  const window = { kernel_shape: a.kernel, strides: a.stride };
  const grown = end.map((e, i) => e + extra[i]!);
  if (kind === 'maxpool') {
    // Where PyTorch's ceil mode keeps every window (none can start in the end padding: s + pe ≤ k),
    // ONNX's ceil_mode computes the same at every input size; the grown pads hold for this size only.
    if (a.ceil && a.kernel.every((k, i) => a.stride[i]! + end[i]! <= k)) {
      return g.op('MaxPool', [g.inputs[0]!], { ...window, pads: [...begin, ...end], ceil_mode: 1 });
    }
    return g.op('MaxPool', [g.inputs[0]!], { ...window, pads: [...begin, ...grown] });
  }
  const overflow = extra.some((e) => e > 0);
  if (!overflow || !a.countPad || [...begin, ...end].every((p) => p === 0)) {
    const countPad = a.countPad && !overflow ? 1 : 0;
    return g.op('AveragePool', [g.inputs[0]!], { ...window, pads: [...begin, ...grown], count_include_pad: countPad });
  }
  const sides = g.constant('pads', 'int64', [0, 0, ...begin, 0, 0, ...end]);
  const shape = [channels!, ...input.map((I, i) => I + begin[i]! + end[i]!)];
  const padded = g.op('Pad', [g.inputs[0]!, sides], { mode: 'constant' }, { shape });
  return g.op('AveragePool', [padded], { ...window, pads: [...begin.map(() => 0), ...extra], count_include_pad: 0 });
};

export const maxpool = pool('maxpool');
export const avgpool = pool('avgpool');

/**
 * tfjs's pooling layers where they agree with PyTorch (nothing padded; or "same" pads, which max
 * ignores and which the average leaves out of its divisor), ArchcPool elsewhere (explicit pads,
 * ceil mode, padding counted in the divisor).
 */
const poolTfjs = (kind: 'maxpool' | 'avgpool'): TfjsLowering<PoolAttrs> => (a, kit) => {
  const input = kit.inputShapes[0]!.slice(1);
  const { begin, end } = a.pads;
  const floorOut = input.map((I, i) => Math.floor((I + begin[i]! + end[i]! - a.kernel[i]!) / a.stride[i]!) + 1);
  const unpadded = [...begin, ...end].every((p) => p === 0);
  const same = kit.isSame(0, a) && (kind === 'maxpool' || !a.countPad);
  const name = kit.name();
  const x = kit.input(0, 'cl');
  // tfjs's 3-D pooling kernels are slow, and wasm's MaxPool3D is wrong for all-zero windows.
  if ((unpadded || same) && a.kernel.length < 3 && floorOut.join() === kit.node.shape.slice(1).join()) {
    const args = { name, poolSize: [...a.kernel], strides: [...a.stride], padding: unpadded ? ('valid' as const) : ('same' as const) };
    const max = [kit.layers.maxPooling1d, kit.layers.maxPooling2d] as const;
    const avg = [kit.layers.averagePooling1d, kit.layers.averagePooling2d] as const;
    const make = (kind === 'maxpool' ? max : avg)[a.kernel.length - 1]! as (args: object) => ReturnType<typeof kit.layers.maxPooling2d>;
    return { output: kit.apply(make(args), x), layout: 'cl' };
  }
  const window = { kernel: [...a.kernel], stride: [...a.stride], begin: [...begin], end: [...end] };
  const layer = kit.custom.pool({ name, kind: kind === 'maxpool' ? 'max' : 'avg', ...window, ceil: a.ceil, countPad: a.countPad });
  return { output: kit.apply(layer, x), layout: 'cl' };
};
