// conv_transpose: transposed convolution ("deconvolution", the gradient of conv w.r.t. its input)
// over 1, 2 or 3 spatial axes. Per axis: out = (I−1)·s − pad_begin − pad_end + d·(k−1) + 1 +
// output_padding. Weights [Cin, Cout/groups, k...] as in PyTorch and ONNX ConvTranspose.
import { defineOp, type ListArg, type OpContext, type PadArg } from './op.js';
import { add, isSym, scale, type Size } from '../symbolic/expr.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { axisName, effectiveKernel, perAxis, product, resolvePads, spatialRank, type Pads, type Window } from './spatial.js';
import { checkGroups, windowArgs, type ConvAttrs } from './conv.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { args, kwargs, pyBool, pyInts, type PytorchContext } from '../lower-pytorch/lowering.js';

export interface ConvTransposeAttrs extends ConvAttrs {
  /** Rows added at the end of each axis; "same" may raise it so that out = I·s exactly. */
  readonly outputPadding: readonly number[];
}

export const conv_transpose = defineOp({
  kind: 'conv_transpose',
  summary: 'transposed convolution (learned up-sampling) over 1, 2 or 3 spatial axes',
  arity: { min: 1, max: 1 },
  params: {
    filters: { type: 'int', doc: 'output channels' },
    kernel: { type: 'ints', doc: 'window size, one value or one per axis' },
    stride: { type: 'ints', default: 1, doc: 'the up-sampling factor' },
    pad: { type: 'pad', default: 0, doc: 'rows removed from the output: int, per axis, begin/end pairs, "same" (out = I·s) or "valid"' },
    output_padding: { type: 'ints', default: 0, doc: 'rows added at the end; < max(stride, dilation)' },
    dilation: { type: 'ints', default: 1 },
    groups: { type: 'int', default: 1 },
    bias: { type: 'bool', default: true },
  },
  infer([x], args, ctx) {
    const rank = spatialRank('conv_transpose', x!, ctx);
    if (rank === undefined) return undefined;
    const filters = args.filters;
    const groups = args.groups;
    if (!checkGroups('conv_transpose', x![0]!, filters, groups, ctx)) return undefined;
    const window = windowArgs(args, rank, ctx);
    const written = window && outputPadding(args.output_padding, window, ctx);
    if (!window || !written) return undefined;
    const spatial = x!.slice(1);
    const resolved = transposePads(args.pad, spatial, window, written, ctx);
    if (!resolved) return undefined;
    const out = transposeOutput(spatial, window, resolved.pads, resolved.outputPadding, ctx);
    if (!out) return undefined;
    const { kernel, stride, dilation } = window;
    const attrs = { filters, kernel, stride, dilation, groups, bias: args.bias, ...resolved };
    return { attrs, shape: [filters, ...out] };
  },
  weights: (a, [x]) => [
    { name: 'weight', shape: [x![0]!, a.filters / a.groups, ...a.kernel], role: 'learnable', init: 'he' },
    ...(a.bias ? [{ name: 'bias', shape: [a.filters], role: 'learnable', init: 'zeros' } as const] : []),
  ],
  // Every input position scatters a k-window into Cout/groups channels (fvcore's and ptflops' rule).
  macs: (a, [x]) => product(x!) * (a.filters / a.groups) * product(a.kernel),
  // An output row depends on ceil(k_eff / s) input rows, and output rows are 1/s input rows apart.
  field: (a) => {
    const i = a.kernel.length >= 2 ? a.kernel.length - 2 : 0;
    const s = a.stride[i]!;
    return { kernel: Math.ceil(effectiveKernel(a.kernel[i]!, a.dilation[i]!) / s), stride: 1 / s, dilation: 1 };
  },
  symbolic: (a, [x], { node }) => [node.shape[0]!, ...a.kernel.map((k, i) => {
    const I = x![i + 1]!;
    if (!isSym(I)) return node.shape[i + 1]!;
    if (a.pads.mode === 'same') return scale(I, a.stride[i]!);
    const keff = effectiveKernel(k, a.dilation[i]!);
    return add(scale(add(I, -1), a.stride[i]!), keff - a.pads.begin[i]! - a.pads.end[i]! + a.outputPadding[i]!);
  })],
  macsGrowWith: 'input',
  tfjs: (a, kit) => convTransposeTfjs(a, kit),
  onnx: (g) => convTransposeOnnx(g),
  pytorch: { module: (a, [x]) => convTransposeModule(a, x![0]!), forward: (g) => convTransposeForward(g) },
});

const symmetricPads = (a: ConvTransposeAttrs): boolean => a.pads.begin.every((b, i) => b === a.pads.end[i]);

/** nn.ConvTransposeNd; asymmetric pads become padding=0 and a crop in forward. */
function convTransposeModule(a: ConvTransposeAttrs, channels: number): string {
  const symmetric = symmetricPads(a);
  const options = kwargs([
    ['stride', pyInts(a.stride)],
    ['padding', symmetric ? pyInts(a.pads.begin) : '0', '0'],
    ['output_padding', pyInts(a.outputPadding), '0'],
    ['groups', String(a.groups), '1'],
    ['bias', pyBool(a.bias), 'True'],
    ['dilation', pyInts(a.dilation), '1'],
  ]);
  return `nn.ConvTranspose${a.kernel.length}d(${args(String(channels), String(a.filters), pyInts(a.kernel), options)})`;
}

