// Ops that only regroup or reorder a tensor's elements: Reshape, Transpose, Unsqueeze, Squeeze,
// and Gather of one index (a row picked out of an axis). Each may move the batch axis (see
// import/layout.ts): the archc tensor keeps its per-sample axes in memory order and the layout
// records where N sits, so a reshape becomes a per-sample reshape, a transpose a per-sample
// transpose (or nothing, when only N moved), and an unsqueeze or squeeze of a size-1 axis nothing.
// Chains fold: a reshape of a reshape is one reshape, a transpose of a transpose one transpose.
// Reshape → Transpose → Reshape of a channel split is a channel shuffle.
import type { ArgValue } from '../../compiler/ops/op.js';
import { isBatch, onnxDims, plainAxis, reshapeLayout, transposeLayout, dimText, type Axis, type IntOrBatch, type Layout } from '../layout.js';
import type { ConstTensor } from '../onnx-read.js';
import type { LiftContext, Rule, Value } from '../lift.js';

const idOf = (v: Value): number => (v.kind === 'tensor' ? v.id : -1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** A constant or shape vector with new dims (the data is unchanged). */
function reshapedConstant(ctx: LiftContext, v: Value, dims: (current: number[]) => number[]): Value | undefined {
  if (v.kind === 'ints') return { kind: 'ints', v: v.v, scalar: false };
  if (v.kind !== 'const') return undefined;
  return { kind: 'const', t: { ...v.t, shape: dims([...v.t.shape]), name: ctx.node.outputs[0]! } };
}

/**
 * -1 and 0 of an ONNX reshape target resolved against the current dims. The -1 is the batch when
 * no other axis is, except for a constant (which has no batch: `constant`, a flattened buffer).
 */
function resolveTarget(ctx: LiftContext, raw: readonly IntOrBatch[], current: readonly IntOrBatch[], elements: number, constant = false): IntOrBatch[] {
  const zeroCopies = ctx.attr<number>('allowzero', 0) !== 1;
  const target = raw.map((d, i) => (d === 0 && zeroCopies ? (current[i] ?? ctx.fail('a 0 in the target copies an axis that does not exist')) : d));
  const minus = target.findIndex((d) => d === -1);
  if (minus >= 0) {
    const others = target.filter((_, i) => i !== minus);
    const known = others.reduce<number>((p, d) => p * (isBatch(d) ? d.batch : d), 1);
    const size = elements / known;
    if (!Number.isInteger(size)) ctx.fail(`reshape to [${raw.map(dimText).join(', ')}]: the -1 is not a whole number`);
    target[minus] = others.some(isBatch) || constant ? size : { batch: size };
  }
  return target;
}

const reshape: Rule = (ctx) => {
  const source = ctx.value(0) ?? ctx.fail('input 0 is missing');
  const constant = reshapedConstant(ctx, source, (c) => resolveTarget(ctx, ctx.ints(1), c, c.reduce((a, b) => a * b, 1), true).map((d) => (isBatch(d) ? ctx.fail('a constant reshaped by the batch') : d)));
  if (constant) return constant;
  const { id, layout } = ctx.view(0);
  const shape = ctx.lifted(id).shape;
  let target = resolveTarget(ctx, ctx.ints(1), onnxDims(layout, shape), shape.reduce((a, b) => a * b, 1));
  // A file exported with the batch fixed at 1 writes 1 where N belongs.
  if (!target.some(isBatch) && layout[0]![0] === 'B' && target[0] === 1) target = [{ batch: 1 }, ...target.slice(1)];
  const r = reshapeLayout(layout, shape, target);
  if (typeof r === 'string') return ctx.fail(`reshape to [${target.map(dimText).join(', ')}]: ${r}`);
  if (same(r.shape, shape)) return ctx.withLayout(id, r.layout);
  const node = ctx.lifted(id);
  const input = node.op === 'reshape' || node.op === 'flatten' ? node.inputs[0]! : id;
  if (same(ctx.lifted(input).shape, r.shape)) return ctx.withLayout(input, r.layout);
  const shuffle = channelShuffle(ctx, input, r.shape);
  if (shuffle) return ctx.withLayout(idOf(shuffle), r.layout);
  const made = r.shape.length === 1 ? ctx.call('flatten', [input]) : ctx.call('reshape', [input], { shape: r.shape });
  return ctx.withLayout(idOf(made), r.layout);
};

/** [C, H, W] → reshape [g, C/g, H, W] → transpose [1, 0, 2, 3] → reshape [C, H, W]: channel_shuffle(g). */
function channelShuffle(ctx: LiftContext, x: number, out: readonly number[]): Value | undefined {
  const t = ctx.lifted(x);
  if (t.op !== 'transpose') return undefined;
  const r = ctx.lifted(t.inputs[0]!);
  if (r.op !== 'reshape') return undefined;
  const source = ctx.lifted(r.inputs[0]!);
  const perm = t.args['perm'] as number[];
  const split = r.shape;
  if (source.shape.join() !== out.join() || split.length !== out.length + 1 || perm.join() !== [1, 0, ...out.slice(1).map((_, i) => i + 2)].join()) return undefined;
  if (split[0]! * split[1]! !== out[0]) return undefined;
  return ctx.call('channel_shuffle', [source.id], { groups: split[0]! });
}

/** A constant transposed (a weight the exporter stores the other way round). */
export function transposeConst(t: ConstTensor, perm: readonly number[]): ConstTensor {
  const shape = perm.map((p) => t.shape[p]!);
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < count; k++) {
    let from = 0;
    for (let i = 0; i < shape.length; i++) from += index[i]! * strides[perm[i]!]!;
    data[k] = (t.data as Float32Array)[from]!;
    for (let i = shape.length - 1; i >= 0 && ++index[i]! === shape[i]; i--) index[i] = 0;
  }
  return { shape, type: 'float', data, name: t.name };
}

