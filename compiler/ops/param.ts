// param, buffer: a free tensor with no input, the same for every sample: `param([96, 1, 1])` is
// ConvNeXt's layer scale (torchvision's `layer_scale`, a [C, 1, 1] nn.Parameter), `param([169, 3],
// init="normal", value=0.02)` Swin's relative-position table. `param` is learnable (counted as a
// parameter, trained, exported as an ONNX initializer); `buffer` is a non-trainable state tensor
// (a registered buffer in PyTorch, a non-trainable weight in Keras), counted with the buffers.
// The weight takes the node's own name (`layer_scale`, not `layer_scale.weight`), as torch names a
// bare parameter. It broadcasts over the batch: ONNX holds it as [1, ...shape].
import { asList, defineOp, type OpDef, type WeightSpec } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface ParamAttrs {
  /** The per-sample shape (no batch axis). */
  readonly shape: readonly number[];
  readonly init: WeightSpec['init'];
  /** 'constant': the fill value; 'normal': the standard deviation. */
  readonly value: number;
}

const INITS = ['zeros', 'ones', 'constant', 'normal', 'uniform', 'glorot', 'he'] as const;

function freeTensor(kind: 'param' | 'buffer', role: WeightSpec['role'], summary: string, init: string): OpDef<ParamAttrs> {
  return defineOp({
    kind,
    summary,
    arity: { min: 0, max: 0 },
    params: {
      shape: { type: 'ints', doc: 'per-sample shape, e.g. [96, 1, 1]' },
      init: { type: 'string', default: init, oneOf: INITS, doc: 'initializer: constant fills `value`, normal has std `value`' },
      value: { type: 'float', default: 0, doc: 'the fill value (constant) or standard deviation (normal)' },
    },
    infer(_inputs, args, ctx) {
      const shape = asList(args.shape);
      if (shape.length === 0 || shape.some((d) => !(d >= 1))) {
        return ctx.error('E0305', `${kind} needs a shape of positive sizes, got [${shape.join(', ')}]`, { arg: 'shape', hint: `e.g. ${kind}([64, 1, 1])` });
      }
      const init = args.init;
      const value = args.value;
      if (init === 'normal' && !ctx.given('value')) {
        return ctx.error('E0305', `${kind} init="normal" needs its standard deviation as value=`, { arg: 'init', hint: 'e.g. value=0.02 (ViT, Swin)' });
      }
      return { attrs: { shape, init, value }, shape };
    },
    weights: (a) => [{ name: '', shape: a.shape, role, init: a.init, value: a.value }],
    tfjs: (a, kit) => paramTfjs(role)(a, kit),
    onnx: (g) => paramOnnx(g),
    // A bare nn.Parameter (or buffer) of the enclosing module, named like the node; [None] adds
    // the batch axis, over which it broadcasts.
    pytorch: { forward: (g) => `${g.weight('')}[None]` },
  });
}

export const param = freeTensor('param', 'learnable', 'a free learnable tensor of a given shape (no input)', 'zeros');
export const buffer = freeTensor('buffer', 'buffer', 'a free non-trainable state tensor of a given shape (no input)', 'zeros');

/** The initializer expanded to [N, ...shape], N read from the shape of a model input. */
const paramOnnx: OnnxLowering<ParamAttrs> = (g) => {
  const shape = g.attrs.shape;
  const at = (as: string, v: number) => g.constant(as, 'int64', [v]);
  const dims = g.op('Shape', [g.anchor.tensor], {}, { fixedShape: [g.anchor.rank + 1], type: 'int64', as: 'input_shape' });
  const batch = g.op('Slice', [dims, at('start', 0), at('end', 1)], {}, { fixedShape: [1], type: 'int64', as: 'batch' });
  const target = g.op('Concat', [batch, g.constant('sample_dims', 'int64', shape)], { axis: 0 }, { fixedShape: [shape.length + 1], type: 'int64', as: 'target' });
  return g.op('Expand', [g.weight(''), target]);
};

/** ArchcParam repeats its variable over the batch of the model's first input, in the IR's order. */
const paramTfjs = (role: WeightSpec['role']): TfjsLowering<ParamAttrs> => (a, kit) => {
  const layer = kit.custom.param({ name: kit.name(), shape: [...a.shape], ...(role === 'buffer' ? { trainable: false } : {}) });
  return { output: kit.apply(layer, kit.anchor(), [{ ir: '' }]), layout: 'plain' };
};
