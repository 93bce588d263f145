// Shape plumbing: Flatten, Concat, Split, Slice, Expand, the reductions, and the identities
// (Identity, Dropout, Cast). Reshape, Transpose and friends, which may move the batch axis, are in
// views.ts; shape vectors in ints.ts.
import type { ArgValue } from '../../compiler/ops/op.js';
import { isBatch, type IntOrBatch } from '../layout.js';
import type { LiftContext, Rule, Value } from '../lift.js';

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

const concat: Rule = (ctx) => {
  const inputs = ctx.node.inputs.map((_, i) => ctx.value(i));
  if (inputs.every((v) => v?.kind === 'ints' || v?.kind === 'const')) {
    return { kind: 'ints', v: inputs.flatMap((_, i) => [...ctx.ints(i)]), scalar: false };
  }
  // archc's class token: Expand([1, 1, D] token, [N, 1, D]) (a param: see expand) then
  // Concat([token, x], axis 1). The param, read by nothing else, is dropped.
  const [first, second] = inputs;
  const token = first?.kind === 'tensor' && !first.layout ? ctx.lifted(first.id) : undefined;
  if (inputs.length === 2 && token?.op === 'param' && token.shape.length === 2 && token.shape[0] === 1 && second?.kind === 'tensor' && !second.layout && ctx.attr<number>('axis') === 1) {
    const t = token.weights.get('')!;
    return ctx.call('class_token', [second.id], {}, { '': { ...t, shape: [1, ...t.shape] } });
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

/**
 * SplitToSequence (the dynamo exporter's x.chunk): the pieces as slices, held as a sequence that
 * SequenceAt picks from. Without `split`, pieces of 1 (the axis dropped unless keepdims).
 */
const splitToSequence: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const shape = ctx.lifted(x).shape;
  const axis = perSampleAxis(ctx, ctx.attr<number>('axis', 0), shape.length + 1);
  const given = ctx.value(1) ? ctx.ints(1).map((d) => (isBatch(d) ? ctx.fail('split sizes that depend on the batch') : d)) : undefined;
  const scalar = ctx.value(1)?.kind === 'ints' ? (ctx.value(1) as { scalar: boolean }).scalar : given?.length === 1;
  const size = shape[axis]!;
  const sizes = !given ? new Array<number>(size).fill(1) : scalar ? Array.from({ length: Math.ceil(size / given[0]!) }, (_, i) => Math.min(given[0]!, size - i * given[0]!)) : given;
  const dropAxis = !given && ctx.attr<number>('keepdims', 1) === 0;
  let start = 0;
  const ids = sizes.map((n) => {
    const piece = ctx.call('slice', [x], { start, end: start + n, ...(axis === 0 ? {} : { axis }) });
    start += n;
    if (!dropAxis || piece.kind !== 'tensor') return (piece as { id: number }).id;
    const rest = shape.filter((_, i) => i !== axis);
    return (ctx.call(rest.length === 1 ? 'flatten' : 'reshape', [piece.id], rest.length === 1 ? {} : { shape: rest }) as { id: number }).id;
  });
  return { kind: 'expr', tag: 'sequence', x: -1, n: ids };
};

const sequenceAt: Rule = (ctx) => {
  const seq = ctx.value(0);
  if (seq?.kind !== 'expr' || seq.tag !== 'sequence') return ctx.fail('SequenceAt of a sequence archc did not make (only SplitToSequence)');
  const [i] = ctx.ints(1);
  const k = typeof i === 'number' ? (i < 0 ? i + seq.n!.length : i) : ctx.fail('an index that depends on the batch');
  return { kind: 'tensor', id: seq.n![k] ?? ctx.fail(`index ${i} of a sequence of ${seq.n!.length}`) };
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
  const big = (n: IntOrBatch) => (isBatch(n) ? ctx.fail('slice bounds depend on the batch') : Math.max(Math.min(n, 2 ** 31 - 1), -(2 ** 31)));
  // Axes taken whole (x[:, 0] slices the batch from 0 to the end first) are no slice at all.
  const all = (axesIn ?? starts.map((_, i) => i)).map((a, i) => ({ axis: (a as number) < 0 ? (a as number) + rank : (a as number), start: big(starts[i]!), end: big(ends[i]!), step: big(steps[i] ?? 1) }));
  const whole = (s: { axis: number; start: number; end: number; step: number }) => s.step === 1 && s.start === 0 && s.end >= (s.axis === 0 ? 2 ** 31 - 1 : ctx.lifted(x).shape[s.axis - 1]!);
  const cuts = all.filter((s) => !whole(s));
  if (cuts.length === 0) return { kind: 'tensor', id: x };
  if (cuts.length !== 1) ctx.fail('a slice along several axes at once');
  const cut = cuts[0]!;
  const args: Record<string, ArgValue> = { start: cut.start, end: cut.end };
  const axis = perSampleAxis(ctx, cut.axis, rank);
  if (axis !== 0) args['axis'] = axis;
  if (cut.step !== 1) args['step'] = cut.step;
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

/**
 * Expand of a constant to the batch ([1, ...shape] → [N, ...shape]) is archc's `param` (ConvNeXt's
 * layer scale, a bare nn.Parameter broadcast over the batch) or, concatenated before the sequence,
 * its class token (see concat).
 */
const expand: Rule = (ctx) => {
  // F.normalize expands the norm's floor to x's shape before dividing: the division broadcasts.
  const pending = ctx.value(0);
  if (pending?.kind === 'expr' && pending.tag === 'max(‖x‖,ε)') return pending;
  const t = ctx.constant(0);
  const to = ctx.ints(1);
  // The constant may hold the batch axis of 1 or leave it to broadcasting ([C, 1, 1] → [N, C, 1, 1]).
  const shape = t.shape.length === to.length && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
  if (t.type === 'float' && isBatch(to[0]) && to[0].batch === 1 && shape.length === to.length - 1 && to.slice(1).every((d, i) => d === 1 || d === shape[i])) {
    // An initializer is a weight (param); a Constant node's value or one folded here is fixed.
    if (t.fixed || t.folded) return ctx.call('constant', [], { values: [...t.data], shape });
    return ctx.call('param', [], { shape }, { '': { ...t, shape } });
  }
  return ctx.fail('Expand is not an archc op (except a constant expanded to the batch: a param or a class token)');
};

/** CastLike: archc's tensors are float32, so only a constant changes (to the other input's type). */
const castLike: Rule = (ctx) => {
  const [v, like] = [ctx.value(0) ?? ctx.fail('input 0 is missing'), ctx.value(1)];
  const toFloat = like?.kind === 'tensor' || (like?.kind === 'const' && like.t.type === 'float');
  if (v.kind === 'ints' && toFloat) return { kind: 'const', t: { shape: v.scalar ? [] : [v.v.length], type: 'float', data: Float32Array.from(v.v.map((d) => (isBatch(d) ? ctx.fail('the batch size as a float') : d))), name: ctx.node.outputs[0]! } };
  return alias(ctx);
};

export const shapeRules: Record<string, Rule> = {
  CastLike: castLike,
  Expand: expand,
  Identity: alias,
  Dropout: alias,
  Cast: alias,
  Flatten: flatten,
  Concat: concat,
  Split: split,
  SplitToSequence: splitToSequence,
  SequenceAt: sequenceAt,
  Slice: slice,
  ReduceMean: reduce('reduce_mean', (o) => o >= 18),
  ReduceMax: reduce('reduce_max', (o) => o >= 18),
  ReduceSum: reduce('reduce_sum', (o) => o >= 13),
};
