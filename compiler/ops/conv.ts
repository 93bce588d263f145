// conv: 1-D, 2-D and 3-D convolution (cross-correlation) with stride, padding, dilation, groups, bias.
// The rank follows the input: [C, L], [C, H, W] or [C, D, H, W]. Weights are OIHW, as in ONNX.
import { defineOp, type ListArg, type OpContext } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { perAxis, product, resolvePads, spatialRank, symbolicWindowOutput, windowOutput, type Pads, type Window } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { args, kwargs, pyBool, pyInts, pyList, torchPads, type PytorchContext } from '../lower-pytorch/lowering.js';

export interface ConvAttrs {
  readonly filters: number;
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly pads: Pads;
  readonly groups: number;
  readonly bias: boolean;
}

export const conv = defineOp({
  kind: 'conv',
  summary: 'convolution over 1, 2 or 3 spatial axes',
  arity: { min: 1, max: 1 },
  params: {
    filters: { type: 'int', doc: 'output channels' },
    kernel: { type: 'ints', doc: 'window size, one value or one per axis' },
    stride: { type: 'ints', default: 1 },
    pad: { type: 'pad', default: 0, doc: 'int, per axis, begin/end pairs, "same", "valid" or "full"' },
    dilation: { type: 'ints', default: 1 },
    groups: { type: 'int', default: 1 },
    bias: { type: 'bool', default: true },
  },
  infer([x], args, ctx) {
    const rank = spatialRank('conv', x!, ctx);
    if (rank === undefined) return undefined;
    const channels = x![0]!;
    const filters = args.filters;
    const groups = args.groups;
    if (!checkGroups('conv', channels, filters, groups, ctx)) return undefined;
    const window = windowArgs(args, rank, ctx);
    if (!window) return undefined;
    const { kernel, stride, dilation } = window;
    const spatial = x!.slice(1);
    const pads = resolvePads(args.pad, spatial, window, ctx);
    if (!pads) return undefined;
    warnAsymmetricSame(pads, stride, ctx);
    const out = windowOutput('conv', spatial, window, pads, ctx);
    if (!out) return undefined;
    const attrs: ConvAttrs = { filters, kernel, stride, dilation, pads, groups, bias: args.bias };
    return { attrs, shape: [filters, ...out] };
  },
  weights: (a, [x]) => [
    { name: 'weight', shape: [a.filters, x![0]! / a.groups, ...a.kernel], role: 'learnable', init: 'he' },
    ...(a.bias ? [{ name: 'bias', shape: [a.filters], role: 'learnable', init: 'zeros' } as const] : []),
  ],
  macs: (a, [x], out) => product(a.kernel) * (x![0]! / a.groups) * product(out),
  field: (a) => ({ kernel: a.kernel.at(-2) ?? a.kernel[0]!, stride: a.stride.at(-2) ?? a.stride[0]!, dilation: a.dilation.at(-2) ?? a.dilation[0]! }),
  symbolic: (a, ins, step) => symbolicWindowOutput(a, ins, step),
  macsGrowWith: 'output',
  tfjs: (a, kit) => convTfjs(a, kit),
  onnx: (g) => convOnnx(g),
  pytorch: { module: (a, [x]) => convModule(a, x![0]!, false), forward: (g) => convForward(g) },
});

/** nn.Conv1d/2d/3d; asymmetric pads ("same" with a stride) are applied by F.pad in forward. */
export function convModule(a: ConvAttrs, channels: number, alwaysGroups: boolean): string {
  const symmetric = a.pads.begin.every((b, i) => b === a.pads.end[i]);
  const options = kwargs([
    ['stride', pyInts(a.stride)],
    ['padding', symmetric ? pyInts(a.pads.begin) : '0'],
    ['dilation', pyInts(a.dilation), '1'],
    ['groups', String(a.groups), alwaysGroups ? undefined : '1'],
    ['bias', pyBool(a.bias), 'True'],
  ]);
  return `nn.Conv${a.kernel.length}d(${args(String(channels), String(a.filters), pyInts(a.kernel), options)})`;
}

/** The module applied to the (explicitly padded, when asymmetric) input; F.convNd without one. */
export function convForward(g: PytorchContext<ConvAttrs>): string {
  const a = g.attrs;
  const symmetric = a.pads.begin.every((b, i) => b === a.pads.end[i]);
  const x = symmetric ? g.inputs[0]! : `F.pad(${g.inputs[0]!}, ${pyList(torchPads(a.pads.begin, a.pads.end))})`;
  if (g.module) return `${g.module}(${x})`;
  const bias = a.bias ? g.weight('bias') : 'None';
  const padding = symmetric ? pyInts(a.pads.begin) : '0';
  return `F.conv${a.kernel.length}d(${x}, ${g.weight('weight')}, ${bias}, ${pyInts(a.stride)}, ${padding}, ${pyInts(a.dilation)}, ${a.groups})`;
}

/** ONNX Conv with explicit begin/end pads (TF-style "same" is asymmetric), groups and dilations. */
export const convOnnx: OnnxLowering<ConvAttrs> = (g) => {
  const a = g.attrs;
  const inputs = [g.inputs[0]!, g.weight('weight'), ...(a.bias ? [g.weight('bias')] : [])];
  const pads = [...a.pads.begin, ...a.pads.end];
  return g.op('Conv', inputs, { kernel_shape: a.kernel, strides: a.stride, dilations: a.dilation, pads, group: a.groups });
};

