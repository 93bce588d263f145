// layer_norm: normalizes each position over the last axis (the features of a [T, D] token sequence),
// then scales by γ and shifts by β, both [D] (PyTorch LayerNorm(D), ONNX LayerNormalization axis=-1).
import { defineOp } from './op.js';

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
    if (!(epsilon > 0)) return ctx.error('E0305', `layer_norm epsilon must be positive, got ${epsilon}`, { arg: 'epsilon' });
    return { attrs: { features: x!.at(-1)!, axis: x!.length - 1, epsilon }, shape: x! };
  },
  weights: (a) => [
    { name: 'weight', shape: [a.features], role: 'learnable', init: 'ones' },
    { name: 'bias', shape: [a.features], role: 'learnable', init: 'zeros' },
  ],
});
