// where: `where(cond, a, b)` is a where cond is non-zero, else b, element-wise with broadcasting over
// all three (torch.where(cond != 0, a, b); ONNX Where after a Cast of cond to bool). Masks come from
// comparisons (`x > 0`); the gradient reaches a where the mask holds and b elsewhere, never cond.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { formatShape } from '../ir.js';
import { alignedOnnxInputs, alignedTorchInputs, broadcast, symbolicBroadcast } from './elementwise.js';

export type WhereAttrs = Record<string, never>;

export const where = defineOp({
  kind: 'where',
  summary: 'where(cond, a, b): a where cond is non-zero, else b (broadcasting)',
  arity: { min: 3, max: 3 },
  params: {},
  infer([cond, a, b], _args, ctx) {
    const ab = broadcast(a!, b!);
    const shape = ab && broadcast(cond!, ab);
    if (!shape) {
      return ctx.error('E0302', `where needs shapes that match or broadcast: ${formatShape(cond!)}, ${formatShape(a!)}, ${formatShape(b!)}`, {
        trace: true,
        notes: ['each axis, aligned from the right, must be equal or 1'],
      });
    }
    return { attrs: {} as WhereAttrs, shape };
  },
  symbolic: (_a, ins, step) => symbolicBroadcast(ins, step),
  onnx: (g) => whereOnnx(g),
  tfjs: (a, kit) => whereTfjs(a, kit),
  pytorch: {
    forward: (g) => {
      const [cond, a, b] = alignedTorchInputs(g.inputs, g.inputShapes);
      return `torch.where(${cond} != 0, ${a}, ${b})`;
    },
  },
});

const whereOnnx: OnnxLowering<WhereAttrs> = (g) => {
  const [cond, a, b] = alignedOnnxInputs(g);
  const rank = Math.max(...g.inputShapes.map((s) => s.length));
  const condShape = [...Array(rank - g.inputShapes[0]!.length).fill(1), ...g.inputShapes[0]!];
  const mask = g.op('Cast', [cond!], { to: 9 /* BOOL */ }, { type: 'bool', shape: condShape });
  return g.op('Where', [mask, a!, b!]);
};

/** ArchcWhere on the three inputs in one common layout. */
const whereTfjs: TfjsLowering<WhereAttrs> = (_a, kit) => {
  const { inputs, layout } = kit.common({ flat: true });
  return { output: kit.apply(kit.custom.where({ name: kit.name() }), inputs), layout };
};