/** PyTorch pads both ends alike: an asymmetric transposed conv computes the whole output and crops it. */
function convTransposeForward(g: PytorchContext<ConvTransposeAttrs>): string {
  const a = g.attrs;
  const symmetric = symmetricPads(a);
  const x = g.inputs[0]!;
  let y: string;
  if (g.module) y = `${g.module}(${x})`;
  else {
    const bias = a.bias ? g.weight('bias') : 'None';
    const padding = symmetric ? pyInts(a.pads.begin) : '0';
    y = `F.conv_transpose${a.kernel.length}d(${x}, ${g.weight('weight')}, ${bias}, ${pyInts(a.stride)}, ${padding}, ${pyInts(a.outputPadding)}, ${a.groups}, ${pyInts(a.dilation)})`;
  }
  if (symmetric) return y;
  const input = g.inputShapes[0]!.slice(1);
  const crops = input.map((I, i) => {
    const full = (I - 1) * a.stride[i]! + effectiveKernel(a.kernel[i]!, a.dilation[i]!) + a.outputPadding[i]!;
    return `${a.pads.begin[i]}:${full - a.pads.end[i]!}`;
  });
  return `${y}[:, :, ${crops.join(', ')}]`;
}

/** ONNX ConvTranspose: the same output-size rule, pads removing rows, output_padding adding them. */
const convTransposeOnnx: OnnxLowering<ConvTransposeAttrs> = (g) => {
  const a = g.attrs;
  const inputs = [g.inputs[0]!, g.weight('weight'), ...(a.bias ? [g.weight('bias')] : [])];
  const attributes = { kernel_shape: a.kernel, strides: a.stride, dilations: a.dilation, group: a.groups };
  return g.op('ConvTranspose', inputs, { ...attributes, pads: [...a.pads.begin, ...a.pads.end], output_padding: a.outputPadding });
};

/** PyTorch's rule: 0 ≤ output_padding < max(stride, dilation) on every axis. */
function outputPadding(value: ListArg, w: Window, ctx: OpContext): number[] | undefined {
  const op = perAxis(value, w.kernel.length, 'output_padding', ctx);
  if (!op) return undefined;
  const bad = op.findIndex((p, i) => p < 0 || p >= Math.max(w.stride[i]!, w.dilation[i]!));
  if (bad < 0) return op;
  const limit = Math.max(w.stride[bad]!, w.dilation[bad]!);
  return ctx.error('E0305', `output_padding must be in [0, max(stride, dilation)) = [0, ${limit}), got ${op[bad]}`, {
    arg: 'output_padding',
    notes: [`received: output_padding=${JSON.stringify(op)}, stride=${JSON.stringify(w.stride)}, dilation=${JSON.stringify(w.dilation)}`],
    hint: 'output_padding only picks among the output sizes a stride allows; change the stride or the pads for larger changes',
  });
}

/**
 * Pads of a transposed conv remove output rows. "same" gives out = I·s (TF/Keras, ONNX SAME_UPPER:
 * any odd row removed at the end); a kernel smaller than the stride gets output padding instead.
 */
function transposePads(pad: PadArg, input: readonly number[], w: Window, op: number[], ctx: OpContext): { pads: Pads; outputPadding: number[] } | undefined {
  if (pad === 'full') {
    return ctx.error('E0203', 'conv_transpose pad takes integers, per-axis values, begin/end pairs, "same" or "valid", not "full"', {
      arg: 'pad',
      hint: '"full" belongs to conv; pad=0 ("valid") already gives a transposed conv its full output',
    });
  }
  if (pad !== 'same') {
    const pads = resolvePads(pad, input, w, ctx);
    return pads && { pads, outputPadding: op };
  }
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  input.forEach((_, i) => {
    const total = effectiveKernel(w.kernel[i]!, w.dilation[i]!) + op[i]! - w.stride[i]!;
    begin.push(Math.max(0, Math.floor(total / 2)));
    end.push(Math.max(0, total - Math.floor(total / 2)));
    outputPadding.push(op[i]! + Math.max(0, -total));
  });
  return { pads: { begin, end, mode: 'same' }, outputPadding };
}

function transposeOutput(input: readonly number[], w: Window, pads: Pads, op: readonly number[], ctx: OpContext): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const [I, s, k, d] = [input[i]!, w.stride[i]!, w.kernel[i]!, w.dilation[i]!];
    const keff = effectiveKernel(k, d);
    const o = (I - 1) * s - pads.begin[i]! - pads.end[i]! + keff + op[i]!;
    if (o > 0) {
      out.push(o);
      continue;
    }
    const name = axisName(input.length, i);
    return ctx.error('E0301', `conv_transpose output ${name} would be ${o}: the pads remove more rows than the ${name} has`, {
      arg: 'pad',
      notes: [
        `${name}: (I − 1)·stride − pad_begin − pad_end + dilation·(k − 1) + 1 + output_padding`,
        `      = (${I} − 1)·${s} − ${pads.begin[i]} − ${pads.end[i]} + ${d}·(${k} − 1) + 1 + ${op[i]} = ${o}`,
      ],
      hint: `pads may remove at most ${(I - 1) * s + keff + op[i]! - 1} rows in total on this axis`,
    });
  }
  return out;
}

/** ArchcConvTranspose; the weight [in, out/groups, ...k] is permuted like a conv's, to [...k, out/groups, in]. */
const convTransposeTfjs: TfjsLowering<ConvTransposeAttrs> = (a, kit) => {
  const { filters, groups, bias } = a;
  const window = { kernel: [...a.kernel], stride: [...a.stride], dilation: [...a.dilation] };
  const pads = { begin: [...a.pads.begin], end: [...a.pads.end], outputPadding: [...a.outputPadding] };
  const layer = kit.custom.convTranspose({ name: kit.name(), filters, groups, bias, ...window, ...pads });
  const weight = { ir: 'weight', permute: [...a.kernel.map((_, i) => i + 2), 1, 0] };
  return { output: kit.apply(layer, kit.input(0, 'cl'), [weight, ...(bias ? [{ ir: 'bias' }] : [])]), layout: 'cl' };
};
