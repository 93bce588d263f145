// reshape: the same elements in a new per-sample shape (row-major, like PyTorch view and ONNX
// Reshape); one −1 stands for whatever size keeps the element count.
import { asList, defineOp } from './op.js';
import { isSym, mul, type Size } from '../symbolic/expr.js';
import { formatShape } from '../ir.js';
import { product } from './spatial.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface ReshapeAttrs {
  /** The resolved per-sample shape, without −1. */
  readonly shape: readonly number[];
}

export const reshape = defineOp({
  kind: 'reshape',
  summary: 'change the per-sample shape, keeping the elements in order',
  arity: { min: 1, max: 1 },
  params: { shape: { type: 'ints', doc: 'per-sample shape; one -1 is inferred' } },
  infer([x], args, ctx) {
    const written = asList(args.shape);
    const count = product(x!);
    const text = formatShape(written);
    if (written.some((d) => d === 0 || d < -1) || written.filter((d) => d === -1).length > 1) {
      return ctx.error('E0305', `reshape sizes must be positive, with at most one -1; got ${text}`, {
        arg: 'shape',
        hint: 'the batch is implicit: write the per-sample shape only',
      });
    }
    const known = product(written.filter((d) => d !== -1));
    const free = written.indexOf(-1);
    const notes = [`input ${formatShape(x!)}: ${x!.join(' × ')} = ${count} elements`];
    if (free >= 0 && count % known !== 0) {
      return ctx.error('E0307', `reshape cannot infer the -1 in ${text}: ${count} elements are not divisible by ${known}`, {
        arg: 'shape',
        notes: [...notes, `target ${text}: ${count} / (${written.filter((d) => d !== -1).join(' × ')}) = ${count / known}`],
        hint: 'the known sizes must multiply to a divisor of the element count',
      });
    }
    const shape = written.map((d) => (d === -1 ? count / known : d));
    if (product(shape) !== count) {
      return ctx.error('E0307', `reshape changes the element count: ${formatShape(x!)} has ${count} elements, ${text} has ${known}`, {
        arg: 'shape',
        notes: [...notes, `target ${text}: ${written.join(' × ')} = ${known} elements`],
        hint: 'use -1 for one size to have it inferred',
      });
    }
    return { attrs: { shape }, shape };
  },
  // The target shape is fixed: the input's element count must stay what it is at the defaults.
  symbolic({ shape }, [x], { node, need }) {
    const count = x!.reduce<Size>((p, d) => mul(p, d), 1);
    if (isSym(count)) need({ kind: 'eq', left: count, right: product(shape), span: node.span, why: `${node.name} has a fixed shape` });
    return [...shape];
  },
  tfjs: (a, kit) => reshapeTfjs(a, kit),
  onnx: (g) => g.op('Reshape', [g.inputs[0]!, g.constant('shape', 'int64', [0, ...g.attrs.shape])]),
  pytorch: { forward: (g) => `${g.inputs[0]}.reshape(${g.inputs[0]}.shape[0], ${g.attrs.shape.join(', ')})` },
});

/** tfjs Reshape in the IR order (images are brought back from channels last first). */
const reshapeTfjs: TfjsLowering<ReshapeAttrs> = (a, kit) => ({ output: kit.apply(kit.layers.reshape({ name: kit.name(), targetShape: [...a.shape] }), kit.input(0, 'plain')), layout: 'plain' });
