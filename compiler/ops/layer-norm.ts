// layer_norm: normalizes each sample over the chosen per-sample axes, then scales by γ and shifts by
// β, both shaped like those axes. The default, the last axis, is PyTorch's LayerNorm(D) on a [T, D]
// sequence (ONNX LayerNormalization axis=-1); `axis=0` on a [C, H, W] map normalizes the channels at
// each position: ConvNeXt's LayerNorm2d (torchvision), γ and β of shape [C].
import { asList, defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { resolveAxis } from './axes.js';
import { args, kwargs, pyFloat, type PytorchContext } from '../lower-pytorch/lowering.js';

export interface LayerNormAttrs {
  /** Sizes of the normalized axes: the shape of γ and β. */
  readonly features: number | readonly number[];
  /** The normalized per-sample axes, ascending; a number when there is one. */
  readonly axis: number | readonly number[];
  readonly epsilon: number;
}

/** The normalized axes as a list (attributes keep a single axis as a number, as they always did). */
const axesOf = (a: LayerNormAttrs): number[] => (typeof a.axis === 'number' ? [a.axis] : [...a.axis]);
const paramShape = (a: LayerNormAttrs): number[] => (typeof a.features === 'number' ? [a.features] : [...a.features]);

export const layer_norm = defineOp({
  kind: 'layer_norm',
  summary: 'normalization over chosen axes (default: the last) with learnable scale and shift',
  arity: { min: 1, max: 1 },
  params: {
    epsilon: { type: 'float', default: 1e-5, doc: 'PyTorch 1e-5; ViT (timm, torchvision) 1e-6' },
    axis: { type: 'ints', default: -1, doc: 'normalized per-sample axis or axes; 0 = channels (LayerNorm2d)' },
  },
  infer([x], args, ctx) {
    const epsilon = args.epsilon;
    if (!(epsilon > 0)) return ctx.error('E0305', `layer_norm epsilon must be positive, got ${epsilon}`, { arg: 'epsilon', hint: 'PyTorch uses 1e-5, ViT 1e-6' });
    const written = asList(args.axis);
    const axes: number[] = [];
    for (const w of written) {
      const axis = resolveAxis('layer_norm', w, x!, ctx);
      if (axis === undefined) return undefined;
      if (axes.includes(axis)) return ctx.error('E0305', `layer_norm lists axis ${w} twice`, { arg: 'axis' });
      axes.push(axis);
    }
    if (axes.length === 0) return ctx.error('E0305', 'layer_norm needs at least one axis', { arg: 'axis' });
    axes.sort((a, b) => a - b);
    const sizes = axes.map((a) => x![a]!);
    const one = axes.length === 1;
    return { attrs: { features: one ? sizes[0]! : sizes, axis: one ? axes[0]! : axes, epsilon }, shape: x! };
  },
  weights: (a) => [
    { name: 'weight', shape: paramShape(a), role: 'learnable', init: 'ones' },
    { name: 'bias', shape: paramShape(a), role: 'learnable', init: 'zeros' },
  ],
  tfjs: (a, kit) => layerNormTfjs(a, kit),
  onnx: (g) => layerNormOnnx(g),
  pytorch: { module: (a) => layerNormModule(a), forward: (g) => layerNormForward(g) },
});

/** nn.LayerNorm over the normalized sizes (γ and β have exactly that shape). */
function layerNormModule(a: LayerNormAttrs): string {
  const sizes = paramShape(a);
  const shape = sizes.length === 1 ? String(sizes[0]) : `(${sizes.join(', ')})`;
  return `nn.LayerNorm(${args(shape, kwargs([['eps', pyFloat(a.epsilon), pyFloat(1e-5)]]))})`;
}

/**
 * PyTorch normalizes trailing axes; other axes (ConvNeXt's LayerNorm2d over the channels) are
 * moved to the end and back, as torchvision's LayerNorm2d permutes.
 */
function layerNormForward(g: PytorchContext<LayerNormAttrs>): string {
  const axes = axesOf(g.attrs);
  const rank = g.shape.length;
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  const x = g.inputs[0]!;
  const norm = (t: string) =>
    g.module ? `${g.module}(${t})` : `F.layer_norm(${t}, (${paramShape(g.attrs).join(', ')},), ${g.weight('weight')}, ${g.weight('bias')}, ${pyFloat(g.attrs.epsilon)})`;
  if (trailing) return norm(x);
  const tuple = (v: readonly number[]) => (v.length === 1 ? String(v[0]) : `(${v.join(', ')})`);
  const from = tuple(axes.map((a) => a + 1));
  const to = tuple(axes.map((_, i) => i - axes.length));
  return `${norm(`${x}.movedim(${from}, ${to})`)}.movedim(${to}, ${from})`;
}

/**
 * LayerNormalization (opset 17) when the axes are the trailing ones; otherwise, and before opset
 * 17, the same arithmetic in elementary ops with γ and β reshaped to broadcast at their axes.
 */
const layerNormOnnx: OnnxLowering<LayerNormAttrs> = (g) => {
  const x = g.inputs[0]!;
  const rank = g.shape.length;
  const axes = axesOf(g.attrs);
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  const epsilon = g.attrs.epsilon;
  if (g.opset >= 17 && trailing) {
    return g.op('LayerNormalization', [x, g.weight('weight'), g.weight('bias')], { axis: axes[0]! - rank, epsilon: { float: epsilon } });
  }
  // γ, β as [d_i or 1 for each axis from the first normalized one]: they align from the right.
  const view = g.shape.slice(axes[0]!).map((d, i) => (axes.includes(i + axes[0]!) ? d : 1));
  const shaped = (w: string) => (trailing ? g.weight(w) : g.op('Reshape', [g.weight(w), g.constant(`${w}_shape`, 'int64', view)], {}, { fixedShape: view, as: w }));
  const onnxAxes = axes.map((a) => a + 1);
  const reduced = g.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const mean = (t: string, as: string) => g.op('ReduceMean', [t], { axes: onnxAxes, keepdims: 1 }, { shape: reduced, as });
  const centred = g.op('Sub', [x, mean(x, 'mean')]);
  const variance = mean(g.op('Mul', [centred, centred], {}, { as: 'square' }), 'variance');
  const std = g.op('Sqrt', [g.op('Add', [variance, g.constant('epsilon', 'float', [epsilon], [])], {}, { shape: reduced })], {}, { shape: reduced });
  return g.op('Add', [g.op('Mul', [g.op('Div', [centred, std]), shaped('weight')]), shaped('bias')]);
};

/**
 * tfjs LayerNormalization on the mapped axes. A channels-last map normalized over its channels
 * stays channels last (axis −1); any other choice runs in the IR's own order, so that γ's axes
 * keep their order.
 */
const layerNormTfjs: TfjsLowering<LayerNormAttrs> = (a, kit) => {
  const axes = axesOf(a);
  const rank = kit.inputShapes[0]!.length;
  const layout = kit.layoutOf(0, 'any') === 'cl' && axes.length === 1 && axes[0] === 0 ? 'cl' : 'plain';
  const layer = kit.layers.layerNormalization({ name: kit.name(), axis: axes.map((axis) => kit.axis(axis, rank, layout)), epsilon: a.epsilon });
  return { output: kit.apply(layer, kit.input(0, layout), [{ ir: 'weight' }, { ir: 'bias' }]), layout };
};
