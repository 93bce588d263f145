// transpose: permute the per-sample axes (the batch stays first): output axis i is input axis
// perm[i]. [C, T] → [T, C] with perm=[1, 0]; attention heads [T, H, D] → [H, T, D] with [1, 0, 2].
import { asList, defineOp } from './op.js';
import { formatShape } from '../ir.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface TransposeAttrs {
  /** A permutation of 0..rank−1 over per-sample axes. */
  readonly perm: readonly number[];
}

export const transpose = defineOp({
  kind: 'transpose',
  summary: 'permute the per-sample axes',
  arity: { min: 1, max: 1 },
  params: { perm: { type: 'ints', doc: 'output axis i takes input axis perm[i]; negative counts from the end' } },
  infer([x], args, ctx) {
    const rank = x!.length;
    const written = asList(args.perm);
    const perm = written.map((a) => (a < 0 ? a + rank : a));
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== rank || sorted.some((a, i) => a !== i)) {
      const problem = perm.length !== rank ? `has ${perm.length} entries for ${rank} axes` : 'is not a permutation';
      return ctx.error('E0305', `transpose perm ${JSON.stringify(written)} ${problem} of input ${formatShape(x!)}`, {
        arg: 'perm',
        notes: [`perm must list each per-sample axis 0..${rank - 1} exactly once (the batch is not an axis)`],
        hint: rank === 2 ? 'perm=[1, 0] swaps the two axes' : `e.g. perm=[${[...Array(rank).keys()].reverse().join(', ')}] reverses them`,
      });
    }
    return { attrs: { perm }, shape: perm.map((a) => x![a]!) };
  },
  symbolic: (a, [x]) => a.perm.map((p) => x![p]!),
  tfjs: (a, kit) => transposeTfjs(a, kit),
  onnx: (g) => g.op('Transpose', [g.inputs[0]!], { perm: [0, ...g.attrs.perm.map((a) => a + 1)] }),
  pytorch: { forward: (g) => `${g.inputs[0]}.permute(0, ${g.attrs.perm.map((a) => a + 1).join(', ')})` },
});

/** tfjs Permute in the IR order. */
const transposeTfjs: TfjsLowering<TransposeAttrs> = (a, kit) => ({ output: kit.apply(kit.layers.permute({ name: kit.name(), dims: a.perm.map((p) => p + 1) }), kit.input(0, 'plain')), layout: 'plain' });
