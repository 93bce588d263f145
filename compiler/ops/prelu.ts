// prelu: x if x > 0 else a·x with learnable slopes a, one per channel (axis 0 of the per-sample
// shape, as PyTorch's PReLU(num_parameters=C)) or one shared slope (PReLU()). Slopes start at 0.25.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface PreluAttrs {
  /** Number of slopes: the channels, or 1 when shared. */
  readonly slopes: number;
  readonly shared: boolean;
}

export const prelu = defineOp({
  kind: 'prelu',
  summary: 'leaky ReLU with learnable negative slopes',
  arity: { min: 1, max: 1 },
  params: { shared: { type: 'bool', default: false, doc: 'one slope for all channels instead of one each' } },
  infer([x], args) {
    const shared = args.shared;
    return { attrs: { slopes: shared ? 1 : x![0]!, shared }, shape: x! };
  },
  weights: (a) => [{ name: 'weight', shape: [a.slopes], role: 'learnable', init: 'constant', value: 0.25 }],
  tfjs: (a, kit) => preluTfjs(a, kit),
  onnx: (g) => preluOnnx(g),
  // nn.PReLU's slopes apply along axis 1 of [N, C, ...]: the per-sample channel axis.
  pytorch: {
    module: (a) => (a.shared ? 'nn.PReLU()' : `nn.PReLU(${a.slopes})`),
    forward: (g) => (g.module ? `${g.module}(${g.inputs[0]})` : `F.prelu(${g.inputs[0]}, ${g.weight('weight')})`),
  },
});

/** ONNX PRelu broadcasts the slope from the right: per-channel slopes become [C, 1, ..., 1]. */
const preluOnnx: OnnxLowering<PreluAttrs> = (g) => {
  const rank = g.inputShapes[0]!.length;
  let slope = g.weight('weight');
  if (!g.attrs.shared && rank > 1) {
    const dims = [g.attrs.slopes, ...Array<number>(rank - 1).fill(1)];
    slope = g.op('Reshape', [slope, g.constant('slope_shape', 'int64', dims)], {}, { fixedShape: dims, as: 'slope' });
  }
  return g.op('PRelu', [g.inputs[0]!, slope]);
};

/** tfjs PReLU, its slopes shared over every axis but the channels (or over all of them). */
const preluTfjs: TfjsLowering<PreluAttrs> = (a, kit) => {
  const rank = kit.inputShapes[0]!.length;
  const request = a.shared ? 'as-is' : 'any';
  const layout = kit.layoutOf(0, request);
  const channel = kit.axis(0, rank, layout);
  const sharedAxes = Array.from({ length: rank }, (_, i) => i + 1).filter((axis) => a.shared || axis !== channel);
  const layer = kit.layers.prelu({ name: kit.name(), ...(sharedAxes.length ? { sharedAxes } : {}) });
  return { output: kit.apply(layer, kit.input(0, request), [{ ir: 'weight' }]), layout };
};
