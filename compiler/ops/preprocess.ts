// Input preprocessing as layers with their state, as Keras builds it into its applications:
// - normalize: (x − mean) / max(√variance, 1e-7) per channel (axis 0), Keras's Normalization layer.
//   Its buffers are `mean` [C], `variance` [C] and `count` [] (the number of samples `adapt` saw),
//   so that Keras's "Total params" counts their 2C + 1 numbers (EfficientNet-B0: 7). `mean` and
//   `std` set them (variance = std²); without them, mean 0 and variance 1 wait for real values.
// - rescale: x · scale + offset, Keras's Rescaling (1/255, or one scale per channel); no state.
import { asList, defineOp, type ListArg, type OpContext } from './op.js';
import type { OnnxLoweringContext } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { pyFloat, type PytorchHelper } from '../lower-pytorch/lowering.js';

/** Keras's backend epsilon, the floor of the standard deviation. */
export const NORMALIZE_EPSILON = 1e-7;

export interface NormalizeAttrs {
  readonly channels: number;
  /** Given statistics, or null for the defaults (mean 0, variance 1). */
  readonly mean: readonly number[] | null;
  readonly variance: readonly number[] | null;
}

export interface RescaleAttrs {
  /** One factor, or one per channel. */
  readonly scale: readonly number[];
  readonly offset: readonly number[];
}

/** A number or a list of one number per channel, as a list of length 1 or C. */
function perChannel(op: string, arg: string, v: ListArg, channels: number, ctx: OpContext): number[] | undefined {
  const list = asList(v);
  if (list.length === 1 || list.length === channels) return list;
  return ctx.error('E0305', `${op} ${arg} has ${list.length} values for ${channels} channels`, { arg, hint: `give one value, or ${channels}` });
}

export const normalize = defineOp({
  kind: 'normalize',
  summary: 'per-channel (x − mean) / std with its statistics as buffers (Keras Normalization)',
  arity: { min: 1, max: 1 },
  params: {
    mean: { type: 'floats', default: null, doc: 'per-channel mean (default 0)' },
    std: { type: 'floats', default: null, doc: 'per-channel standard deviation (default 1); stored as variance = std²' },
  },
  infer([x], args, ctx) {
    const channels = x![0]!;
    const mean = args.mean === null ? null : perChannel('normalize', 'mean', args.mean, channels, ctx);
    const std = args.std === null ? null : perChannel('normalize', 'std', args.std, channels, ctx);
    if (mean === undefined || std === undefined) return undefined;
    if (std?.some((s) => !(s > 0))) return ctx.error('E0305', `normalize std must be positive, got [${std.join(', ')}]`, { arg: 'std' });
    const full = (v: number[] | null) => (v === null ? null : v.length === 1 ? Array<number>(channels).fill(v[0]!) : v);
    return { attrs: { channels, mean: full(mean), variance: full(std)?.map((s) => s * s) ?? null }, shape: x! };
  },
  weights: (a) => [
    { name: 'mean', shape: [a.channels], role: 'buffer', init: 'constant', ...(a.mean ? { values: a.mean } : { value: 0 }) },
    { name: 'variance', shape: [a.channels], role: 'buffer', init: 'constant', ...(a.variance ? { values: a.variance } : { value: 1 }) },
    { name: 'count', shape: [], role: 'buffer', init: 'zeros' },
  ],
  tfjs: (a, kit) => normalizeTfjs(a, kit),
  onnx: (g) => normalizeOnnx(g),
  pytorch: {
    module: (a) => `Normalization(${a.channels})`,
    helpers: [normalizationClass()],
    forward: (g) => {
      if (g.module) return `${g.module}(${g.inputs[0]})`;
      const view = channelShape(g.shape.length);
      const std = `${g.weight('variance')}.sqrt().clamp(min=${pyFloat(NORMALIZE_EPSILON)})`;
      return `(${g.inputs[0]} - ${g.weight('mean')}.view(${view})) / ${std}.view(${view})`;
    },
  },
});

/** `-1, 1, 1`: a per-channel vector shaped to broadcast against a [C, H, W] sample. */
const channelShape = (rank: number): string => ['-1', ...Array<string>(Math.max(0, rank - 1)).fill('1')].join(', ');

