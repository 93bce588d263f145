// MaxPool's indices and MaxUnpool → max_unpool (SegNet's decoder). archc's max_unpool takes the
// map before the pool (`like`) and finds each window's argmax again, so MaxPool's second output is
// carried as a pending value naming that map and the window; MaxUnpool then becomes
// `y |> max_unpool(like, kernel)`. Only the form archc has: non-overlapping windows (stride =
// kernel), no padding, row-major indices, the output the size of `like`.
import type { LiftContext, Rule, Value } from '../lift.js';
import { perAxis } from './args.js';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The pending value of MaxPool's indices output over tensor x. */
export function poolIndices(ctx: LiftContext, x: number): Value {
  const kernel = ctx.attr<readonly number[]>('kernel_shape') ?? ctx.fail('kernel_shape is missing');
  const stride = ctx.attr<readonly number[]>('strides', kernel.map(() => 1));
  const pads = ctx.attr<readonly number[]>('pads', []);
  if (!same(stride, kernel) || pads.some((p) => p !== 0) || ctx.attr<number>('ceil_mode', 0) !== 0 || ctx.attr<number>('storage_order', 0) !== 0) {
    ctx.fail('MaxPool indices are only read back as max_unpool of non-overlapping, unpadded windows');
  }
  return { kind: 'expr', tag: 'max-pool indices', x, n: kernel };
}

const maxUnpool: Rule = (ctx) => {
  const y = ctx.tensor(0);
  const indices = ctx.value(1);
  if (indices?.kind !== 'expr' || indices.tag !== 'max-pool indices') return ctx.fail("MaxUnpool's indices must come from a MaxPool");
  const kernel = ctx.attr<readonly number[]>('kernel_shape') ?? ctx.fail('kernel_shape is missing');
  if (!same(kernel, indices.n!) || !same(ctx.attr<readonly number[]>('strides', kernel), kernel) || ctx.attr<readonly number[]>('pads', []).some((p) => p !== 0)) {
    ctx.fail('MaxUnpool with another window than its MaxPool');
  }
  const like = ctx.lifted(indices.x).shape;
  // The output is `like`'s size: given as its shape, or the default (the pooled size × kernel) when equal.
  const size = ctx.value(2) ? ctx.ints(2).slice(2) : ctx.lifted(y).shape.slice(1).map((d, i) => d * kernel[i]!);
  if (!same(size as number[], like.slice(1))) ctx.fail(`MaxUnpool to [${size.join(', ')}], not the size of the map before its MaxPool`);
  return ctx.call('max_unpool', [y, indices.x], { kernel: perAxis(kernel) });
};

export const unpoolRules: Record<string, Rule> = { MaxUnpool: maxUnpool };
