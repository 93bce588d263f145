// A tensor and a constant that holds one number, or one number per channel: Keras's preprocessing
// layers and plain scalar arithmetic.
//   x · s + o (Mul then Add, s and o scalars or per channel)  → rescale(s, offset=o)   Keras Rescaling
//   (x − mean) / std (Sub then Div by per-channel constants)  → normalize(mean, std)  Keras Normalization
//   x + c, x − c, c − x, x / c, c / x with a scalar c        → scalar(...)           written x + c, …
// archc writes normalize's std as max(√variance, 1e-7); by the time the Div is seen that chain is
// folded to one constant, stored back as the variance (std²).
import type { ArgValue } from '../../compiler/ops/op.js';
import type { ConstTensor } from '../onnx-read.js';
import type { LiftContext, Value } from '../lift.js';

/** The values of a constant that broadcasts per channel over a [C, …] sample (or is one number). */
export function perChannel(t: ConstTensor, shape: readonly number[]): number[] | undefined {
  if (t.type !== 'float') return undefined;
  if (t.data.length === 1) return [t.data[0]!];
  // Aligned from the right against [N, C, …]: [C, 1, 1] or [1, C, 1, 1] (or [C] on a [C] sample).
  const dims = [...t.shape];
  while (dims.length > shape.length) if (dims.shift() !== 1) return undefined;
  const offset = shape.length - dims.length;
  const perAxis = dims.every((d, i) => (offset + i === 0 ? d === shape[0] : d === 1));
  return perAxis && offset === 0 ? Array.from(t.data) : undefined;
}

const short = (v: readonly number[]): ArgValue => (v.length === 1 ? Math.fround(v[0]!) : v.map((x) => Math.fround(x)));

/** A tensor input, or a pending x·c made one; undefined for anything else. */
function scaledTensor(v: Value): { x: number; scale: number } | undefined {
  if (v.kind === 'tensor' && !v.layout) return { x: v.id, scale: 1 };
  if (v.kind === 'expr' && v.tag === 'x·c' && !v.layout) return { x: v.x, scale: v.n![0]! };
  if (v.kind === 'expr' && v.tag === 'x/2') return { x: v.x, scale: 0.5 };
  return undefined;
}

/** Add with a constant: x·s + o → rescale; a tensor plus a scalar → scalar add. */
export function addConstant(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  for (const [v, c] of [[a, b], [b, a]] as const) {
    const x = scaledTensor(v);
    if (!x || c.kind !== 'const') continue;
    const offset = perChannel(c.t, ctx.lifted(x.x).shape);
    if (!offset) continue;
    if (x.scale === 1 && offset.length === 1) return ctx.call('scalar', [x.x], { op: 'add', value: Math.fround(offset[0]!) });
    return ctx.call('rescale', [x.x], { scale: Math.fround(x.scale), offset: short(offset) });
  }
  return undefined;
}

/** Mul by a per-channel constant: rescale (a scalar factor waits as x·c, see arith.ts). */
export function mulConstant(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  for (const [v, c] of [[a, b], [b, a]] as const) {
    if (v.kind !== 'tensor' || v.layout || c.kind !== 'const') continue;
    const scale = perChannel(c.t, ctx.lifted(v.id).shape);
    if (scale && scale.length > 1) return ctx.call('rescale', [v.id], { scale: short(scale) });
  }
  return undefined;
}

/** Sub with a constant: x − mean waits for a Div (normalize); x − c and c − x are scalar ops. */
export function subConstant(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  const x = scaledTensor(a);
  if (x && b.kind === 'const') {
    const mean = perChannel(b.t, ctx.lifted(x.x).shape);
    if (mean) return { kind: 'expr', tag: 'x−mean', x: tensorOf(ctx, x), t: b.t };
  }
  const y = scaledTensor(b);
  if (y && a.kind === 'const' && a.t.data.length === 1) return ctx.call('scalar', [tensorOf(ctx, y)], { op: 'rsub', value: Math.fround(a.t.data[0]!) });
  return undefined;
}

/** Div by a constant: (x − mean) / std → normalize; x / c and c / x → scalar ops. */
export function divConstant(ctx: LiftContext, a: Value, b: Value): Value | undefined {
  if (a.kind === 'expr' && a.tag === 'x−mean' && b.kind === 'const') {
    const shape = ctx.lifted(a.x).shape;
    const std = perChannel(b.t, shape);
    const mean = perChannel(a.t!, shape);
    if (std && mean && std.every((s) => s > 0)) {
      const channels = shape[0]!;
      const full = (v: number[]) => (v.length === 1 ? new Array<number>(channels).fill(v[0]!) : v);
      const vector = (v: number[], name: string): ConstTensor => ({ shape: [channels], type: 'float', data: Float32Array.from(v), name });
      const weights = { mean: vector(full(mean), a.t!.name), variance: vector(full(std).map((s) => s * s), b.t.name), count: { shape: [], type: 'float', data: new Float32Array(1), name: 'count' } as ConstTensor };
      return ctx.call('normalize', [a.x], {}, weights);
    }
  }
  const x = scaledTensor(a);
  if (x && b.kind === 'const' && b.t.data.length === 1) return ctx.call('scalar', [tensorOf(ctx, x)], { op: 'div', value: Math.fround(b.t.data[0]!) });
  const y = scaledTensor(b);
  if (y && a.kind === 'const' && a.t.data.length === 1) return ctx.call('scalar', [tensorOf(ctx, y)], { op: 'rdiv', value: Math.fround(a.t.data[0]!) });
  return undefined;
}

/** The tensor of a scaled input: x itself, or the scalar op that multiplies it. */
function tensorOf(ctx: LiftContext, x: { x: number; scale: number }): number {
  if (x.scale === 1) return x.x;
  const made = ctx.call('scalar', [x.x], { op: 'mul', value: Math.fround(x.scale) });
  return (made as { id: number }).id;
}
