// l2norm: x / max(‖x‖₂, epsilon) along one per-sample axis (PyTorch F.normalize(p=2)); face
// embeddings (FaceNet, ArcFace) live on the unit sphere this way.
import { defineOp } from './op.js';
import { resolveAxis } from './axes.js';

export interface L2NormAttrs {
  /** Per-sample axis, non-negative. */
  readonly axis: number;
  readonly epsilon: number;
}

export const l2norm = defineOp<L2NormAttrs>({
  kind: 'l2norm',
  summary: 'scale to unit L2 norm along an axis',
  arity: { min: 1, max: 1 },
  params: {
    axis: { type: 'int', default: -1, doc: 'per-sample axis; negative counts from the end' },
    epsilon: { type: 'float', default: 1e-12, doc: 'lower bound on the norm' },
  },
  infer([x], args, ctx) {
    const epsilon = args['epsilon'] as number;
    if (!(epsilon > 0)) return ctx.error('E0305', `l2norm epsilon must be positive, got ${epsilon}`, { arg: 'epsilon' });
    const axis = resolveAxis('l2norm', args['axis'] as number, x!, ctx);
    return axis === undefined ? undefined : { attrs: { axis, epsilon }, shape: x! };
  },
});