const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);

/** archc's transpose of x by perm, folding into a transpose that made x (the composition). */
function transposeCall(ctx: LiftContext, x: number, perm: readonly number[]): number {
  if (isIdentity(perm)) return x;
  const node = ctx.lifted(x);
  if (node.op === 'transpose') {
    const inner = node.args['perm'] as number[];
    const composed = perm.map((p) => inner[p]!);
    return isIdentity(composed) ? node.inputs[0]! : idOf(ctx.call('transpose', [node.inputs[0]!], { perm: composed }));
  }
  return idOf(ctx.call('transpose', [x], { perm: [...perm] }));
}

const transpose: Rule = (ctx) => {
  const v = ctx.value(0);
  if (v?.kind === 'const' && v.t.type === 'float') {
    return { kind: 'const', t: transposeConst(v.t, ctx.attr<readonly number[]>('perm', [...v.t.shape.keys()].reverse())) };
  }
  const { id, layout } = ctx.view(0);
  const perm = ctx.attr<readonly number[]>('perm', [...layout.keys()].reverse());
  const t = transposeLayout(layout, perm);
  return ctx.withLayout(transposeCall(ctx, id, t.archcPerm), t.layout);
}

/** Axes of an Unsqueeze or Squeeze: an input from opset 13, an attribute before. */
const axesOf = (ctx: LiftContext): readonly number[] | undefined => {
  const axes = ctx.opset >= 13 ? (ctx.value(1) ? ctx.ints(1) : undefined) : ctx.attr<readonly number[]>('axes');
  return axes?.map((a) => (isBatch(a) ? ctx.fail('axes that depend on the batch') : a));
};

/** New axes of size 1: the ONNX view changes, the archc tensor does not. */
const unsqueeze: Rule = (ctx) => {
  const v = ctx.value(0) ?? ctx.fail('input 0 is missing');
  const axes = axesOf(ctx) ?? ctx.fail('Unsqueeze without axes');
  const constant = reshapedConstant(ctx, v, (c) => {
    const rank = c.length + axes.length;
    const out = [...c];
    for (const a of [...axes].map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b)) out.splice(a, 0, 1);
    return out;
  });
  if (constant) return constant;
  const { id, layout } = ctx.view(0);
  const rank = layout.length + axes.length;
  const out: Axis[] = [...layout];
  for (const a of axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b)) out.splice(a, 0, []);
  return ctx.withLayout(id, out);
};

