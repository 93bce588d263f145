// Shape plumbing: Flatten, Reshape (Reshape → Transpose → Reshape of a channel split is a channel
// shuffle), Transpose, Concat, Split, Slice, the reductions, and the identities (Identity, Dropout,
// Cast). The TorchScript exporter computes reshape targets at run time (Shape → Gather → Unsqueeze
// → Concat); those are evaluated here as integer vectors with the batch axis kept symbolic, so a
// target [N, 2, 58, 28, 28] becomes archc's per-sample [2, 58, 28, 28].
import type { ArgValue } from '../../compiler/ops/op.js';
import type { ConstTensor } from '../onnx-read.js';
import type { IntOrBatch, LiftContext, Rule, Value } from '../lift.js';

/** An ONNX axis (counting the batch) → archc's per-sample axis; the batch axis itself fails. */
function perSampleAxis(ctx: LiftContext, axis: number, rank: number): number {
  const positive = axis < 0 ? axis + rank : axis;
  if (positive <= 0 || positive >= rank) ctx.fail(`axis ${axis} is the batch axis or out of range; archc works per sample`);
  return positive - 1;
}

const rankOf = (ctx: LiftContext, id: number): number => ctx.lifted(id).shape.length + 1;

/** Identity, Dropout (inference) and Cast pass their input on; a constant takes the new name. */
const alias: Rule = (ctx) => {
  const v = ctx.value(0) ?? ctx.fail('input 0 is missing');
  return v.kind === 'const' ? { kind: 'const', t: { ...v.t, name: ctx.node.outputs[0]! } } : v;
};

const flatten: Rule = (ctx) => {
  const x = ctx.tensor(0);
  if (ctx.attr<number>('axis', 1) !== 1) ctx.fail('archc flattens everything but the batch axis (Flatten axis 1)');
  return ctx.lifted(x).shape.length === 1 ? { kind: 'tensor', id: x } : ctx.call('flatten', [x]);
};

const reshape: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const target = ctx.ints(1);
  const shape = ctx.lifted(x).shape;
  const rest = target.slice(1).map((d, i) => (d === 0 ? (shape[i] ?? ctx.fail('a 0 in the target copies an axis that does not exist')) : d));
  if (rest.some((d) => d === 'N') || !(target[0] === 'N' || target[0] === 0 || target[0] === -1 || target[0] === 1)) {
    ctx.fail(`reshape to [${target.join(', ')}] moves the batch axis; archc reshapes each sample`);
  }
  const dims = rest as number[];
  if (target[0] === -1 && dims.includes(-1)) ctx.fail('reshape with -1 on both the batch and another axis');
  const count = shape.reduce((a, b) => a * b, 1);
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = dims.map((d) => (d === -1 ? count / known : d));
  if (out.join() === shape.join()) return { kind: 'tensor', id: x };
  const shuffle = channelShuffle(ctx, x, out);
  if (shuffle) return shuffle;
  if (out.length === 1) return ctx.call('flatten', [x]);
  return ctx.call('reshape', [x], { shape: out });
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
function transposeConst(t: ConstTensor, perm: readonly number[]): ConstTensor {
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

const transpose: Rule = (ctx) => {
  const v = ctx.value(0);
  if (v?.kind === 'const' && v.t.type === 'float') {
    return { kind: 'const', t: transposeConst(v.t, ctx.attr<readonly number[]>('perm', [...v.t.shape.keys()].reverse())) };
  }
  const x = ctx.tensor(0);
  const rank = rankOf(ctx, x);
  const perm = ctx.attr<readonly number[]>('perm', [...Array(rank).keys()].reverse());
  if (perm[0] !== 0) ctx.fail('transpose moves the batch axis; archc transposes each sample');
  return ctx.call('transpose', [x], { perm: perm.slice(1).map((p) => p - 1) });
};

const concat: Rule = (ctx) => {
  const inputs = ctx.node.inputs.map((_, i) => ctx.value(i));
  if (inputs.every((v) => v?.kind === 'ints' || v?.kind === 'const')) {
    return { kind: 'ints', v: inputs.flatMap((_, i) => [...ctx.ints(i)]), scalar: false };
  }
  // archc's class token: Expand([1, 1, D] token, [N, 1, D]) then Concat([token, x], axis 1).
  const [first, second] = inputs;
  if (inputs.length === 2 && first?.kind === 'expr' && first.tag === 'batch-expanded' && second?.kind === 'tensor' && ctx.attr<number>('axis') === 1) {
    return ctx.call('class_token', [second.id], {}, { '': first.t! });
  }
  const ids = inputs.map((_, i) => ctx.tensor(i));
  if (ids.length === 1) return { kind: 'tensor', id: ids[0]! };
  const axis = perSampleAxis(ctx, ctx.attr<number>('axis') ?? ctx.fail('axis is missing'), rankOf(ctx, ids[0]!));
  const args: Record<string, ArgValue> = axis === 0 ? {} : { axis };
  // DenseNet concatenates every earlier feature map in each layer: concat(x, f1, f2) after
  // concat(x, f1) is concat(that, f2), the same values, and it makes each layer one unit.
  let known = concats.get(ctx.calls);
  if (!known) concats.set(ctx.calls, (known = new Map()));
  let made: Value | undefined;
  for (let m = ids.length - 1; m >= 2 && !made; m--) {
    const earlier = known.get(`${axis}:${ids.slice(0, m).join()}`);
    if (earlier !== undefined) made = ctx.call('concat', [earlier, ...ids.slice(m)], args);
  }
  made ??= ctx.call('concat', ids, args);
  if (made.kind === 'tensor') known.set(`${axis}:${ids.join()}`, made.id);
  return made;
};

/** Per import (keyed by its list of calls): the concat made for each list of concatenated tensors. */
const concats = new WeakMap<readonly unknown[], Map<string, number>>();

const split: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const shape = ctx.lifted(x).shape;
  const axis = perSampleAxis(ctx, ctx.attr<number>('axis', 0), shape.length + 1);
  const outputs = ctx.node.outputs.length;
  const sizes = ctx.value(1) ? ctx.ints(1) : (ctx.attr<readonly number[]>('split') ?? new Array(outputs).fill(Math.ceil(shape[axis]! / outputs)));
  let start = 0;
  return sizes.map((size) => {
    const end = Math.min(start + (size as number), shape[axis]!);
    const v = ctx.call('slice', [x], { start, end, ...(axis === 0 ? {} : { axis }) });
    start = end;
    return v;
  });
};

