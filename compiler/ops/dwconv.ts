// dwconv: depthwise convolution, a conv with groups = C and filters = C·multiplier (PyTorch
// Conv2d(C, C·m, k, groups=C); Keras DepthwiseConv2D). Its attrs are ConvAttrs, so weights, MACs,
// the receptive field and any lowering can be conv's; `multiplier` rides along for Keras-style targets.
import { defineOp } from './op.js';
import { resolvePads, spatialRank, windowOutput } from './spatial.js';
import { conv, convForward, convModule, convOnnx, warnAsymmetricSame, windowArgs, type ConvAttrs } from './conv.js';
import { convTfjs } from './conv.js';

export interface DepthwiseConvAttrs extends ConvAttrs {
  /** Output channels per input channel: filters = groups·multiplier. */
  readonly multiplier: number;
}

export const dwconv = defineOp({
  kind: 'dwconv',
  summary: 'depthwise convolution: one k-window per channel (times the multiplier)',
  arity: { min: 1, max: 1 },
  params: {
    kernel: { type: 'ints', doc: 'window size, one value or one per axis' },
    stride: { type: 'ints', default: 1 },
    pad: { type: 'pad', default: 0, doc: 'int, per axis, begin/end pairs, "same", "valid" or "full"' },
    dilation: { type: 'ints', default: 1 },
    multiplier: { type: 'int', default: 1, doc: 'output channels per input channel' },
    bias: { type: 'bool', default: true },
  },
  infer([x], args, ctx) {
    const rank = spatialRank('dwconv', x!, ctx);
    if (rank === undefined) return undefined;
    const multiplier = args.multiplier;
    if (multiplier <= 0) {
      return ctx.error('E0305', `dwconv multiplier must be at least 1, got ${multiplier}`, {
        arg: 'multiplier',
        hint: 'to reduce channels, follow the depthwise conv with a 1×1 conv',
      });
    }
    const window = windowArgs(args, rank, ctx);
    if (!window) return undefined;
    const spatial = x!.slice(1);
    const pads = resolvePads(args.pad, spatial, window, ctx);
    if (!pads) return undefined;
    warnAsymmetricSame(pads, window.stride, ctx);
    const out = windowOutput('dwconv', spatial, window, pads, ctx);
    if (!out) return undefined;
    const channels = x![0]!;
    const filters = channels * multiplier;
    const attrs = { ...window, filters, pads, groups: channels, bias: args.bias, multiplier };
    return { attrs, shape: [filters, ...out] };
  },
  weights: conv.weights,
  macs: conv.macs,
  field: conv.field,
  symbolic: conv.symbolic,
  macsGrowWith: conv.macsGrowWith,
  tfjs: (a, kit) => convTfjs(a, kit),
  onnx: (g) => convOnnx(g),
  pytorch: { module: (a, [x]) => convModule(a, x![0]!, true), forward: (g) => convForward(g) },
});
