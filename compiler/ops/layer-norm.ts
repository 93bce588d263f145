// layer_norm: normalizes each position over the last axis (the features of a [T, D] token sequence),
// then scales by γ and shifts by β, both [D] (PyTorch LayerNorm(D), ONNX LayerNormalization axis=-1).
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../../runtime/lowering.js';

export interface LayerNormAttrs {
  /** Size of the normalized (last) axis. */
  readonly features: number;
  /** The normalized per-sample axis: always the last one. */
  readonly axis: number;
  readonly epsilon: number;
}

export const layer_norm = defineOp<LayerNormAttrs>({
  kind: 'layer_norm',
  summary: 'normalization over the last axis with learnable scale and shift',
  arity: { min: 1, max: 1 },
  params: { epsilon: { type: 'float', default: 1e-5, doc: 'PyTorch 1e-5; ViT (timm, torchvision) 1e-6' } },
  infer([x], args, ctx) {
    const epsilon = args['epsilon'] as number;
    if (!(epsilon > 0)) return ctx.error('E0305', `layer_norm epsilon must be positive, got ${epsilon}`, { arg: 'epsilon', hint: 'PyTorch uses 1e-5, ViT 1e-6' });
    return { attrs: { features: x!.at(-1)!, axis: x!.length - 1, epsilon }, shape: x! };
  },
  weights: (a) => [
    { name: 'weight', shape: [a.features], role: 'learnable', init: 'ones' },
    { name: 'bias', shape: [a.features], role: 'learnable', init: 'zeros' },
  ],
  tfjs: (a, kit) => layerNormTfjs(a, kit),
  onnx: (g) => layerNormOnnx(g),
});

/** LayerNormalization from opset 17; before it, the same arithmetic in elementary ops. */
const layerNormOnnx: OnnxLowering<LayerNormAttrs> = (g) => {
  const x = g.inputs[0]!;
  const [weight, bias] = [g.weight('weight'), g.weight('bias')];
  const epsilon = g.attrs.epsilon;
  if (g.opset >= 17) return g.op('LayerNormalization', [x, weight, bias], { axis: -1, epsilon: { float: epsilon } });
  const reduced = [...g.shape.slice(0, -1), 1];
  const mean = (t: string, as: string) => g.op('ReduceMean', [t], { axes: [-1], keepdims: 1 }, { shape: reduced, as });
  const centred = g.op('Sub', [x, mean(x, 'mean')]);
  const variance = mean(g.op('Mul', [centred, centred], {}, { as: 'square' }), 'variance');
  const std = g.op('Sqrt', [g.op('Add', [variance, g.constant('epsilon', 'float', [epsilon], [])], {}, { shape: reduced })], {}, { shape: reduced });
  return g.op('Add', [g.op('Mul', [g.op('Div', [centred, std]), weight]), bias]);
};

/** tfjs LayerNormalization over the last axis of the IR order. */
const layerNormTfjs: TfjsLowering<LayerNormAttrs> = (a, kit) => {
  const layer = kit.layers.layerNormalization({ name: kit.name(), axis: -1, epsilon: a.epsilon });
  return { output: kit.apply(layer, kit.input(0, 'plain'), [{ ir: 'weight' }, { ir: 'bias' }]), layout: 'plain' };
};
