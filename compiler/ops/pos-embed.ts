// pos_embed: adds a learnable position embedding to a [T, D] sequence (ViT; torchvision's
// encoder.pos_embedding, a [1, T, D] parameter drawn from N(0, 0.02²)).
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { notTokens } from './class-token.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface PosEmbedAttrs {
  readonly tokens: number;
  readonly features: number;
}

export const pos_embed = defineOp({
  kind: 'pos_embed',
  summary: 'add a learnable position embedding to a [T, D] sequence',
  arity: { min: 1, max: 1 },
  params: {},
  infer([x], _args, ctx) {
    if (x!.length !== 2) return notTokens('pos_embed', x!, ctx);
    return { attrs: { tokens: x![0]!, features: x![1]! }, shape: x! };
  },
  weights: (a) => [{ name: '', shape: [1, a.tokens, a.features], role: 'learnable', init: 'normal', value: 0.02 }],
  tfjs: (a, kit) => posEmbedTfjs(a, kit),
  onnx: (g) => posEmbedOnnx(g),
  // A bare nn.Parameter named like the node (torchvision's encoder.pos_embedding), [1, T, D].
  pytorch: { forward: (g) => `${g.inputs[0]} + ${g.weight('')}` },

});

/** [N, T, D] + [1, T, D]: the weight broadcasts over the batch. */
const posEmbedOnnx: OnnxLowering<PosEmbedAttrs> = (g) => g.op('Add', [g.inputs[0]!, g.weight('')]);

const posEmbedTfjs: TfjsLowering<PosEmbedAttrs> = (_a, kit) => ({ output: kit.apply(kit.custom.posEmbed({ name: kit.name() }), kit.input(0, 'plain'), [{ ir: '' }]), layout: 'plain' });