const slice: Rule = (ctx) => {
  const source = ctx.value(0);
  const starts = ctx.opset >= 10 ? ctx.ints(1) : ctx.attr<readonly number[]>('starts', []);
  const ends = ctx.opset >= 10 ? ctx.ints(2) : ctx.attr<readonly number[]>('ends', []);
  const axesIn = ctx.opset >= 10 ? (ctx.value(3) ? ctx.ints(3) : undefined) : ctx.attr<readonly number[]>('axes');
  const steps = ctx.opset >= 10 && ctx.value(4) ? ctx.ints(4) : starts.map(() => 1);
  if (source?.kind === 'ints') {
    if (starts.length !== 1 || steps[0] !== 1) ctx.fail('slicing a shape vector with several axes or a step');
    const [s, e] = [starts[0] as number, Math.min(ends[0] as number, source.v.length)];
    return { kind: 'ints', v: source.v.slice(s, e), scalar: false };
  }
  const x = ctx.tensor(0);
  const rank = rankOf(ctx, x);
  const axes = axesIn ?? starts.map((_, i) => i);
  if (axes.length !== 1) ctx.fail('a slice along several axes at once');
  const big = (n: IntOrBatch) => (n === 'N' ? ctx.fail('slice bounds depend on the batch') : Math.max(Math.min(n, 2 ** 31 - 1), -(2 ** 31)));
  const args: Record<string, ArgValue> = { start: big(starts[0]!), end: big(ends[0]!) };
  const axis = perSampleAxis(ctx, axes[0] as number, rank);
  if (axis !== 0) args['axis'] = axis;
  if (steps[0] !== 1) args['step'] = big(steps[0]!);
  const size = ctx.lifted(x).shape[axis]!;
  if (args['end']! as number > size) args['end'] = size;
  return ctx.call('slice', [x], args);
};

const reduce =
  (op: 'reduce_mean' | 'reduce_max' | 'reduce_sum', axesInput: (opset: number) => boolean): Rule =>
  (ctx) => {
    const x = ctx.tensor(0);
    const rank = rankOf(ctx, x);
    const written = axesInput(ctx.opset) ? (ctx.value(1) ? ctx.ints(1) : undefined) : ctx.attr<readonly number[]>('axes');
    const axes = (written ?? [...Array(rank).keys()]).map((a) => perSampleAxis(ctx, a as number, rank));
    const keepdims = ctx.attr<number>('keepdims', 1) === 1;
    const spatial = [...Array(rank - 2).keys()].map((i) => i + 1);
    if (keepdims && rank >= 3 && axes.slice().sort().join() === spatial.join() && op !== 'reduce_sum') {
      return ctx.call(op === 'reduce_mean' ? 'global_avgpool' : 'global_maxpool', [x]);
    }
    return ctx.call(op, [x], { axis: axes.length === 1 ? axes[0]! : axes, ...(keepdims ? {} : { keepdims: false }) });
  };