/** Size-1 axes dropped; an archc axis among them is reshaped away. */
const squeeze: Rule = (ctx) => {
  const v = ctx.value(0) ?? ctx.fail('input 0 is missing');
  if (v.kind === 'ints') return { kind: 'ints', v: v.v, scalar: v.v.length === 1 };
  const given = axesOf(ctx);
  const constant = reshapedConstant(ctx, v, (c) => c.filter((d, i) => (given ? !given.map((a) => (a < 0 ? a + c.length : a)).includes(i) : d !== 1)));
  if (constant) return constant;
  const { id, layout } = ctx.view(0);
  const dims = onnxDims(layout, ctx.lifted(id).shape);
  const drop = new Set(given?.map((a) => (a < 0 ? a + layout.length : a)) ?? dims.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (dims[a] !== 1) ctx.fail(`axis ${a} has size ${isBatch(dims[a]!) ? 'N' : dims[a]} and cannot be squeezed`);
  return dropAxes(ctx, id, layout, drop);
};

/** The tensor without these ONNX axes (each of size 1): a reshape when any of them is an archc axis. */
function dropAxes(ctx: LiftContext, id: number, layout: Layout, drop: ReadonlySet<number>): Value {
  const shape = ctx.lifted(id).shape;
  const kept = layout.filter((_, i) => !drop.has(i));
  const order = kept.flat().filter((a): a is number => a !== 'B');
  if (order.length === shape.length) return ctx.withLayout(id, kept);
  const renumber = new Map(order.map((a, i) => [a, i]));
  const newShape = order.map((a) => shape[a]!);
  const node = ctx.lifted(id);
  const input = node.op === 'reshape' ? node.inputs[0]! : id;
  const made = same(ctx.lifted(input).shape, newShape) ? input : idOf(newShape.length === 1 ? ctx.call('flatten', [input]) : ctx.call('reshape', [input], { shape: newShape }));
  return ctx.withLayout(made, kept.map((axis) => axis.map((a) => (a === 'B' ? 'B' : renumber.get(a)!))));
}

/** Gather of one index along an axis: that row, the axis removed (q, k and v out of a packed projection). */
export const gatherRow = (ctx: LiftContext): Value => {
  const { id, layout } = ctx.view(0);
  const axis = ctx.attr<number>('axis', 0);
  const onnxAxis = axis < 0 ? axis + layout.length : axis;
  const archcAxis = plainAxis(layout, onnxAxis) ?? ctx.fail('Gather along the batch axis, or along an axis that holds it');
  const index = ctx.value(1);
  const picks = ctx.ints(1).map((i) => (isBatch(i) ? ctx.fail('an index that depends on the batch') : i));
  const size = ctx.lifted(id).shape[archcAxis]!;
  const rows = picks.map((i) => (i < 0 ? i + size : i));
  const args: Record<string, ArgValue> = archcAxis === 0 ? {} : { axis: archcAxis };
  if (!(index?.kind === 'ints' && index.scalar)) {
    // Several indices keep the axis: a slice when they are a run, else archc's gather.
    const run = rows.every((r, i) => r === rows[0]! + i);
    const made = run ? ctx.call('slice', [id], { start: rows[0]!, end: rows[0]! + rows.length, ...args }) : ctx.call('gather', [id], { indices: rows, ...args });
    return ctx.withLayout(idOf(made), layout);
  }
  const row = idOf(ctx.call('slice', [id], { start: rows[0]!, end: rows[0]! + 1, ...args }));
  return dropAxes(ctx, row, layout, new Set([onnxAxis]));
};

export const viewRules: Record<string, Rule> = {
  Reshape: reshape,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
};
