// flatten: [C, H, W] → [C·H·W] in C, H, W order (PyTorch's order; the tfjs lowering reorders the
// following dense layer's weights so both targets compute the same function).
import { defineOp } from './op.js';
import { mul, type Size } from '../symbolic/expr.js';
import { product } from './spatial.js';
import { heightAxis } from './axes.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export type FlattenAttrs = Record<string, never>;

export const flatten = defineOp({
  kind: 'flatten',
  summary: 'collapse all per-sample axes into one',
  arity: { min: 1, max: 1 },
  params: {},
  infer: ([x]) => ({ attrs: {}, shape: [product(x!)] }),
  // What follows sees every position at once, as after a global pool (VGG-16's fc6: 404 pixels).
  field: (_a, [x]) => ({ kernel: x!.length >= 2 ? x![heightAxis(x!)]! : 1, stride: 1, dilation: 1 }),
  symbolic: (_a, [x], { node }) => (node.shape.length === 1 ? [x!.reduce<Size>((p, d) => mul(p, d), 1)] : undefined),
  tfjs: (a, kit) => flattenTfjs(a, kit),
  onnx: (g) => g.op('Flatten', [g.inputs[0]!], { axis: 1 }),
  // NCHW order, as ONNX Flatten: a following dense layer's weights are PyTorch's as they are.
  pytorch: { module: () => 'nn.Flatten()', forward: (g) => `torch.flatten(${g.inputs[0]}, 1)` },
});

/** tfjs Flatten; a channels-last map flattens in H, W, C order (`flat-cl`), which dense accounts for. */
const flattenTfjs: TfjsLowering<FlattenAttrs> = (_a, kit) => {
  const shape = kit.inputShapes[0]!;
  const layout = kit.layoutOf(0, 'as-is');
  const output = kit.apply(kit.layers.flatten({ name: kit.name() }), kit.input(0, 'as-is'));
  const reordered = layout === 'cl' && shape.length >= 2 && shape[0]! > 1 && shape.slice(1).some((d) => d > 1);
  if (reordered) return { output, layout: 'flat-cl', flatFrom: shape };
  return { output, layout: layout === 'flat-cl' ? 'flat-cl' : 'plain' };
};