/** Keras's Normalization layer: its statistics as buffers (the sample count kept for `adapt`). */
function normalizationClass(): PytorchHelper {
  return {
    name: 'Normalization',
    code: `class Normalization(nn.Module):
    \"\"\"(x - mean) / max(sqrt(variance), 1e-7) per channel, as Keras's Normalization layer.\"\"\"

    def __init__(self, channels):
        super().__init__()
        self.register_buffer('mean', torch.zeros(channels))
        self.register_buffer('variance', torch.ones(channels))
        self.register_buffer('count', torch.zeros(()))

    def forward(self, x):
        shape = (-1,) + (1,) * (x.dim() - 2)
        std = self.variance.sqrt().clamp(min=${pyFloat(NORMALIZE_EPSILON)})
        return (x - self.mean.view(shape)) / std.view(shape)`,
  };
}

export const rescale = defineOp({
  kind: 'rescale',
  summary: 'x · scale + offset, one factor or one per channel (Keras Rescaling)',
  arity: { min: 1, max: 1 },
  params: {
    scale: { type: 'floats', doc: 'e.g. 1 / 255, or one per channel' },
    offset: { type: 'floats', default: 0 },
  },
  infer([x], args, ctx) {
    const channels = x![0]!;
    const scale = perChannel('rescale', 'scale', args.scale, channels, ctx);
    const offset = perChannel('rescale', 'offset', args.offset, channels, ctx);
    if (!scale || !offset) return undefined;
    return { attrs: { scale, offset }, shape: x! };
  },
  tfjs: (a, kit) => rescaleTfjs(a, kit),
  onnx: (g) => rescaleOnnx(g),
  pytorch: {
    forward: (g) => {
      const { scale, offset } = g.attrs;
      const constant = (v: readonly number[]) =>
        v.length === 1 ? pyFloat(v[0]!) : `torch.tensor([${v.map(pyFloat).join(', ')}]).view(${channelShape(g.shape.length)})`;
      const scaled = `${g.inputs[0]} * ${constant(scale)}`;
      return offset.every((o) => o === 0) ? scaled : `${scaled} + ${constant(offset)}`;
    },
  },
});

/** A per-channel vector as [C, 1, ...] so that it broadcasts against the per-sample axes. */
function channelView<A>(g: OnnxLoweringContext<A>, tensor: string, length: number, as: string): string {
  if (g.shape.length === 1 || length === 1) return tensor;
  const view = [length, ...g.shape.slice(1).map(() => 1)];
  return g.op('Reshape', [tensor, g.constant(`${as}_shape`, 'int64', view)], {}, { fixedShape: view, as });
}

function normalizeOnnx(g: OnnxLoweringContext<NormalizeAttrs>): string {
  const c = g.attrs.channels;
  const mean = channelView(g, g.weight('mean'), c, 'mean');
  const std = g.op('Max', [g.op('Sqrt', [g.weight('variance')], {}, { fixedShape: [c], as: 'std' }), g.constant('epsilon', 'float', [NORMALIZE_EPSILON], [])], {}, { fixedShape: [c], as: 'std_floor' });
  // The sample count is state for `adapt`, not part of the function: ONNX still carries it.
  g.op('Identity', [g.weight('count')], {}, { fixedShape: [], as: 'count' });
  return g.op('Div', [g.op('Sub', [g.inputs[0]!, mean]), channelView(g, std, c, 'std_view')]);
}

function rescaleOnnx(g: OnnxLoweringContext<RescaleAttrs>): string {
  const { scale, offset } = g.attrs;
  const constant = (as: string, v: readonly number[]) => channelView(g, g.constant(as, 'float', v, v.length === 1 ? [] : [v.length]), v.length, `${as}_view`);
  const scaled = g.op('Mul', [g.inputs[0]!, constant('scale', scale)]);
  return offset.every((o) => o === 0) ? scaled : g.op('Add', [scaled, constant('offset', offset)]);
}

/** Channels last, so that per-channel vectors broadcast on the last axis (a vector is that already). */
const channelsLast = (rank: number) => (rank >= 2 ? 'cl' : 'plain');

const normalizeTfjs: TfjsLowering<NormalizeAttrs> = (_a, kit) => {
  const layout = channelsLast(kit.inputShapes[0]!.length);
  const layer = kit.custom.preprocess({ name: kit.name(), kind: 'normalize', epsilon: NORMALIZE_EPSILON });
  return { output: kit.apply(layer, kit.input(0, layout), [{ ir: 'mean' }, { ir: 'variance' }, { ir: 'count' }]), layout };
};

const rescaleTfjs: TfjsLowering<RescaleAttrs> = (a, kit) => {
  const layout = channelsLast(kit.inputShapes[0]!.length);
  const layer = kit.custom.preprocess({ name: kit.name(), kind: 'rescale', scale: [...a.scale], offset: [...a.offset] });
  return { output: kit.apply(layer, kit.input(0, layout)), layout };
};
