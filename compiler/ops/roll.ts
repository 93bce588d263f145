// roll: shifts one per-sample axis cyclically, PyTorch's torch.roll(x, shift, dim): element i moves
// to (i + shift) mod size (Swin's shifted windows roll by −3 and back by 3).
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { resolveAxis } from './axes.js';

export interface RollAttrs {
  readonly axis: number;
  /** The shift as a non-negative amount below the axis size. */
  readonly shift: number;
}

export const roll = defineOp({
  kind: 'roll',
  summary: 'shift an axis cyclically (torch.roll)',
  arity: { min: 1, max: 1 },
  params: {
    shift: { type: 'int', doc: 'positions to move toward the end; negative moves toward the start' },
    axis: { type: 'int', doc: 'per-sample axis; 0 is the channel axis' },
  },
  infer([x], args, ctx) {
    const axis = resolveAxis('roll', args.axis, x!, ctx);
    if (axis === undefined) return undefined;
    const size = x![axis]!;
    const shift = ((args.shift % size) + size) % size;
    return { attrs: { axis, shift }, shape: x! };
  },
  tfjs: (a, kit) => rollTfjs(a, kit),
  onnx: (g) => rollOnnx(g),
  pytorch: { forward: (g) => `torch.roll(${g.inputs[0]}, ${g.attrs.shift}, ${g.attrs.axis + 1})` },
});

/** The last `shift` rows, then the others: two Slices and a Concat (the identity for shift 0). */
const rollOnnx: OnnxLowering<RollAttrs> = (g) => {
  const { axis, shift } = g.attrs;
  const x = g.inputs[0]!;
  const size = g.shape[axis]!;
  if (shift === 0) return g.op('Identity', [x]);
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  const part = (from: number, to: number, as: string) => {
    const shape = g.shape.map((d, i) => (i === axis ? to - from : d));
    return g.op('Slice', [x, at(`${as}_start`, from), at(`${as}_end`, to), at(`${as}_axis`, axis + 1)], {}, { shape, as });
  };
  return g.op('Concat', [part(size - shift, size, 'tail'), part(0, size - shift, 'head')], { axis: axis + 1 });
};

/** ArchcRoll on the mapped axis. */
const rollTfjs: TfjsLowering<RollAttrs> = (a, kit) => {
  const layout = kit.layoutOf(0, 'any');
  const axis = kit.axis(a.axis, kit.inputShapes[0]!.length, layout);
  const layer = kit.custom.roll({ name: kit.name(), axis, shift: a.shift });
  return { output: kit.apply(layer, kit.input(0, 'any')), layout };
};
