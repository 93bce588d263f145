// bn: batch normalization over the channel axis (axis 0 of the per-sample shape). Learnable γ and β;
// the running mean and variance are buffers. Keras counts all four as params; torchvision only γ, β.
import { defineOp } from './op.js';
import type { OnnxAttributeValue, OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { args, kwargs, pyFloat, type PytorchLowering } from '../lower-pytorch/lowering.js';

export interface BatchNormAttrs {
  readonly channels: number;
  readonly epsilon: number;
  readonly momentum: number;
}

export const bn = defineOp({
  kind: 'bn',
  summary: 'batch normalization (inference form uses the running statistics)',
  arity: { min: 1, max: 1 },
  params: {
    epsilon: { type: 'float', default: 1e-5, doc: 'PyTorch 1e-5; Keras 1e-3' },
    momentum: { type: 'float', default: 0.1, doc: "PyTorch's convention: weight of the new batch" },
  },
  infer([x], args, ctx) {
    const epsilon = args.epsilon;
    const momentum = args.momentum;
    if (epsilon <= 0) return ctx.error('E0305', `bn epsilon must be positive, got ${epsilon}`, { arg: 'epsilon' });
    if (momentum < 0 || momentum > 1) return ctx.error('E0305', `bn momentum must be in [0, 1], got ${momentum}`, { arg: 'momentum' });
    return { attrs: { channels: x![0]!, epsilon, momentum }, shape: x! };
  },
  weights: (a) => [
    { name: 'weight', shape: [a.channels], role: 'learnable', init: 'ones' },
    { name: 'bias', shape: [a.channels], role: 'learnable', init: 'zeros' },
    { name: 'running_mean', shape: [a.channels], role: 'buffer', init: 'zeros' },
    { name: 'running_var', shape: [a.channels], role: 'buffer', init: 'ones' },
  ],
  tfjs: (a, kit) => bnTfjs(a, kit),
  onnx: (g) => bnOnnx(g),
  pytorch: {
    // BatchNorm1d takes [N, C] and [N, C, L]; momentum is PyTorch's convention in archc too.
    module: (a, [x]) => `nn.BatchNorm${Math.max(1, x!.length - 1)}d(${args(String(a.channels), bnOptions(a))})`,
    forward: (g) => {
      if (g.module) return `${g.module}(${g.inputs[0]})`;
      const [w, b, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => g.weight(n));
      return `F.batch_norm(${g.inputs[0]}, ${mean}, ${variance}, ${w}, ${b}, self.training, ${pyFloat(g.attrs.momentum)}, ${pyFloat(g.attrs.epsilon)})`;
    },
  } satisfies PytorchLowering<BatchNormAttrs>,
});

const bnOptions = (a: BatchNormAttrs): string => kwargs([['eps', pyFloat(a.epsilon), pyFloat(1e-5)], ['momentum', pyFloat(a.momentum), pyFloat(0.1)]]);

/**
 * Inference form: the running statistics normalize. Momentum only matters while training; it is
 * written as PyTorch's exporter writes it (ONNX's is the old statistics' weight, 1 − PyTorch's) where
 * it is not the default, so that `archc import` gives it back.
 */
const bnOnnx: OnnxLowering<BatchNormAttrs> = (g) => {
  const stats = ['weight', 'bias', 'running_mean', 'running_var'].map((w) => g.weight(w));
  const epsilon = { float: g.attrs.epsilon };
  const attrs: Record<string, OnnxAttributeValue> = g.attrs.momentum === 0.1 ? { epsilon } : { epsilon, momentum: { float: 1 - g.attrs.momentum } };
  return g.op('BatchNormalization', [g.inputs[0]!, ...stats], attrs);
};

/** tfjs BatchNormalization on the channel axis; its momentum weighs the old statistics (1 − PyTorch's). */
const bnTfjs: TfjsLowering<BatchNormAttrs> = (a, kit) => {
  const x = kit.input(0, 'any');
  const layout = kit.layoutOf(0, 'any');
  const axis = kit.axis(0, kit.inputShapes[0]!.length, layout);
  const layer = kit.layers.batchNormalization({ name: kit.name(), axis, epsilon: a.epsilon, momentum: 1 - a.momentum });
  const weights = ['weight', 'bias', 'running_mean', 'running_var'].map((ir) => ({ ir }));
  return { output: kit.apply(layer, x, weights), layout };
};