// Shape arithmetic on integer vectors (the batch axis stays `N`).
const shapeOf: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const dims: IntOrBatch[] = ['N', ...ctx.lifted(x).shape];
  const start = ctx.attr<number>('start', 0);
  const end = ctx.attr<number>('end', dims.length);
  return { kind: 'ints', v: dims.slice(start, end < 0 ? dims.length + end : end), scalar: false };
};

const gather: Rule = (ctx) => {
  const source = ctx.value(0);
  if (source?.kind !== 'ints') return ctx.fail('Gather on tensors is not an archc op');
  const index = ctx.value(1);
  const picks = ctx.ints(1).map((i) => source.v[(i as number) < 0 ? (i as number) + source.v.length : (i as number)]!);
  return { kind: 'ints', v: picks, scalar: index?.kind === 'ints' ? index.scalar : false };
};

const unsqueeze: Rule = (ctx) => {
  const v = ctx.value(0);
  if (v?.kind === 'ints') return { kind: 'ints', v: v.v, scalar: false };
  const x = ctx.tensor(0);
  const axes = ctx.opset >= 13 ? ctx.ints(1) : ctx.attr<readonly number[]>('axes', []);
  const shape: number[] = ['N' as unknown as number, ...ctx.lifted(x).shape];
  for (const a of [...axes].sort()) shape.splice(a as number, 0, 1);
  if ((shape[0] as unknown) !== 'N') ctx.fail('unsqueeze before the batch axis');
  return ctx.call('reshape', [x], { shape: shape.slice(1) });
};

const squeeze: Rule = (ctx) => {
  const v = ctx.value(0);
  if (v?.kind === 'ints' && v.v.length === 1) return { kind: 'ints', v: v.v, scalar: true };
  const x = ctx.tensor(0);
  const shape = ctx.lifted(x).shape;
  const axes = (ctx.opset >= 13 ? (ctx.value(1) ? ctx.ints(1) : undefined) : ctx.attr<readonly number[]>('axes'))?.map((a) => perSampleAxis(ctx, a as number, shape.length + 1));
  const out = shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return out.length === 1 ? ctx.call('flatten', [x]) : ctx.call('reshape', [x], { shape: out });
};

const arithmetic =
  (f: (a: number, b: number) => number): Rule =>
  (ctx) => {
    const [a, b] = [ctx.value(0), ctx.value(1)];
    if (a?.kind !== 'ints' || b?.kind !== 'ints') return ctx.fail('arithmetic on shapes only');
    const at = (v: readonly IntOrBatch[], i: number) => v[v.length === 1 ? 0 : i]!;
    const n = Math.max(a.v.length, b.v.length);
    const v = Array.from({ length: n }, (_, i) => {
      const [x, y] = [at(a.v, i), at(b.v, i)];
      return x === 'N' || y === 'N' ? ctx.fail('arithmetic on the batch size') : f(x, y);
    });
    return { kind: 'ints', v, scalar: a.scalar && b.scalar };
  };

/** Expand of a constant to the batch ([1, 1, D] → [N, 1, D]): only as a class token's first step. */
const expand: Rule = (ctx) => {
  // F.normalize expands the norm's floor to x's shape before dividing: the division broadcasts.
  const pending = ctx.value(0);
  if (pending?.kind === 'expr' && pending.tag === 'max(‖x‖,ε)') return pending;
  const t = ctx.constant(0);
  const to = ctx.ints(1);
  if (to[0] === 'N' && to.slice(1).every((d, i) => d === 1 || d === t.shape[i + 1]) && t.shape[0] === 1) {
    return { kind: 'expr', tag: 'batch-expanded', x: -1, t };
  }
  return ctx.fail('Expand is not an archc op (except a class token expanded to the batch)');
};

export const shapeRules: Record<string, Rule> = {
  Expand: expand,
  Identity: alias,
  Dropout: alias,
  Cast: alias,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  ReduceMean: reduce('reduce_mean', (o) => o >= 18),
  ReduceMax: reduce('reduce_max', (o) => o >= 18),
  ReduceSum: reduce('reduce_sum', (o) => o >= 13),
  Shape: shapeOf,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
};

/** Integer arithmetic that ONNX files use on shapes (Add/Mul/Div on ints are routed here). */
export const intArithmetic = {
  Add: arithmetic((a, b) => a + b),
  Sub: arithmetic((a, b) => a - b),
  Mul: arithmetic((a, b) => a * b),
  Div: arithmetic((a, b) => Math.trunc(a / b)),
};
