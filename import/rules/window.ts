// Convolutions, pooling and normalization: Conv (with a zero Pad before it folded into pad=),
// ConvTranspose, MaxPool, AveragePool, the global pools, BatchNormalization, LayerNormalization,
// LRN and Pad. archc's own lowerings write these ops with explicit begin/end pads, strides and
// dilations (compiler/ops/conv.ts, pool.ts); this reads every form the ONNX spec allows.
import { formatFloat } from '../../compiler/lower-onnx/proto.js';
import type { ArgValue } from '../../compiler/ops/op.js';
import { isBatch, type IntOrBatch } from '../layout.js';
import type { ConstTensor } from '../onnx-read.js';
import type { LiftContext, Rule, Value } from '../lift.js';
import { isZero, padArg, perAxis, sameFloat } from './args.js';
import { poolIndices } from './unpool.js';

/** Explicit [begin…, end…] pads of a windowed node, from `pads` or `auto_pad`. */
function explicitPads(ctx: LiftContext, spatial: readonly number[], kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): number[] {
  const rank = kernel.length;
  const mode = ctx.attr<string>('auto_pad', 'NOTSET');
  if (mode === 'NOTSET') return [...ctx.attr<readonly number[]>('pads', new Array(2 * rank).fill(0))];
  if (mode === 'VALID') return new Array(2 * rank).fill(0);
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((size, i) => {
    const out = Math.ceil(size / stride[i]!);
    const total = Math.max(0, (out - 1) * stride[i]! + (kernel[i]! - 1) * dilation[i]! + 1 - size);
    const small = Math.floor(total / 2);
    begin.push(mode === 'SAME_LOWER' ? total - small : small);
    end.push(mode === 'SAME_LOWER' ? small : total - small);
  });
  return [...begin, ...end];
}

/** archc's pad argument (any form) → explicit [begin…, end…] for `rank` axes. */
export function padsOf(arg: ArgValue | undefined, rank: number): number[] {
  if (arg === undefined || arg === null) return new Array(2 * rank).fill(0);
  if (typeof arg === 'number') return new Array(2 * rank).fill(arg);
  const list = arg as readonly number[];
  if (list.length === rank) return [...list, ...list];
  return [...list.filter((_, i) => i % 2 === 0), ...list.filter((_, i) => i % 2 === 1)];
}

/** A zero-padding `pad` call the window op can absorb: its input and its pads. */
function absorbablePad(ctx: LiftContext, x: number, rank: number): { x: number; pads: number[] } | undefined {
  const p = ctx.lifted(x);
  if (p.op !== 'pad' || (p.args['mode'] ?? 'zero') !== 'zero' || (p.args['value'] ?? 0) !== 0) return undefined;
  return { x: p.inputs[0]!, pads: padsOf(p.args['pads'], rank) };
}

/**
 * A bias input, unless it is zeros the importer computed rather than a stored tensor: the dynamo
 * exporter gives a bias-free convolution Expand(CastLike(0, x), [C]), which is no parameter.
 */
function biasOf(ctx: LiftContext, i: number): ConstTensor | undefined {
  const bias = ctx.value(i) ? ctx.constant(i) : undefined;
  return bias && bias.folded && bias.data.every((v) => v === 0) ? undefined : bias;
}

const conv: Rule = (ctx) => {
  let x = ctx.tensor(0);
  const w = ctx.constant(1);
  const bias = biasOf(ctx, 2);
  const kernel = w.shape.slice(2);
  const rank = kernel.length;
  const ones = kernel.map(() => 1);
  const stride = ctx.attr<readonly number[]>('strides', ones);
  const dilation = ctx.attr<readonly number[]>('dilations', ones);
  let pads = explicitPads(ctx, ctx.lifted(x).shape.slice(1), kernel, stride, dilation);
  const padded = absorbablePad(ctx, x, rank);
  if (padded) {
    x = padded.x;
    pads = pads.map((p, i) => p + padded.pads[i]!);
  }
  const args: Record<string, ArgValue> = { filters: w.shape[0]!, kernel: perAxis(kernel) };
  if (stride.some((s) => s !== 1)) args['stride'] = perAxis(stride);
  if (!isZero(pads)) args['pad'] = padArg(pads, rank);
  if (dilation.some((d) => d !== 1)) args['dilation'] = perAxis(dilation);
  const groups = ctx.attr<number>('group', 1);
  if (groups !== 1) args['groups'] = groups;
  if (!bias) args['bias'] = false;
  return ctx.call('conv', [x], args, { weight: w, ...(bias ? { bias } : {}) });
};

