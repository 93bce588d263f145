// softmax: exp(x_i) / Σ_j exp(x_j) along one per-sample axis (default the last: class scores of [K],
// attention weights of [H, T, T]; use axis=0 for per-pixel class maps [K, H, W]).
import { defineOp } from './op.js';
import { resolveAxis } from './axes.js';

export interface SoftmaxAttrs {
  /** Per-sample axis, non-negative. */
  readonly axis: number;
}

export const softmax = defineOp<SoftmaxAttrs>({
  kind: 'softmax',
  summary: 'normalized exponentials along an axis',
  arity: { min: 1, max: 1 },
  params: { axis: { type: 'int', default: -1, doc: 'per-sample axis; negative counts from the end' } },
  infer([x], args, ctx) {
    const axis = resolveAxis('softmax', args['axis'] as number, x!, ctx);
    return axis === undefined ? undefined : { attrs: { axis }, shape: x! };
  },
  onnx: (g) => g.op('Softmax', [g.inputs[0]!], { axis: g.attrs.axis + 1 }),
});
