// l2norm: x / max(‖x‖₂, epsilon) along one per-sample axis (PyTorch F.normalize(p=2)); face
// embeddings (FaceNet, ArcFace) live on the unit sphere this way.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { resolveAxis } from './axes.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat } from '../lower-pytorch/lowering.js';

export interface L2NormAttrs {
  /** Per-sample axis, non-negative. */
  readonly axis: number;
  readonly epsilon: number;
}

export const l2norm = defineOp({
  kind: 'l2norm',
  summary: 'scale to unit L2 norm along an axis',
  arity: { min: 1, max: 1 },
  params: {
    axis: { type: 'int', default: -1, doc: 'per-sample axis; negative counts from the end' },
    epsilon: { type: 'float', default: 1e-12, doc: 'lower bound on the norm' },
  },
  infer([x], args, ctx) {
    const epsilon = args.epsilon;
    if (!(epsilon > 0)) return ctx.error('E0305', `l2norm epsilon must be positive, got ${epsilon}`, { arg: 'epsilon', hint: 'it bounds the divisor away from 0; PyTorch uses 1e-12' });
    const axis = resolveAxis('l2norm', args.axis, x!, ctx);
    return axis === undefined ? undefined : { attrs: { axis, epsilon }, shape: x! };
  },
  tfjs: (a, kit) => l2normTfjs(a, kit),
  onnx: (g) => l2normOnnx(g),
  // F.normalize divides by max(‖x‖₂, eps), archc's definition.
  pytorch: { forward: (g) => `F.normalize(${g.inputs[0]}, 2.0, ${g.attrs.axis + 1}, ${pyFloat(g.attrs.epsilon)})` },
});

/** x / max(‖x‖₂, ε): ReduceL2, Max, Div (LpNormalization has no ε and gives NaN for a zero vector). */
const l2normOnnx: OnnxLowering<L2NormAttrs> = (g) => {
  const { axis, epsilon } = g.attrs;
  const shape = g.shape.map((d, i) => (i === axis ? 1 : d));
  const norm = g.op('ReduceL2', [g.inputs[0]!], { axes: [axis + 1], keepdims: 1 }, { shape });
  const floor = g.op('Max', [norm, g.constant('epsilon', 'float', [epsilon], [])], {}, { shape });
  return g.op('Div', [g.inputs[0]!, floor]);
};

/** ArchcL2Norm on the mapped axis (a vector's order does not matter, so a flatten passes as is). */
const l2normTfjs: TfjsLowering<L2NormAttrs> = (a, kit) => {
  const rank = kit.inputShapes[0]!.length;
  const request = rank === 1 ? 'as-is' : 'any';
  const layout = kit.layoutOf(0, request);
  const layer = kit.custom.l2norm({ name: kit.name(), axis: kit.axis(a.axis, rank, layout), epsilon: a.epsilon });
  return { output: kit.apply(layer, kit.input(0, request)), layout };
};