const convTranspose: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const w = ctx.constant(1);
  const bias = biasOf(ctx, 2);
  const kernel = w.shape.slice(2);
  const rank = kernel.length;
  const ones = kernel.map(() => 1);
  const groups = ctx.attr<number>('group', 1);
  if (groups !== 1) ctx.fail('grouped transposed convolution is not an archc op');
  if (ctx.attr('output_shape') || ctx.attr<readonly number[]>('output_padding', ones.map(() => 0)).some((p) => p !== 0)) {
    ctx.fail('output_shape and output_padding have no archc form');
  }
  if (ctx.attr<readonly number[]>('dilations', ones).some((d) => d !== 1)) ctx.fail('dilated transposed convolution is not an archc op');
  if (ctx.attr<string>('auto_pad', 'NOTSET') !== 'NOTSET') ctx.fail('auto_pad on ConvTranspose has no archc form');
  const stride = ctx.attr<readonly number[]>('strides', ones);
  const pads = ctx.attr<readonly number[]>('pads', new Array(2 * rank).fill(0));
  const args: Record<string, ArgValue> = { filters: w.shape[1]!, kernel: perAxis(kernel) };
  if (stride.some((s) => s !== 1)) args['stride'] = perAxis(stride);
  if (!isZero(pads)) args['pad'] = padArg(pads, rank);
  if (!bias) args['bias'] = false;
  return ctx.call('conv_transpose', [x], args, { weight: w, ...(bias ? { bias } : {}) });
};

const pool =
  (op: 'maxpool' | 'avgpool'): Rule =>
  (ctx) => {
    const x = ctx.tensor(0);
    // The indices output: read back only by a MaxUnpool (unpool.ts).
    const indices = op === 'maxpool' && ctx.node.outputs[1] ? poolIndices(ctx, x) : undefined;
    const kernel = ctx.attr<readonly number[]>('kernel_shape') ?? ctx.fail('kernel_shape is missing');
    const ones = kernel.map(() => 1);
    const stride = ctx.attr<readonly number[]>('strides', ones);
    const dilation = ctx.attr<readonly number[]>('dilations', ones);
    if (dilation.some((d) => d !== 1)) ctx.fail('dilated pooling is not an archc op');
    const pads = explicitPads(ctx, ctx.lifted(x).shape.slice(1), kernel, stride, dilation);
    const args: Record<string, ArgValue> = { kernel: perAxis(kernel) };
    if (stride.some((s, i) => s !== kernel[i])) args['stride'] = perAxis(stride);
    if (!isZero(pads)) args['pad'] = padArg(pads, kernel.length);
    if (ctx.attr<number>('ceil_mode', 0) === 1) args['ceil'] = true;
    if (op === 'avgpool' && !isZero(pads) && ctx.attr<number>('count_include_pad', 0) === 0) args['count_pad'] = false;
    const pooled = ctx.call(op, [x], args);
    return indices ? [pooled, indices] : pooled;
  };

const batchNorm: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const [weight, bias, running_mean, running_var] = [1, 2, 3, 4].map((i) => ctx.constant(i));
  if (ctx.attr<number>('training_mode', 0) === 1) ctx.fail('batch norm in training mode has no inference form');
  const args: Record<string, ArgValue> = {};
  const epsilon = ctx.attr<number>('epsilon', 1e-5);
  if (!sameFloat(epsilon, 1e-5)) args['epsilon'] = Math.fround(epsilon);
  // ONNX keeps the old statistics' weight (PyTorch's 0.01 arrives as 0.99 in float32); the momentum
  // is the rest, taken from the weight's shortest decimal so that it reads 0.01, not 0.00999999.
  // It does not change the function at inference.
  const momentum = decimalComplement(ctx.attr<number>('momentum', 0.9));
  if (!sameFloat(momentum, 0.1)) args['momentum'] = momentum;
  return ctx.call('bn', [x], args, { weight: weight!, bias: bias!, running_mean: running_mean!, running_var: running_var! });
};

