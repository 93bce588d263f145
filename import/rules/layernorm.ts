// Layer normalization written out in elementary ops, as exporters do before opset 17 (which added
// LayerNormalization) and as archc itself lowers a norm over axes that are not the last ones
// (ConvNeXt's channels):
//   d = x − ReduceMean(x);  v = ReduceMean(d² or d·d);  y = d / Sqrt(v + ε) · γ + β  → layer_norm
// The steps are lifted as they come (reduce_mean, sub, mul, scalar add: plain archc ops); Sqrt
// checks that its input is that chain and starts a pending expression that Div, Mul by γ and Add
// of β complete. The ops of the chain are then unused and dropped.
import type { ArgValue } from '../../compiler/ops/op.js';
import type { ConstTensor } from '../onnx-read.js';
import type { LiftContext, Rule, Value } from '../lift.js';
import { sameFloat } from './args.js';

/** Pow(d, 2) is d·d (the chain's square). */
export const pow: Rule = (ctx) => {
  const e = ctx.value(1);
  const two = e?.kind === 'const' && e.t.data.length === 1 && e.t.data[0] === 2;
  if (!two) return ctx.fail('Pow of a computed tensor is not an archc op (except a square, inside a layer norm)');
  const d = ctx.tensor(0);
  return ctx.call('mul', [d, d]);
};

/** The per-sample axes a mean with kept dims runs over (a mean over all but the first is a global pool). */
const axesOf = (ctx: LiftContext, id: number): number[] | undefined => {
  const n = ctx.lifted(id);
  if (n.op === 'global_avgpool') return n.shape.slice(1).map((_, i) => i + 1);
  if (n.op !== 'reduce_mean' || n.args['keepdims'] === false) return undefined;
  const rank = n.shape.length;
  const axis = n.args['axis'] as number | number[];
  return (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort();
};

/** Sqrt(mean(d²) + ε) with d = x − mean(x) over the same axes: the pending std. */
export const sqrt: Rule = (ctx) => {
  const fail = () => ctx.fail('Sqrt of a computed tensor is not an archc op (except inside a layer norm)');
  const a = ctx.lifted(ctx.tensor(0));
  if (a.op !== 'scalar' || a.args['op'] !== 'add') return fail();
  const variance = a.inputs[0]!;
  const square = ctx.lifted(ctx.lifted(variance).inputs[0] ?? -1);
  const axes = axesOf(ctx, variance);
  if (!axes || square?.op !== 'mul' || square.inputs[0] !== square.inputs[1]) return fail();
  const d = ctx.lifted(square.inputs[0]!);
  if (d.op !== 'sub' || axesOf(ctx, d.inputs[1]!)?.join() !== axes.join() || ctx.lifted(d.inputs[1]!).inputs[0] !== d.inputs[0]) return fail();
  return { kind: 'expr', tag: 'layer-norm std', x: d.id, n: [a.args['value'] as number, d.inputs[0]!, ...axes] };
};

/** d / std → the normalized x, waiting for γ and β. */
export function normalizedDivision(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  if (a.kind !== 'tensor' || b.kind !== 'expr' || b.tag !== 'layer-norm std' || b.x !== a.id) return undefined;
  return { kind: 'expr', tag: 'layer-norm', x: b.n![1]!, n: [b.n![0]!, ...b.n!.slice(2)] };
}

/** The γ or β of normalized axes as the flat vector layer_norm keeps. */
function affine(ctx: LiftContext, c: ConstTensor, x: number, axes: readonly number[]): ConstTensor | undefined {
  const shape = ctx.lifted(x).shape;
  const dims = axes.map((a) => shape[a]!);
  const count = dims.reduce((p, d) => p * d, 1);
  return c.type === 'float' && c.data.length === count ? { ...c, shape: dims } : undefined;
}

/** Normalized x times γ: waits for β. */
export function normalizedScale(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  for (const [e, c] of [[a, b], [b, a]] as const) {
    if (e.kind !== 'expr' || e.tag !== 'layer-norm' || c.kind !== 'const') continue;
    const gamma = affine(ctx, c.t, e.x, e.n!.slice(1));
    if (gamma) return { kind: 'expr', tag: 'layer-norm·γ', x: e.x, n: e.n, t: gamma };
  }
  return undefined;
}

/** … + β: the layer_norm call. */
export function normalizedShift(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  for (const [e, c] of [[a, b], [b, a]] as const) {
    if (e.kind !== 'expr' || e.tag !== 'layer-norm·γ' || c.kind !== 'const') continue;
    const [epsilon, ...axes] = e.n!;
    const beta = affine(ctx, c.t, e.x, axes);
    if (!beta) continue;
    const rank = ctx.lifted(e.x).shape.length;
    const args: Record<string, ArgValue> = {};
    if (!sameFloat(epsilon!, 1e-5)) args['epsilon'] = Math.fround(epsilon!);
    const last = axes.length === 1 && axes[0] === rank - 1;
    if (!last) args['axis'] = axes.length === 1 ? axes[0]! : axes;
    return ctx.call('layer_norm', [e.x], args, { weight: e.t!, bias: beta });
  }
  return undefined;
}
