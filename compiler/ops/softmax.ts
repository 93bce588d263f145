// softmax: exp(x_i) / Σ_j exp(x_j) along one per-sample axis (default the last: class scores of [K],
// attention weights of [H, T, T]; use axis=0 for per-pixel class maps [K, H, W]).
import { defineOp } from './op.js';
import { resolveAxis } from './axes.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface SoftmaxAttrs {
  /** Per-sample axis, non-negative. */
  readonly axis: number;
}

export const softmax = defineOp({
  kind: 'softmax',
  summary: 'normalized exponentials along an axis',
  arity: { min: 1, max: 1 },
  params: { axis: { type: 'int', default: -1, doc: 'per-sample axis; negative counts from the end' } },
  infer([x], args, ctx) {
    const axis = resolveAxis('softmax', args.axis, x!, ctx);
    return axis === undefined ? undefined : { attrs: { axis }, shape: x! };
  },
  tfjs: (a, kit) => softmaxTfjs(a, kit),
  onnx: (g) => g.op('Softmax', [g.inputs[0]!], { axis: g.attrs.axis + 1 }),
  pytorch: { module: (a) => `nn.Softmax(${a.axis + 1})`, forward: (g) => `torch.softmax(${g.inputs[0]}, ${g.attrs.axis + 1})` },
});

/** tfjs Softmax on the mapped axis (a vector's order does not matter, so a flatten passes as is). */
const softmaxTfjs: TfjsLowering<SoftmaxAttrs> = (a, kit) => {
  const rank = kit.inputShapes[0]!.length;
  const request = rank === 1 ? 'as-is' : 'any';
  const layout = kit.layoutOf(0, request);
  const layer = kit.layers.softmax({ name: kit.name(), axis: kit.axis(a.axis, rank, layout) });
  return { output: kit.apply(layer, kit.input(0, request)), layout };
};