/** 1 − x for a float32 x, to as many decimals as x's shortest decimal form has (0.99 → 0.01). */
function decimalComplement(x: number): number {
  const text = formatFloat(x);
  const decimals = /^-?\d*\.(\d+)$/.exec(text)?.[1]?.length;
  return decimals === undefined ? Number((1 - x).toPrecision(6)) : Number((1 - Number(text)).toFixed(decimals));
}

const layerNorm: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const rank = ctx.lifted(x).shape.length + 1;
  const axis = ctx.attr<number>('axis', -1);
  if (axis !== -1 && axis !== rank - 1) ctx.fail('archc normalizes over the last axis only');
  const weight = ctx.constant(1);
  const bias = ctx.value(2) ? ctx.constant(2) : ctx.fail('layer norm without a bias is not an archc op');
  const args: Record<string, ArgValue> = {};
  const epsilon = ctx.attr<number>('epsilon', 1e-5);
  if (!sameFloat(epsilon, 1e-5)) args['epsilon'] = Math.fround(epsilon);
  return ctx.call('layer_norm', [x], args, { weight, bias });
};

const padOp: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const rank = ctx.lifted(x).shape.length + 1;
  const pads = ctx.opset >= 11 ? ctx.ints(1) : ctx.attr<readonly number[]>('pads', []);
  const given = pads.map((p) => (isBatch(p) ? ctx.fail('pads depend on the batch') : p));
  const numeric = ctx.value(3) ? padsOnAxes(ctx, given, ctx.ints(3), rank) : given;
  if (numeric.length !== 2 * rank || numeric[0] !== 0 || numeric[1] !== 0 || numeric[rank] !== 0 || numeric[rank + 1] !== 0) {
    ctx.fail('archc pads the spatial axes only');
  }
  const spatial = [...numeric.slice(2, rank), ...numeric.slice(rank + 2)];
  const mode = ctx.attr<string>('mode', 'constant');
  const modes: Record<string, string> = { constant: 'zero', reflect: 'reflect', edge: 'edge' };
  if (!modes[mode]) ctx.fail(`pad mode '${mode}' is not an archc pad mode`);
  const value = ctx.value(2) && ctx.opset >= 11 ? (ctx.constant(2).data[0] ?? 0) : ctx.attr<number>('value', 0);
  const args: Record<string, ArgValue> = { pads: padArg(spatial, rank - 2) };
  if (modes[mode] !== 'zero') args['mode'] = modes[mode]!;
  if (value !== 0) args['value'] = value;
  return ctx.call('pad', [x], args);
};

/** Opset 18's Pad with `axes`: the begin and end pads of those axes only, spelled out for every axis. */
function padsOnAxes(ctx: LiftContext, pads: readonly number[], axes: readonly IntOrBatch[], rank: number): number[] {
  const full = new Array<number>(2 * rank).fill(0);
  if (pads.length !== 2 * axes.length) ctx.fail(`Pad has ${pads.length} pads for ${axes.length} axes`);
  axes.forEach((a, i) => {
    const axis = isBatch(a) ? ctx.fail('axes that depend on the batch') : a < 0 ? a + rank : a;
    full[axis] = pads[i]!;
    full[axis + rank] = pads[i + axes.length]!;
  });
  return full;
}

const lrn: Rule = (ctx) => {
  const args: Record<string, ArgValue> = { size: ctx.attr<number>('size') ?? ctx.fail('size is missing') };
  const alpha = ctx.attr<number>('alpha', 1e-4);
  const beta = ctx.attr<number>('beta', 0.75);
  const bias = ctx.attr<number>('bias', 1);
  if (!sameFloat(alpha, 1e-4)) args['alpha'] = Math.fround(alpha);
  if (!sameFloat(beta, 0.75)) args['beta'] = Math.fround(beta);
  if (!sameFloat(bias, 1)) args['k'] = Math.fround(bias);
  return ctx.call('lrn', [ctx.tensor(0)], args);
};

const globalPool =
  (op: string): Rule =>
  (ctx): Value =>
    ctx.call(op, [ctx.tensor(0)]);

export const windowRules: Record<string, Rule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('maxpool'),
  AveragePool: pool('avgpool'),
  GlobalAveragePool: globalPool('global_avgpool'),
  GlobalMaxPool: globalPool('global_maxpool'),
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Pad: padOp,
  LRN: lrn,
};