/** TF-style "same" with stride > 1 and an odd total padding puts the extra row at the end. */
export function warnAsymmetricSame(pads: Pads, stride: readonly number[], ctx: { warn: (c: 'W0102', m: string, o: object) => void }): void {
  if (pads.mode !== 'same') return;
  const uneven = pads.begin.findIndex((b, i) => b !== pads.end[i] && stride[i]! > 1);
  if (uneven < 0) return;
  ctx.warn('W0102', `"same" padding with stride ${stride[uneven]} pads ${pads.begin[uneven]} before and ${pads.end[uneven]} after`, {
    arg: 'pad',
    notes: ['TF, Keras and ONNX SAME_UPPER put the extra padding at the end; PyTorch pads symmetrically'],
    hint: `write explicit pads (e.g. pad=${Math.max(pads.begin[uneven]!, pads.end[uneven]!)}) to get PyTorch's alignment`,
  });
}

/** Filters and groups positive, groups dividing both channel counts (conv, dwconv, conv_transpose). */
export function checkGroups(op: string, channels: number, filters: number, groups: number, ctx: OpContext): boolean {
  if (filters <= 0) return !ctx.error('E0305', `${op} needs at least one filter, got ${filters}`, { arg: 'filters' });
  if (groups <= 0) return !ctx.error('E0305', `groups must be positive, got ${groups}`, { arg: 'groups' });
  if (channels % groups === 0 && filters % groups === 0) return true;
  const which = channels % groups !== 0 ? `the ${channels} input channels are` : `the ${filters} filters are`;
  return !ctx.error('E0304', `${op} groups (${groups}) must divide both the input channels and the filters: ${which} not divisible by ${groups}`, {
    arg: 'groups',
    notes: [`${channels} input channels, ${filters} filters, ${groups} groups`],
    hint: `use a groups value that divides ${channels} and ${filters}, such as ${commonDivisors(channels, filters).slice(-3).join(', ')}`,
  });
}

/** `kernel`, `stride` and `dilation` as positive per-axis lists. */
export function windowArgs(args: { readonly kernel: ListArg; readonly stride: ListArg; readonly dilation: ListArg }, rank: number, ctx: OpContext): Window | undefined {
  const kernel = perAxis(args.kernel, rank, 'kernel', ctx);
  const stride = perAxis(args.stride, rank, 'stride', ctx);
  const dilation = perAxis(args.dilation, rank, 'dilation', ctx);
  if (!kernel || !stride || !dilation) return undefined;
  for (const [name, values] of [['kernel', kernel], ['stride', stride], ['dilation', dilation]] as const) {
    if (values.some((v) => v <= 0)) return ctx.error('E0305', `${name} values must be positive, got ${JSON.stringify(values)}`, { arg: name });
  }
  return { kernel, stride, dilation };
}

function commonDivisors(a: number, b: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= Math.min(a, b); d++) if (a % d === 0 && b % d === 0) out.push(d);
  return out;
}

/**
 * tfjs's Conv1D/2D layers, DepthwiseConv2D when groups = channels (2-D), and ArchcConv for the
 * rest (3-D, other groups, dilation). Weights OIHW → HWIO; depthwise [C·m, 1, k, k] → [k, k, C, m].
 */
export const convTfjs: TfjsLowering<ConvAttrs> = (a, kit) => {
  const rank = a.kernel.length;
  const channels = kit.inputShapes[0]![0]!;
  const hwio = [...a.kernel.map((_, i) => i + 2), 1, 0];
  const bias = a.bias ? [{ ir: 'bias' }] : [];
  const dilated = a.dilation.some((d) => d > 1);
  const depthwise = rank === 2 && a.groups === channels && a.groups > 1 && !dilated;
  // tfjs's Conv3D kernels are plain loops, slow; ArchcConv runs 3-D as 2-D convolutions. And
  // tfjs-layers' conv2d (a fused conv with bias) computes the gradient of its input even when
  // nothing needs it; a model's first convolution would pay a whole backward pass for nothing.
  const custom = dilated || rank === 3 || (a.groups > 1 && !depthwise) || (rank === 2 && !depthwise && kit.weightFree(0));
  const name = kit.name();
  if (custom) {
    const { filters, groups } = a;
    const window = { kernel: [...a.kernel], stride: [...a.stride], dilation: [...a.dilation], begin: [...a.pads.begin], end: [...a.pads.end] };
    const layer = kit.custom.conv({ name, filters, groups, ...window, bias: a.bias });
    return { output: kit.apply(layer, kit.input(0, 'cl'), [{ ir: 'weight', permute: hwio }, ...bias]), layout: 'cl' };
  }
  const { x, padding } = kit.padded(0, a);
  const window = { name, kernelSize: [...a.kernel], strides: [...a.stride], padding, useBias: a.bias };
  if (depthwise) {
    const multiplier = a.filters / channels;
    const layer = kit.layers.depthwiseConv2d({ ...window, kernelSize: [a.kernel[0]!, a.kernel[1]!], depthMultiplier: multiplier });
    const weight = { ir: 'weight', view: [channels, multiplier, ...a.kernel], permute: [2, 3, 0, 1] };
    return { output: kit.apply(layer, x, [weight, ...bias]), layout: 'cl' };
  }
  const layer = (rank === 1 ? kit.layers.conv1d : kit.layers.conv2d)({ ...window, filters: a.filters });
  return { output: kit.apply(layer, x, [{ ir: 'weight', permute: hwio }, ...bias]), layout: 'cl' };
};
