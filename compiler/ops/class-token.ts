// class_token: prepends one learnable token to a [T, D] sequence, giving [T+1, D] (ViT's [CLS];
// torchvision's class_token, a [1, 1, D] parameter initialised to zeros).
import { defineOp, type OpContext } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import { formatShape, type Shape } from '../ir.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface ClassTokenAttrs {
  readonly features: number;
}

export const class_token = defineOp({
  kind: 'class_token',
  summary: 'prepend a learnable token to a [T, D] sequence',
  arity: { min: 1, max: 1 },
  params: {},
  infer([x], _args, ctx) {
    if (x!.length !== 2) return notTokens('class_token', x!, ctx);
    return { attrs: { features: x![1]! }, shape: [x![0]! + 1, x![1]!] };
  },
  weights: (a) => [{ name: '', shape: [1, 1, a.features], role: 'learnable', init: 'zeros' }],
  tfjs: (a, kit) => classTokenTfjs(a, kit),
  onnx: (g) => classTokenOnnx(g),
  // The token is a bare nn.Parameter named like the node (torchvision's class_token), [1, 1, D].
  pytorch: { forward: (g) => `torch.cat([${g.weight('')}.expand(${g.inputs[0]}.shape[0], -1, -1), ${g.inputs[0]}], dim=1)` },

});

/** The token ops' input must be a [tokens, features] sequence. */
export function notTokens(op: string, x: Shape, ctx: OpContext): undefined {
  return ctx.error('E0303', `${op} needs a token sequence [T, D], got ${formatShape(x)}`, {
    input: 0,
    hint: x.length === 3 ? `make tokens of a [D, H, W] map with reshape([${x[0]}, ${x[1]! * x[2]!}]) |> transpose([1, 0])` : undefined,
  });
}

/** The [1, 1, D] token, expanded to the batch (taken from the input's shape), then concatenated. */
const classTokenOnnx: OnnxLowering<ClassTokenAttrs> = (g) => {
  const x = g.inputs[0]!;
  const d = g.attrs.features;
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  const first = g.op('Slice', [x, at('start', 0), at('end', 1), at('axis', 1)], {}, { shape: [1, d], as: 'first' });
  const dims = g.op('Shape', [first], {}, { fixedShape: [3], type: 'int64', as: 'batch_shape' });
  const token = g.op('Expand', [g.weight(''), dims], {}, { shape: [1, d], as: 'token' });
  return g.op('Concat', [token, x], { axis: 1 });
};

const classTokenTfjs: TfjsLowering<ClassTokenAttrs> = (_a, kit) => ({ output: kit.apply(kit.custom.classToken({ name: kit.name() }), kit.input(0, 'plain'), [{ ir: '' }]), layout: 'plain' });
